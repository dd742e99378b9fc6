"""Per-category aggregates of measures, the input of the segment detectors.

Totals, means, variances and counts come from every row, one parallel pass
per dimension; what is drawn (box-plot quartiles and extremes) and the log-scale
moments that check a skewed measure's outliers come from a systematic sample of
long tables (every row up to twice its size).
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
    log_count: np.ndarray | None = None  # the rows the log moments were read on (a sample of long tables)
    signed: bool = False  # the measure takes negative values somewhere in the table

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
    valued = [m for m in measures if m.kind != "count"]
    # each measure's mean and minimum over all rows: sums of squares are taken about the mean (so
    # variances keep their precision), and logs only of measures that are never negative
    centre = (
        df.select(
            [pl.col(m.name).cast(pl.Float64).mean().alias(f"{m.name}\x00c") for m in valued]
            + [pl.col(m.name).cast(pl.Float64).min().alias(f"{m.name}\x00lo") for m in valued]
        ).row(0, named=True)
        if valued
        else {}
    )
    logs = [m for m in valued if (centre[f"{m.name}\x00lo"] or 0.0) >= 0]
    lc = (
        sample.select(_log(pl.col(m.name).cast(pl.Float64)).mean().alias(m.name) for m in logs).row(
            0, named=True
        )
        if logs
        else {}
    )
    aggs: list[pl.Expr] = [pl.len().alias(ROWS)]
    drawn: list[pl.Expr] = [pl.len().alias(ROWS + "q")]
    for m in valued:
        v = pl.col(m.name).cast(pl.Float64)
        x = v - (centre[f"{m.name}\x00c"] or 0.0)
        aggs += [
            v.sum().alias(f"{m.name}\x00total"),
            (x * x).sum().alias(f"{m.name}\x00sxx"),
            v.count().alias(f"{m.name}\x00count"),
        ]
        drawn += [
            v.min().alias(f"{m.name}\x00min"),
            v.quantile(0.25).alias(f"{m.name}\x00q1"),
            v.median().alias(f"{m.name}\x00median"),
            v.quantile(0.75).alias(f"{m.name}\x00q3"),
            v.max().alias(f"{m.name}\x00max"),
        ]
        if m in logs:
            y = _log(v)
            yc = y - (lc[m.name] or 0.0)
            drawn += [
                y.sum().alias(f"{m.name}\x00sy"),
                (yc * yc).sum().alias(f"{m.name}\x00syy"),
                y.count().alias(f"{m.name}\x00ny"),
            ]
    queries = []
    for dim in dimensions:
        # grouped on the column as it is, its few keys turned to text after: casting a million
        # numbers to text first costs more than the whole aggregation; the missing key's group is
        # dropped after too (filtering first copies every column the query reads)
        key, named = pl.col(dim).alias(KEY), pl.col(KEY).cast(pl.String)
        for frame, exprs in ((df, aggs), (sample, drawn)):
            queries.append(
                frame.lazy().group_by(key).agg(exprs).filter(pl.col(KEY).is_not_null()).with_columns(named)
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
                n = pl.col(f"{m.name}\x00count")
                t = table.filter(n > 0).with_columns((pl.col(f"{m.name}\x00total") / n).alias("\x00mean"))
                t = t.sort(
                    [f"{m.name}\x00total" if m.summable else "\x00mean", KEY], descending=[True, False]
                )
                box = {k: t[f"{m.name}\x00{k}"].to_list() for k in ("min", "q1", "median", "q3", "max")}
                count = t[f"{m.name}\x00count"].to_numpy().astype(float)
                total = t[f"{m.name}\x00total"].to_numpy()
                mean = t["\x00mean"].to_numpy()
                var = _variance(count, total, t[f"{m.name}\x00sxx"], centre[f"{m.name}\x00c"])
                log_mean = log_var = log_count = None
                if m in logs:  # on the rows drawn: a test of the log scale, the caution for skewed amounts
                    log_count = t[f"{m.name}\x00ny"].fill_null(0).to_numpy().astype(float)
                    log_sum = t[f"{m.name}\x00sy"].fill_null(0.0).to_numpy()
                    with np.errstate(divide="ignore", invalid="ignore"):
                        log_mean = np.where(log_count > 0, log_sum / log_count, 0.0)
                    log_var = _variance(log_count, log_sum, t[f"{m.name}\x00syy"], lc[m.name])
                stats = SegmentStats(
                    dim,
                    m,
                    t[KEY].to_list(),
                    total,
                    mean,
                    var,
                    count,
                    t[ROWS].to_numpy().astype(float),
                    box,
                    dim in entities,
                    log_mean,
                    log_var,
                    log_count,
                    (centre[f"{m.name}\x00lo"] or 0.0) < 0,
                )
            if len(stats.names) >= 2:
                out.append(stats)
    return out


def _variance(n: np.ndarray, total: np.ndarray, sxx: pl.Series, centre: float | None) -> np.ndarray:
    """Sample variances (0 for a single value) from each group's count, sum and sum of squares about
    `centre`, a value near every group's mean (which keeps the subtraction precise)."""
    xx, c = sxx.fill_null(0.0).to_numpy(), centre or 0.0
    x = total - c * n  # the sum about the centre
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(n > 1, (xx - x * x / np.maximum(n, 1)) / (n - 1), 0.0)
    return np.maximum(var, 0.0)


def _log(v: pl.Expr) -> pl.Expr:
    """log(1 + v) where v is not negative: the scale on which a skewed amount's groups are compared."""
    return pl.when(v >= 0).then(v.log1p())
