"""Per-column profile: semantic type, missing/distinct counts, top values, statistics, date range.

All statistics come from a few vectorised polars passes over the full frame
(no sampling), with two exceptions on long tables above 500,000 rows: distinct
counts of columns whose values rarely repeat are HyperLogLog estimates (flagged
`distinctApprox`), and quantiles come from a systematic sample of about 250,000
rows (flagged by `stats.quantileRows`; a quantile read so is within a few tenths
of a percentile of the exact one). Counts, sums, means, extremes and missing
values are always exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from engine.analysis.jsonsafe import json_safe, num
from engine.ingest.table import Table

_ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|guid|key|code|no|number|nr)$|^id[_\s-]|_id$", re.I)
_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
TOP_VALUES = 10
APPROX_DISTINCT_ROWS = 500_000  # above this, distinct counts are HyperLogLog estimates...
FEW_VALUES = 0.2  # ...except for columns whose values repeat (distinct share of a probe below this):
PROBE_ROWS = 10_000  # they are counted exactly, and that count gives their top values too
TEXT_SAMPLE = 5000  # values read to tell free text from categories and ids
QUANTILE_ROWS = 100_000  # above twice this, quantiles come from every k-th row (moments stay exact)


@dataclass
class ColumnProfile:
    """What the analysis knows about one column."""

    name: str
    dtype: str
    semantic: str  # numeric | integer | boolean | datetime | categorical | text | identifier
    missing: int
    distinct: int
    stats: dict[str, Any] = field(default_factory=dict)
    top: list[dict[str, Any]] = field(default_factory=list)
    date_range: dict[str, Any] | None = None
    parsing: dict[str, Any] = field(default_factory=dict)
    distinct_approx: bool = False  # HyperLogLog estimate (text columns of very long tables)

    def to_dict(self, rows: int, index: int) -> dict[str, Any]:
        """This column's entry of result.json `schema` (camelCase keys)."""
        out: dict[str, Any] = {
            "name": self.name,
            "index": index,
            "dtype": self.dtype,
            "semanticType": self.semantic,
            "missing": self.missing,
            "missingPct": num(100 * self.missing / rows if rows else 0, 2),
            "distinct": self.distinct,
            "distinctApprox": self.distinct_approx,
            "topValues": self.top,
        }
        if self.stats:
            out["stats"] = self.stats
        if self.date_range:
            out["dateRange"] = self.date_range
        if self.parsing:
            out["parsing"] = self.parsing
        return out


def profile_columns(table: Table) -> list[ColumnProfile]:
    """Profile every column of the table."""
    df = table.df
    approx = df.height > APPROX_DISTINCT_ROWS
    counted = _value_counts(df, _repeating(df)) if approx else {}
    basics = df.select(
        [pl.col(c).null_count().alias(f"{c}\x00null") for c in df.columns]
        + [_distinct(c, df.schema[c], approx).alias(f"{c}\x00uniq") for c in df.columns if c not in counted]
    ).row(0)
    width = df.width
    unique = iter(basics[width:])
    profiles = []
    for i, name in enumerate(df.columns):
        s = df[name]
        missing = int(basics[i])
        exact = name in counted or not approx
        if name in counted:
            distinct = counted[name].height - (1 if missing else 0)
        else:
            distinct = min(int(next(unique)) - (1 if missing else 0), df.height - missing)
        semantic = _semantic(s, name, df.height - missing, distinct, not exact)
        note = table.notes.get(name)
        profile = ColumnProfile(
            name, str(s.dtype), semantic, missing, distinct, parsing=note.to_dict() if note else {}
        )
        profile.distinct_approx = not exact
        profiles.append(profile)
    _numeric_stats(df, [p for p in profiles if p.semantic in ("numeric", "integer")])
    _date_ranges(df, [p for p in profiles if p.semantic == "datetime"])
    wanted = [
        p
        for p in profiles
        if p.semantic in ("categorical", "boolean", "text", "integer")
        or (p.semantic == "identifier" and df.height <= 100_000)
    ]
    for p, top in zip(wanted, _top_values(df, [p.name for p in wanted], counted), strict=True):
        p.top = top
    return profiles


