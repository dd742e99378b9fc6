"""Per-category aggregates of measures, the input of the segment detectors.

Totals, means, variances, counts and extremes come from every row, one
parallel pass per dimension; box-plot quartiles come from a systematic sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

KEY = "\x00key"  # the category column's internal name: cannot clash with a measure


@dataclass
class SegmentStats:
    """Per-category aggregates of one measure, sorted by total descending."""

    dimension: str
    measure: str
    agg: str
    names: list[str]
    total: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    count: np.ndarray
    box: dict[str, list[float]]


def segment_stats(
    df: pl.DataFrame, sample: pl.DataFrame, dimensions: list[str], measures: list[tuple[str, str]]
) -> list[SegmentStats]:
    """Aggregate each (measure, agg) per category of each dimension; box quartiles come from `sample`.

    All dimensions are aggregated in one parallel `collect_all`, one pass each.
    """
    if not dimensions or not measures:
        return []
    aggs, quart = [], []
    for m, _ in measures:
        v = pl.col(m).cast(pl.Float64)
        aggs += [
            v.sum().alias(f"{m}\x00total"),
            v.mean().alias(f"{m}\x00mean"),
            v.var().alias(f"{m}\x00var"),
            v.count().alias(f"{m}\x00count"),
            v.min().alias(f"{m}\x00min"),
            v.max().alias(f"{m}\x00max"),
        ]
        quart += [
            v.quantile(0.25).alias(f"{m}\x00q1"),
            v.median().alias(f"{m}\x00median"),
            v.quantile(0.75).alias(f"{m}\x00q3"),
        ]
    queries = []
    for dim in dimensions:
        key = pl.col(dim).cast(pl.String).alias(KEY)
        queries.append(df.lazy().filter(pl.col(dim).is_not_null()).group_by(key).agg(aggs))
        queries.append(sample.lazy().filter(pl.col(dim).is_not_null()).group_by(key).agg(quart))
    frames = pl.collect_all(queries)
    out = []
    for i, dim in enumerate(dimensions):
        table = frames[2 * i].join(frames[2 * i + 1], on=KEY, how="left")
        for m, agg in measures:
            t = table.filter(pl.col(f"{m}\x00count") > 0).sort(f"{m}\x00total", descending=True)
            if t.height < 2:
                continue
            box = {k: t[f"{m}\x00{k}"].to_list() for k in ("min", "q1", "median", "q3", "max")}
            out.append(
                SegmentStats(
                    dim,
                    m,
                    agg,
                    t[KEY].to_list(),
                    t[f"{m}\x00total"].to_numpy(),
                    t[f"{m}\x00mean"].to_numpy(),
                    t[f"{m}\x00var"].fill_null(0.0).to_numpy(),
                    t[f"{m}\x00count"].to_numpy(),
                    box,
                )
            )
    return out
