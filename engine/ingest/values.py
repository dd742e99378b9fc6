"""Build typed polars columns from Python cell values (Excel and JSON readers)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl


def series_from_values(name: str, values: list[Any]) -> pl.Series:
    """A column typed by its non-empty values: numbers, booleans, dates, else text."""
    cells = [None if (v is None or (isinstance(v, str) and not v.strip())) else v for v in values]
    present = [v for v in cells if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pl.Series(name, cells, dtype=pl.Boolean)
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        if all((isinstance(v, int) or float(v).is_integer()) and abs(v) < 2**53 for v in present):
            return pl.Series(name, [None if v is None else int(v) for v in cells], dtype=pl.Int64)
        return pl.Series(name, [None if v is None else float(v) for v in cells], dtype=pl.Float64)
    if present and all(isinstance(v, dt.datetime) for v in present):
        return pl.Series(name, cells, dtype=pl.Datetime("us"))
    if present and all(isinstance(v, dt.date) for v in present):
        plain = [v.date() if isinstance(v, dt.datetime) else v for v in cells]
        return pl.Series(name, plain, dtype=pl.Date)
    return pl.Series(name, [None if v is None else _text(v) for v in cells], dtype=pl.String)


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def frame_from_rows(header: list[Any], rows: list[list[Any]]) -> pl.DataFrame:
    """A frame from a header row and data rows of Python values (ragged rows padded)."""
    width = max([len(header)] + [len(r) for r in rows]) if rows else len(header)
    names = [str(h).strip() if h not in (None, "") else "" for h in header] + [""] * (width - len(header))
    columns = []
    for i, name in enumerate(names):
        cells = [r[i] if i < len(r) else None for r in rows]
        columns.append(series_from_values(name or f"column_{i + 1}", cells))
    return pl.DataFrame(columns)
