"""Per-category aggregates of measures, the input of the segment detectors.

Totals, means, variances, counts and extremes come from every row, one
parallel pass per dimension; box-plot quartiles come from a systematic sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.analysis.fmt import category
from engine.analysis.semantics.model import Measure

KEY = "\x00key"  # the category column's internal name: cannot clash with a measure
ROWS = "\x00rows"


@dataclass
class SegmentStats:
    """Per-category aggregates of one measure, sorted by total (or count) descending."""

    dimension: str
    measure: Measure
    names: list[str]
    total: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    count: np.ndarray  # rows with a value of the measure
    rows: np.ndarray  # rows in the category
    box: dict[str, list[float]]
    entity: bool = False  # the dimension is a high-cardinality entity column
    log_mean: np.ndarray | None = (
        None  # mean and variance of log(1 + value), for values that are never negative
    )
    log_var: np.ndarray | None = None

    @property
    def agg(self) -> str:
        return self.measure.agg

    def shown(self, i: int) -> str:
        """Category `i` as prose names it (names[i] itself stays the value that filters the data)."""
        return category(self.dimension, self.names[i])


def segment_stats(
    df: pl.DataFrame,
    sample: pl.DataFrame,
    dimensions: list[str],
    measures: list[Measure],
    entities: frozenset[str] = frozenset(),
) -> list[SegmentStats]:
    """Aggregate each measure per category of each dimension (all in one parallel `collect_all`)."""
    if not dimensions or not measures:
        return []
    aggs: list[pl.Expr] = [pl.len().alias(ROWS)]
    quart: list[pl.Expr] = [pl.len().alias(ROWS + "q")]
    valued = [m for m in measures if m.kind != "count"]
    for m in valued:
        v = pl.col(m.name).cast(pl.Float64)
        aggs += [
            v.sum().alias(f"{m.name}\x00total"),
            v.mean().alias(f"{m.name}\x00mean"),
            v.var().alias(f"{m.name}\x00var"),
            v.count().alias(f"{m.name}\x00count"),
            v.min().alias(f"{m.name}\x00min"),
            v.max().alias(f"{m.name}\x00max"),
            pl.col(f"{m.name}\x00log").mean().alias(f"{m.name}\x00lmean"),
            pl.col(f"{m.name}\x00log").var().alias(f"{m.name}\x00lvar"),
        ]
        quart += [
            v.quantile(0.25).alias(f"{m.name}\x00q1"),
            v.median().alias(f"{m.name}\x00median"),
            v.quantile(0.75).alias(f"{m.name}\x00q3"),
        ]
    queries = []
    # the log of each measure once, not once per dimension's query
    logged = df.lazy().with_columns(
        _log(pl.col(m.name).cast(pl.Float64)).alias(f"{m.name}\x00log") for m in valued
    )
    if valued:
        logged = logged.collect().lazy()
    for dim in dimensions:
        # grouped on the column as it is, its few keys turned to text after: casting a million
        # numbers to text first costs more than the whole aggregation
        key, named = pl.col(dim).alias(KEY), pl.col(KEY).cast(pl.String)
        queries.append(logged.filter(pl.col(dim).is_not_null()).group_by(key).agg(aggs).with_columns(named))
        queries.append(
            sample.lazy().filter(pl.col(dim).is_not_null()).group_by(key).agg(quart).with_columns(named)
        )
    frames = pl.collect_all(queries)
    out = []
    for i, dim in enumerate(dimensions):
        table = frames[2 * i].join(frames[2 * i + 1], on=KEY, how="left")
        for m in measures:
            if m.kind == "count":
                t = table.sort([ROWS, KEY], descending=[True, False])
                rows = t[ROWS].to_numpy().astype(float)
                stats = SegmentStats(
                    dim,
                    m,
                    t[KEY].to_list(),
                    rows,
                    np.ones_like(rows),
                    np.zeros_like(rows),
                    rows,
                    rows,
                    {},
                    dim in entities,
                )
            else:
                t = table.filter(pl.col(f"{m.name}\x00count") > 0)
                order = f"{m.name}\x00total" if m.summable else f"{m.name}\x00mean"
                t = t.sort([order, KEY], descending=[True, False])
                box = {k: t[f"{m.name}\x00{k}"].to_list() for k in ("min", "q1", "median", "q3", "max")}
                stats = SegmentStats(
                    dim,
                    m,
                    t[KEY].to_list(),
                    t[f"{m.name}\x00total"].to_numpy(),
                    t[f"{m.name}\x00mean"].to_numpy(),
                    t[f"{m.name}\x00var"].fill_null(0.0).to_numpy(),
                    t[f"{m.name}\x00count"].to_numpy().astype(float),
                    t[ROWS].to_numpy().astype(float),
                    box,
                    dim in entities,
                    t[f"{m.name}\x00lmean"].fill_null(0.0).to_numpy(),
                    t[f"{m.name}\x00lvar"].fill_null(0.0).to_numpy(),
                )
            if len(stats.names) >= 2:
                out.append(stats)
    return out


def _log(v: pl.Expr) -> pl.Expr:
    """log(1 + v) where v is not negative: the scale on which a skewed amount's groups are compared."""
    return pl.when(v >= 0).then(v.log1p())
