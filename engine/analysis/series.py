"""Aggregate a measure over time into a regular series (day, week or month).

The grain is the finest one at which at least 80% of periods hold data and
there are at most 400 periods, so sparse logs are not read as long runs of
zeros. A trailing (or leading) period covering much less time than the others
is dropped, so a half-finished week never looks like a slump.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

GRAINS = {"day": ("1d", 1), "week": ("1w", 7), "month": ("1mo", 30.44)}
MAX_PERIODS = 400


@dataclass
class TimeSeries:
    """One measure aggregated per period; `y` has no gaps for sums (empty periods are 0)."""

    measure: str
    agg: str  # "sum" | "mean"
    grain: str  # "day" | "week" | "month"
    x: list[dt.date]
    y: np.ndarray
    counts: np.ndarray
    dropped_partial: list[str]

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class DailyCube:
    """Per-day sums and counts of every measure: one pass over the rows, then all series come from it."""

    time: str
    frame: pl.DataFrame  # day, rows, and "<measure>\x00sum", "<measure>\x00n" per measure


def daily_cube(df: pl.DataFrame, time: str, measures: list[str]) -> DailyCube:
    """Aggregate the measures per calendar day (rows without a date are left out)."""
    aggs = [pl.len().alias("rows")]
    for m in measures:
        value = pl.col(m).cast(pl.Float64)
        aggs += [value.sum().alias(f"{m}\x00sum"), value.count().alias(f"{m}\x00n")]
    frame = (
        df.lazy()
        .filter(pl.col(time).is_not_null())
        .group_by(pl.col(time).cast(pl.Date).alias("day"))
        .agg(aggs)
        .sort("day")
        .collect()
    )
    return DailyCube(time, frame)


def dense_days(cube: DailyCube) -> bool:
    """Whether at least 80% of calendar days in the range hold data."""
    return cube.frame.height >= 0.8 * _span_days(cube)


def _span_days(cube: DailyCube) -> int:
    days: list[dt.date] = cube.frame["day"].to_list()
    return (days[-1] - days[0]).days + 1 if days else 0


def choose_grain(cube: DailyCube) -> str | None:
    """The finest grain with few empty periods; None when there are under 3 distinct dates."""
    days = cube.frame["day"]
    if days.len() < 3:
        return None
    span = _span_days(cube)
    for grain, (every, length) in GRAINS.items():
        periods = span / length
        if periods > MAX_PERIODS:
            continue
        filled = days.dt.truncate(every).n_unique() / max(1.0, np.ceil(periods))
        if filled >= 0.8:
            return grain
    return "month"


def build_series(cube: DailyCube, measure: str, agg: str, grain: str) -> TimeSeries | None:
    """The measure per period, with empty periods filled (sums) or skipped (means)."""
    every = GRAINS[grain][0]
    total, count = pl.col(f"{measure}\x00sum").sum(), pl.col(f"{measure}\x00n").sum()
    grouped = (
        cube.frame.lazy()
        .group_by(pl.col("day").dt.truncate(every).alias("period"))
        .agg((total if agg == "sum" else total / count).alias("y"), count.alias("n"), pl.len().alias("days"))
        .sort("period")
        .collect()
    )
    if grouped.height < 3:
        return None
    full = pl.DataFrame(
        {"period": pl.date_range(grouped["period"][0], grouped["period"][-1], every, eager=True)}
    )
    joined = full.join(grouped, on="period", how="left")
    if agg == "sum":
        joined = joined.with_columns(
            pl.col("y").fill_null(0.0), pl.col("n").fill_null(0), pl.col("days").fill_null(0)
        )
    else:
        joined = joined.filter(pl.col("y").is_not_null())
    joined, dropped = _drop_partial(joined, grain)
    if joined.height < 3:
        return None
    return TimeSeries(
        measure,
        agg,
        grain,
        joined["period"].to_list(),
        joined["y"].to_numpy().astype(float),
        joined["n"].to_numpy(),
        dropped,
    )


def _drop_partial(frame: pl.DataFrame, grain: str) -> tuple[pl.DataFrame, list[str]]:
    if grain == "day" or frame.height < 4:
        return frame, []
    days = frame["days"].to_numpy()
    typical = float(np.median(days[1:-1])) if frame.height > 2 else float(days.max())
    dropped = []
    if days[-1] < 0.6 * typical:
        dropped.append(str(frame["period"][-1]))
        frame = frame.head(frame.height - 1)
    if days[0] < 0.6 * typical:
        dropped.append(str(frame["period"][0]))
        frame = frame.tail(frame.height - 1)
    return frame, dropped


def observed(ts: TimeSeries) -> TimeSeries:
    """The series without periods that hold no rows (gaps in the data, not zero activity)."""
    keep = ts.counts > 0
    if keep.all():
        return ts
    x = [d for d, k in zip(ts.x, keep, strict=True) if k]
    return TimeSeries(ts.measure, ts.agg, ts.grain, x, ts.y[keep], ts.counts[keep], ts.dropped_partial)


def period_label(start: dt.date, grain: str) -> str:
    """`2024-03` for months, `week of 2024-03-04` for weeks, the date for days."""
    if grain == "month":
        return start.strftime("%b %Y")
    if grain == "week":
        return f"week of {start.isoformat()}"
    return start.isoformat()
