"""Turning result rows into DataFrames that Streamlit shows as plain text cells."""

from __future__ import annotations

from typing import Any

import pandas as pd


def to_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame of `rows`; columns mixing types become text so Arrow can carry them.

    `st.dataframe` draws every cell as text (never HTML or Markdown), which is what keeps
    a `<script>` or `[link](javascript:...)` cell inert.
    """
    frame = pd.DataFrame(rows)
    for name in frame.columns:
        column = frame[name]
        kinds = {type(v) for v in column if v is not None and not (isinstance(v, float) and pd.isna(v))}
        if not (kinds <= {int, float} or kinds == {bool}):
            frame[name] = column.map(lambda v: "" if v is None else str(v)).astype("string")
    return frame