def _repeating(df: pl.DataFrame) -> list[str]:
    """Text and integer columns whose values repeat, judged on a systematic probe of the rows."""
    names = [c for c, t in df.schema.items() if t == pl.String or t.is_integer()]
    if not names or df.height < 2 * PROBE_ROWS:
        return []
    probe = df.select(names).gather_every(df.height // PROBE_ROWS)
    distinct = probe.select(pl.col(c).n_unique() for c in names).row(0)
    return [c for c, n in zip(names, distinct, strict=True) if n <= FEW_VALUES * probe.height]


def _value_counts(df: pl.DataFrame, names: list[str]) -> dict[str, pl.DataFrame]:
    """Every value of each column with its count (missing values as one row), in one parallel pass."""
    return dict(zip(names, pl.collect_all(_counts(df.lazy(), name) for name in names), strict=True))


def _counts(rows: pl.LazyFrame, name: str) -> pl.LazyFrame:
    return rows.group_by(name).agg(pl.len().alias("\x00n"))


def _distinct(name: str, dtype: pl.DataType, approx: bool) -> pl.Expr:
    col = pl.col(name)
    return col.approx_n_unique() if approx and dtype != pl.Boolean else col.n_unique()


def _semantic(s: pl.Series, name: str, present: int, distinct: int, approx: bool = False) -> str:
    dtype = s.dtype
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_temporal():
        return "datetime"
    if dtype.is_numeric():
        if distinct <= 2 and present > 2 and set(s.drop_nulls().unique().to_list()) <= {0, 1}:
            return "boolean"
        if dtype.is_integer():
            unique_all = (distinct >= 0.99 * present if approx else distinct == present) and present > 20
            return "identifier" if unique_all and _ID_NAME.search(name) else "integer"
        return "numeric"
    if present == 0:
        return "categorical"
    ratio = distinct / present
    if _ID_NAME.search(name) and ratio > 0.9:
        return "identifier"
    if len(s) > 2 * TEXT_SAMPLE:  # every k-th value: no copy of a million strings to read 5,000
        s = s.gather_every(len(s) // TEXT_SAMPLE)
    text = s.cast(pl.String).drop_nulls()
    mean_len = float(text.str.len_chars().mean() or 0)  # type: ignore[arg-type]
    spaced = float(text.str.contains(" ").mean() or 0)  # type: ignore[arg-type]
    if mean_len > 40 or (spaced > 0.5 and ratio > 0.8 and distinct > 3):
        return "text"
    if ratio >= 0.95 and present > 20 and spaced < 0.1:
        return "identifier"
    return "categorical"


def _numeric_stats(df: pl.DataFrame, profiles: list[ColumnProfile]) -> None:
    """Moments in one parallel pass; quantiles from one sort per column (cheaper than one per quantile)."""
    if not profiles:
        return
    exprs = []
    for p in profiles:
        c = pl.col(p.name).cast(pl.Float64)
        exprs += [
            c.mean().alias(f"{p.name}\x00mean"),
            c.std().alias(f"{p.name}\x00std"),
            c.min().alias(f"{p.name}\x00min"),
            c.max().alias(f"{p.name}\x00max"),
            c.sum().alias(f"{p.name}\x00sum"),
            (c == 0).sum().alias(f"{p.name}\x00zeros"),
            (c < 0).sum().alias(f"{p.name}\x00negatives"),
        ]
    row = df.select(exprs).row(0, named=True)
    names = [p.name for p in profiles]
    source = (
        df.select(names).gather_every(df.height // QUANTILE_ROWS) if df.height > 2 * QUANTILE_ROWS else df
    )
    ordered = source.select([pl.col(p.name).cast(pl.Float64).sort(nulls_last=True) for p in profiles])
    for p in profiles:
        stats: dict[str, Any] = {
            key.split("\x00")[1]: num(v) for key, v in row.items() if key.split("\x00")[0] == p.name
        }
        values = ordered[p.name].drop_nulls().to_numpy()
        for q in _QUANTILES:
            stats["median" if q == 0.5 else f"q{int(q * 100):02d}"] = num(_sorted_quantile(values, q))
        if source is not df:
            stats["quantileRows"] = values.size  # quantiles from a systematic sample of this many rows
        p.stats = stats


def _sorted_quantile(values: np.ndarray, q: float) -> float | None:
    """Linear-interpolated quantile of already sorted values."""
    if values.size == 0:
        return None
    pos = q * (values.size - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, values.size - 1)
    return float(values[lo] + (values[hi] - values[lo]) * (pos - lo))


def _date_ranges(df: pl.DataFrame, profiles: list[ColumnProfile]) -> None:
    if not profiles:
        return
    row = df.select(
        [pl.col(p.name).min().alias(f"{p.name}\x00min") for p in profiles]
        + [pl.col(p.name).max().alias(f"{p.name}\x00max") for p in profiles]
    ).row(0, named=True)
    for p in profiles:
        lo, hi = row[f"{p.name}\x00min"], row[f"{p.name}\x00max"]
        if lo is not None:
            days = (hi - lo).days if hasattr(hi - lo, "days") else None
            p.date_range = {"min": json_safe(lo), "max": json_safe(hi), "days": days}


def _top_values(
    df: pl.DataFrame, names: list[str], counted: dict[str, pl.DataFrame] | None = None
) -> list[list[dict[str, Any]]]:
    """The most frequent values of each column, from `counted` or counted in one parallel pass."""
    if not names:
        return []
    rows = df.height
    counted = counted or {}
    queries = (counted[name].lazy() if name in counted else _counts(df.lazy(), name) for name in names)
    tops = pl.collect_all(  # one pass: the columns not counted yet are counted in the same queries
        q.drop_nulls(name).sort(["\x00n", name], descending=[True, False]).head(TOP_VALUES)
        for name, q in zip(names, queries, strict=True)
    )
    out = []
    for name, counts in zip(names, tops, strict=True):
        out.append(
            [
                {"value": json_safe(v), "count": int(c), "pct": num(100 * c / rows if rows else 0, 2)}
                for v, c in zip(counts[name].to_list(), counts["\x00n"].to_list(), strict=True)
            ]
        )
    return out
