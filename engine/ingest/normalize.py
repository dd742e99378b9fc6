"""Bring column types the analysis does not handle to ones it does.

Parquet and Excel can carry durations, times of day, decimals, binary and
nested values; they become seconds (Float64), ISO text, Float64, and JSON text.
"""

from __future__ import annotations

import json

import polars as pl

from engine.ingest.table import Table


def normalize_dtypes(table: Table) -> None:
    """Replace columns of unsupported types in place, noting how each was read."""
    replaced = []
    for name, dtype in table.df.schema.items():
        s = table.df[name]
        if dtype == pl.Duration:
            replaced.append(s.dt.total_microseconds().cast(pl.Float64) / 1e6)
            table.note(name).parsed_as, table.note(name).unit = "number", "seconds"
        elif dtype == pl.Time or dtype == pl.Binary:
            replaced.append(s.cast(pl.String) if dtype == pl.Time else s.bin.encode("hex"))
        elif dtype == pl.Decimal:
            replaced.append(s.cast(pl.Float64))
        elif dtype == pl.Categorical or dtype == pl.Enum or dtype == pl.Null:
            replaced.append(s.cast(pl.String))
        elif dtype.is_nested() or dtype == pl.Object:
            values = [
                None if v is None else json.dumps(v, default=str, ensure_ascii=False) for v in s.to_list()
            ]
            replaced.append(pl.Series(name, values, dtype=pl.String))
    if replaced:
        table.df = table.df.with_columns(replaced)
