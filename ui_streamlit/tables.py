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
        kinds = {type(v) for v in column if not _missing(v)}
        if not (kinds <= {int, float} or kinds == {bool}):
            frame[name] = column.map(lambda v: pd.NA if _missing(v) else str(v)).astype("string")
    return frame


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)
