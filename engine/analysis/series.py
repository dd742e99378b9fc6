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


def choose_grain(dates: pl.Series) -> str | None:
    """The finest grain with few empty periods; None when there are under 3 distinct dates."""
    days = dates.drop_nulls().cast(pl.Date)
    if days.n_unique() < 3:
        return None
    lo, hi = days.min(), days.max()
    span = (hi - lo).days + 1  # type: ignore[operator]
    for grain, (every, length) in GRAINS.items():
        periods = span / length
        if periods > MAX_PERIODS:
            continue
        filled = days.dt.truncate(every).n_unique() / max(1.0, np.ceil(periods))
        if filled >= 0.8:
            return grain
    return "month"


def coarser(grain: str) -> str | None:
    """The next grain up, for period-over-period comparisons."""
    return {"day": "week", "week": "month"}.get(grain)


def build_series(df: pl.DataFrame, time: str, measure: str, agg: str, grain: str) -> TimeSeries | None:
    """The measure per period, with empty periods filled (sums) or skipped (means)."""
    every = GRAINS[grain][0]
    day = pl.col(time).cast(pl.Date)
    value = pl.col(measure).cast(pl.Float64)
    grouped = (
        df.lazy()
        .filter(pl.col(time).is_not_null())
        .group_by(day.dt.truncate(every).alias("period"))
        .agg(
            (value.sum() if agg == "sum" else value.mean()).alias("y"),
            value.count().alias("n"),
            day.n_unique().alias("days"),
        )
        .sort("period")
        .collect()
    )
    if grouped.height < 3:
        return None
    full = pl.DataFrame({"period": pl.date_range(grouped["period"][0], grouped["period"][-1], every, eager=True)})
    joined = full.join(grouped, on="period", how="left")
    if agg == "sum":
        joined = joined.with_columns(pl.col("y").fill_null(0.0), pl.col("n").fill_null(0), pl.col("days").fill_null(0))
    else:
        joined = joined.filter(pl.col("y").is_not_null())
    joined, dropped = _drop_partial(joined, grain)
    if joined.height < 3:
        return None
    return TimeSeries(
        measure, agg, grain, joined["period"].to_list(), joined["y"].to_numpy().astype(float),
        joined["n"].to_numpy(), dropped,
    )  # fmt: skip


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


def period_label(start: dt.date, grain: str) -> str:
    """`2024-03` for months, `week of 2024-03-04` for weeks, the date for days."""
    if grain == "month":
        return start.strftime("%b %Y")
    if grain == "week":
        return f"week of {start.isoformat()}"
    return start.isoformat()
