"""Aggregate a measure over time into a regular series, at the table's true grain or coarser.

One pass over the rows builds a cube of per-time-point sums and counts of
every measure (a time point is a day, or the native period of coarser data);
every series comes from the cube. The grain is the finest one, never finer than
the data's own, at which at least 80% of periods hold data and there are at
most 400 periods, so sparse logs are not read as long runs of zeros. A
trailing (or leading) period covering much less time than the others is
dropped, so a half-finished month never looks like a slump.

How a measure becomes one number per period follows its kind: counts and
flows are summed; intensive levels and durations are averaged over rows;
extensive levels (population, headcount) are summed across the entities of a
time point and averaged over the time points of the period, never summed over
time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.analysis.semantics.model import GRAIN_ORDER, TIME, Measure

GRAINS = {
    "day": ("1d", 1.0),
    "week": ("1w", 7.0),
    "month": ("1mo", 30.44),
    "quarter": ("1q", 91.31),
    "year": ("1y", 365.25),
}
MAX_PERIODS = 800
MIN_FILLED = 0.8
PARTIAL_SHARE = 0.6  # a first or last period holding less than this share of a typical one is partial
SHORT_LAST_HISTORY = 5  # periods the last one is compared with at the data's own grain
SHORT_LAST_MIN_ROWS = 5  # ...when they hold this many rows or more (a handful varies by chance)


@dataclass
class TimeSeries:
    """One measure aggregated per period; `y` has no gaps for sums (empty periods are 0)."""

    measure: str
    agg: str  # "sum" | "mean" | "count"
    kind: str  # count | flow | level | duration
    grain: str  # day | week | month | quarter | year
    x: list[dt.date]
    y: np.ndarray
    counts: np.ndarray  # rows per period
    dropped_partial: list[str]
    spread: np.ndarray | None = None  # a mean's within-period variance of the rows behind it (else None)

    def __len__(self) -> int:
        return len(self.x)

    @property
    def positive(self) -> bool:
        """Whether every value is above zero (a log scale applies)."""
        return bool(len(self.y) and (self.y > 0).all())


@dataclass
class Cube:
    """Per-time-point sums and counts of every measure (one pass over the rows)."""

    native: str  # the data's own grain
    frame: pl.DataFrame  # point, rows, "<measure>\x00sum", "<measure>\x00n"


def cube(frame: pl.DataFrame, measures: list[Measure], native: str, where: pl.Expr | None = None) -> Cube:
    """Aggregate the measures per time point (rows without a time are left out)."""
    return Cube(native, cube_query(frame.lazy(), measures, where).collect())


def cube_query(lf: pl.LazyFrame, measures: list[Measure], where: pl.Expr | None = None) -> pl.LazyFrame:
    """The lazy query behind `cube` (so several cubes can be collected in one parallel pass)."""
    aggs = [pl.len().alias("rows")]
    for m in measures:
        if m.kind == "count":
            continue
        value = pl.col(m.name).cast(pl.Float64)
        aggs += [value.sum().alias(f"{m.name}\x00sum"), value.count().alias(f"{m.name}\x00n")]
        if m.agg == "mean":  # how far a period's mean can move by chance: its rows' spread
            aggs.append((value * value).sum().alias(f"{m.name}\x00sq"))
    # rows without a time form one group, dropped after (filtering first copies every column read)
    rows = lf if where is None else lf.filter(where)
    point = pl.col(TIME).cast(pl.Date).alias("point")
    return rows.group_by(point).agg(aggs).filter(pl.col("point").is_not_null()).sort("point")


def span_days(c: Cube) -> int:
    points: list[dt.date] = c.frame["point"].to_list()
    return (points[-1] - points[0]).days + 1 if points else 0


def dense_days(c: Cube) -> bool:
    """Whether at least 80% of calendar days in the range hold data."""
    return c.native in ("hour", "day") and c.frame.height >= MIN_FILLED * span_days(c)


def choose_grain(c: Cube) -> str | None:
    """The finest grain (never finer than the data's) with few empty periods; None under 3 points."""
    points = c.frame["point"]
    if points.len() < 3:
        return None
    span = span_days(c)
    native = "day" if c.native == "hour" else c.native
    for grain in GRAIN_ORDER[GRAIN_ORDER.index(native) :]:
        if grain == "hour":
            continue
        every, length = GRAINS[grain]
        periods = max(1.0, np.ceil(span / length))
        if periods > MAX_PERIODS:
            continue
        filled = points.dt.truncate(every).n_unique() / periods
        if filled >= MIN_FILLED:
            return grain
    return "year" if span / GRAINS["year"][1] <= MAX_PERIODS else None


def build_series(c: Cube, measure: Measure, grain: str) -> TimeSeries | None:
    """The measure per period, with empty periods filled (sums) or skipped (means)."""
    every = GRAINS[grain][0]
    rows = pl.col("rows").sum()
    if measure.kind == "count":
        y, n = rows.cast(pl.Float64), rows
    else:
        total, n = pl.col(f"{measure.name}\x00sum").sum(), pl.col(f"{measure.name}\x00n").sum()
        if measure.kind == "flow":
            y = total
        elif measure.kind == "level" and measure.additive_across:
            y = total / (pl.col(f"{measure.name}\x00n") > 0).sum()  # sum per time point, mean over points
        else:
            y = total / n
    within = f"{measure.name}\x00sq" in c.frame.columns and measure.kind != "count"
    spread = (
        [((pl.col(f"{measure.name}\x00sq").sum() - total * total / n) / (n - 1)).alias("spread")]
        if within and measure.agg == "mean" and not (measure.kind == "level" and measure.additive_across)
        else []
    )
    grouped = (
        c.frame.lazy()
        .group_by(pl.col("point").dt.truncate(every).alias("period"))
        .agg(y.alias("y"), n.alias("n"), pl.len().alias("points"), *spread)
        .sort("period")
        .collect()
    )
    if grouped.height < 3:
        return None
    full = pl.DataFrame(
        {"period": pl.date_range(grouped["period"][0], grouped["period"][-1], every, eager=True)}
    )
    joined = full.join(grouped, on="period", how="left")
    if measure.kind in ("count", "flow"):
        joined = joined.with_columns(
            pl.col("y").fill_null(0.0), pl.col("n").fill_null(0), pl.col("points").fill_null(0)
        )
    else:
        joined = joined.filter(pl.col("y").is_not_null() & pl.col("y").is_finite())
    joined, dropped = _drop_partial(joined, grain, c.native)
    if joined.height < 3:
        return None
    return TimeSeries(
        measure.name,
        measure.agg,
        measure.kind,
        grain,
        joined["period"].to_list(),
        joined["y"].to_numpy().astype(float),
        joined["n"].to_numpy(),
        dropped,
        joined["spread"].fill_null(np.nan).to_numpy().astype(float) if spread else None,
    )


def _drop_partial(frame: pl.DataFrame, grain: str, native: str) -> tuple[pl.DataFrame, list[str]]:
    if grain == native:
        return _drop_short_last(frame)
    if frame.height < 4:
        return frame, []
    # days of timestamped events are judged by their rows (an export cut at 2 a.m.); longer periods by days
    points = frame["n" if grain == "day" else "points"].to_numpy()
    typical = float(np.median(points[1:-1]))
    dropped = []
    if points[-1] < PARTIAL_SHARE * typical:
        dropped.append(str(frame["period"][-1]))
        frame = frame.head(frame.height - 1)
    if points[0] < PARTIAL_SHARE * typical:
        dropped.append(str(frame["period"][0]))
        frame = frame.tail(frame.height - 1)
    return frame, dropped


def _drop_short_last(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """At the data's own grain a period's coverage cannot be read from its days: a last period with far
    fewer rows than the periods before it (movies of 2005 in a list made that spring) is taken for an
    export cut short, not for a collapse, and left out (it is named in `droppedPartialPeriods`)."""
    if frame.height < SHORT_LAST_HISTORY + 3:
        return frame, []
    rows = frame["n"].to_numpy().astype(float)
    recent = float(np.median(rows[-SHORT_LAST_HISTORY - 1 : -1]))
    if recent >= SHORT_LAST_MIN_ROWS and rows[-1] < PARTIAL_SHARE * recent:
        return frame.head(frame.height - 1), [str(frame["period"][-1])]
    return frame, []


def observed(ts: TimeSeries) -> TimeSeries:
    """The series without periods that hold no rows (gaps in the data, not zero activity)."""
    keep = ts.counts > 0
    if keep.all():
        return ts
    x = [d for d, k in zip(ts.x, keep, strict=True) if k]
    return TimeSeries(
        ts.measure,
        ts.agg,
        ts.kind,
        ts.grain,
        x,
        ts.y[keep],
        ts.counts[keep],
        ts.dropped_partial,
        ts.spread[keep] if ts.spread is not None else None,
    )


def period_label(start: dt.date, grain: str) -> str:
    """`Mar 2024` for months, `2024 Q1`, `2024`, `week of 2024-03-04`, or the date."""
    if grain == "month":
        return start.strftime("%b %Y")
    if grain == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if grain == "year":
        return str(start.year)
    if grain == "week":
        return f"week of {start.isoformat()}"
    return start.isoformat()


def span_years(ts: TimeSeries) -> float:
    """How many years the series covers."""
    return ((ts.x[-1] - ts.x[0]).days + GRAINS[ts.grain][1]) / 365.25 if len(ts) else 0.0
