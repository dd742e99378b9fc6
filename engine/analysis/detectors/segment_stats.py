"""Per-category aggregates of measures, the input of the segment detectors.

Totals, means, variances and counts come from every row, in one pass for the
dimensions with few categories (the cells of their cube, summed per dimension)
and one per dimension for the others; what is drawn (box-plot quartiles and extremes) and the log-scale
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
CUBE_CELLS = 20_000  # dimensions grouped together while their cube has at most this many cells


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
        # a group-by count of values is three times the cost of a sum: a column without gaps
        # has a value on every row of its group, and the group's size is its count
        count = pl.len() if df[m.name].null_count() == 0 else v.count()
        aggs += [
            v.sum().alias(f"{m.name}\x00total"),
            (x * x).sum().alias(f"{m.name}\x00sxx"),
            count.alias(f"{m.name}\x00count"),
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
    frames = pl.collect_all(_queries(df, sample, dimensions, aggs, drawn))
    out = []
    for i, dim in enumerate(dimensions):
        table = frames[2 * i].join(frames[2 * i + 1], on=KEY, how="left")
        keys = np.array(table[KEY].to_list(), dtype=object)
        rows = table[ROWS].to_numpy().astype(float)
        for m in measures:
            if m.kind == "count":
                order = _ranked(rows, keys)
                r = rows[order]  # a count: its total is the rows, each row one
                ones, zeros = np.ones_like(r), np.zeros_like(r)
                stats = SegmentStats(dim, m, keys[order].tolist(), r, ones, zeros, r, r, {}, dim in entities)
            else:
                stats = _measure_stats(table, dim, m, keys, rows, centre, lc, m in logs, dim in entities)
            if len(stats.names) >= 2:
                out.append(stats)
    return out


def _ranked(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Row order: largest value first, ties by key (as polars' sort on [value desc, key asc])."""
    return np.lexsort((keys.astype(str), -values))


def _measure_stats(
    table: pl.DataFrame,
    dim: str,
    m: Measure,
    keys: np.ndarray,
    rows: np.ndarray,
    centre: dict[str, float | None],
    lc: dict[str, float | None],
    logged: bool,
    entity: bool,
) -> SegmentStats:
    """One measure's aggregates by category, read from the dimension's table with numpy."""
    col = {k: _numbers(table[f"{m.name}\x00{k}"]) for k in ("count", "total", "sxx")}
    count, total = col["count"], col["total"]
    present = count > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(present, total / np.maximum(count, 1), 0.0)
    idx = np.flatnonzero(present)
    order = idx[_ranked((total if m.summable else mean)[idx], keys[idx])]
    picked = pl.Series(order, dtype=pl.UInt32)
    box = {
        k: table[f"{m.name}\x00{k}"].gather(picked).to_list() for k in ("min", "q1", "median", "q3", "max")
    }
    count, total, mean = count[order], total[order], mean[order]
    var = _variance(count, total, col["sxx"][order], centre[f"{m.name}\x00c"])
    log_mean = log_var = log_count = None
    if logged:  # on the rows drawn: a test of the log scale, the caution for skewed amounts
        log_count, log_sum, syy = (_numbers(table[f"{m.name}\x00{k}"])[order] for k in ("ny", "sy", "syy"))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_mean = np.where(log_count > 0, log_sum / log_count, 0.0)
        log_var = _variance(log_count, log_sum, syy, lc[m.name])
    return SegmentStats(
        dim,
        m,
        keys[order].tolist(),
        total,
        mean,
        var,
        count,
        rows[order],
        box,
        entity,
        log_mean,
        log_var,
        log_count,
        (centre[f"{m.name}\x00lo"] or 0.0) < 0,
    )


def _numbers(s: pl.Series) -> np.ndarray:
    """A column of figures as floats, missing ones (a category absent from the sample) as 0."""
    return np.nan_to_num(s.to_numpy().astype(float), nan=0.0)


def _variance(n: np.ndarray, total: np.ndarray, xx: np.ndarray, centre: float | None) -> np.ndarray:
    """Sample variances (0 for a single value) from each group's count, sum and sum of squares about
    `centre`, a value near every group's mean (which keeps the subtraction precise)."""
    c = centre or 0.0
    x = total - c * n  # the sum about the centre
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(n > 1, (xx - x * x / np.maximum(n, 1)) / (n - 1), 0.0)
    return np.maximum(var, 0.0)


def _queries(
    df: pl.DataFrame, sample: pl.DataFrame, dimensions: list[str], aggs: list[pl.Expr], drawn: list[pl.Expr]
) -> list[pl.LazyFrame]:
    """Two queries per dimension: the full rows' sums and counts, the sample's drawn figures.

    Every full-row figure is a sum (of rows, values, squares about the mean), so the
    dimensions with few categories are grouped together once, into the cells of
    their cube, and each dimension's figures are the sums of its cells: one pass
    over a million rows instead of one per dimension. Keys are grouped as they are
    and turned to text after (casting a million numbers to text costs more than the
    aggregation); the missing key's group is dropped after too.
    """
    sizes = {d: max(1, sample[d].n_unique()) for d in dimensions}
    cube, cells = [], 1
    for d in sorted(dimensions, key=lambda d: sizes[d]):
        if cells * sizes[d] <= CUBE_CELLS:
            cube.append(d)
            cells *= sizes[d]
    cube = cube if len(cube) >= 2 else []
    shared = df.lazy().group_by(cube).agg(aggs).cache() if cube else None
    sums = [pl.col(e.meta.output_name()).sum() for e in aggs]
    queries = []
    for dim in dimensions:
        key, named = pl.col(dim).alias(KEY), pl.col(KEY).cast(pl.String)
        full = (
            shared.group_by(key).agg(sums)
            if shared is not None and dim in cube
            else df.lazy().group_by(key).agg(aggs)
        )
        for query in (full, sample.lazy().group_by(key).agg(drawn)):
            queries.append(query.filter(pl.col(KEY).is_not_null()).with_columns(named))
    return queries


def _log(v: pl.Expr) -> pl.Expr:
    """log(1 + v) where v is not negative: the scale on which a skewed amount's groups are compared."""
    return pl.when(v >= 0).then(v.log1p())
