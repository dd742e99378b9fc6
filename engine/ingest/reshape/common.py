"""What the layout readers share: years, and forgetting the columns a reshape replaced."""

from __future__ import annotations

import polars as pl

from engine.ingest.table import Table

YEARS = (1700, 2100)


def is_year(s: pl.Series) -> bool:
    """Whole numbers of years (1950, or 1950.0 from a spreadsheet), none missing."""
    if not s.dtype.is_numeric() or s.null_count() > 0 or s.len() == 0:
        return False
    f = s.cast(pl.Float64)
    lo, hi = f.min(), f.max()
    whole = bool((f == f.round(0)).all())
    return whole and isinstance(lo, float) and isinstance(hi, float) and YEARS[0] <= lo and hi <= YEARS[1]


def replace_frame(table: Table, df: pl.DataFrame, gone: list[str]) -> None:
    """Put the reshaped frame in place; parsing notes of columns that no longer exist go."""
    table.df = df
    for c in gone:
        if c not in df.columns:
            table.notes.pop(c, None)
