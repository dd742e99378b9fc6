"""The seasonal cycle of a series, tested at the cycle the data can show, and taken out before trends.

- Weekly cycle: daily data with at least two full weeks (weekday effect).
- Yearly cycle: monthly or quarterly data with two full years or more; daily or
  weekly data covering two years or more, read through its monthly means (so
  day-to-day correlation cannot inflate the test).

Each cycle is tested by an F-test of its positions' effects fitted together
with a smooth trend. When a cycle is significant its effect is subtracted before
trends, change points, anomalies and period changes are judged, so a cycle is
never reported as a shift or a trend. Series covering between about 7 months
and 2 years cannot separate a yearly cycle from a trend; for them `one_wave`
fits one yearly wave, so that a trend or a step is only reported when it
explains the data better than the season would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from engine.analysis.series import TimeSeries, span_years
from engine.analysis.stats import f_sf

MIN_AMPLITUDE = 0.1  # cycle range relative to the level ...
MIN_SHARE = 0.5  # ... or most of the de-trended variance (levels far from zero: CO₂ ppm) ...
MIN_VISIBLE = 0.01  # ... and still at least 1% of the level
SIGNIFICANT = 0.01
HALF_CYCLE_R2 = 0.15  # a yearly wave explaining this much more than a line: a season, not a trend


@dataclass
class Cycle:
    """One tested cycle: its positions' mean effects and the test."""

    name: str  # weekly | yearly
    labels: list[str]
    means: np.ndarray  # mean value per position (for the chart)
    effect: np.ndarray  # de-trended effect per position (what is subtracted)
    p_value: float
    amplitude: float  # (max - min) of the position means / level
    cycles: float
    positions: np.ndarray  # the position of every point of the series
    basis: str  # "days" | "months" | "quarters"
    share: float = 0.0  # share of the de-trended variance the cycle explains

    @property
    def large(self) -> bool:
        """Big enough to matter: a tenth of the level, or most of what moves around the trend."""
        return self.amplitude >= MIN_AMPLITUDE or (self.share >= MIN_SHARE and self.amplitude >= MIN_VISIBLE)


@dataclass
class Seasonal:
    """The series with its significant cycles and the de-seasonalised values."""

    ts: TimeSeries
    cycles: list[Cycle]
    adjusted: np.ndarray

    @property
    def significant(self) -> list[Cycle]:
        return [c for c in self.cycles if c.p_value < SIGNIFICANT and c.large]


_WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def seasonal(ts: TimeSeries) -> Seasonal:
    """Test the cycles this series can show and take the significant ones out."""
    cycles = [c for c in (_weekly(ts), _yearly(ts)) if c is not None]
    adjusted = ts.y.astype(float).copy()
    out = Seasonal(ts, cycles, adjusted)
    for c in out.significant:
        adjusted -= c.effect[c.positions]
    return out


def _weekly(ts: TimeSeries) -> Cycle | None:
    if ts.grain != "day" or len(ts) < 21:
        return None
    pos = np.array([d.weekday() for d in ts.x])
    return _anova_cycle("weekly", _WEEKDAYS, ts.y, pos, 7, len(ts) / 7, "days")


def _yearly(ts: TimeSeries) -> Cycle | None:
    if ts.grain in ("month", "quarter"):
        period, labels = (12, _MONTHS) if ts.grain == "month" else (4, _QUARTERS)
        if len(ts) < 2 * period + period // 2:
            return None
        pos = np.array([(d.month - 1) if period == 12 else (d.month - 1) // 3 for d in ts.x])
        return _anova_cycle("yearly", labels, ts.y, pos, period, len(ts) / period, ts.grain + "s")
    if ts.grain not in ("day", "week") or span_years(ts) < 2.0:
        return None
    months, values = _monthly_means(ts)
    if len(values) < 24:
        return None
    mpos = np.array([m.month - 1 for m in months])
    cycle = _anova_cycle("yearly", _MONTHS, values, mpos, 12, len(values) / 12, "months")
    if cycle is None:
        return None
    cycle.positions = np.array([d.month - 1 for d in ts.x])
    return cycle


def _monthly_means(ts: TimeSeries) -> tuple[list[dt.date], np.ndarray]:
    keys = [dt.date(d.year, d.month, 1) for d in ts.x]
    months = sorted(set(keys))
    index = {m: i for i, m in enumerate(months)}
    sums, counts = np.zeros(len(months)), np.zeros(len(months))
    for k, v in zip(keys, ts.y, strict=True):
        sums[index[k]] += v
        counts[index[k]] += 1
    keep = counts >= (20 if ts.grain == "day" else 3)  # full months only
    return [m for m, k in zip(months, keep, strict=True) if k], sums[keep] / counts[keep]


def _anova_cycle(
    name: str, labels: tuple[str, ...], y: np.ndarray, pos: np.ndarray, period: int, cycles: float, basis: str
) -> Cycle | None:
    """Test the cycle as one block of position effects on top of a smooth trend (a nested F-test).

    Trend and cycle are fitted together by least squares, so the test holds its
    level on a patternless series; subtracting a moving average first and then
    testing the positions does not (on white noise it reports a weekly cycle at
    p < 0.01 three times as often as it should).
    """
    n = len(y)
    if any(int(np.sum(pos == k)) < 2 for k in range(period)):
        return None
    trend = _trend_basis(n, period)
    dummies = np.column_stack([(pos == k).astype(float) for k in range(1, period)])
    full = np.column_stack([trend, dummies])
    if n <= full.shape[1] + 2:
        return None
    rss_trend, _ = _fit(trend, y)
    rss_full, coef = _fit(full, y)
    d1, d2 = period - 1, n - full.shape[1]
    p = f_sf(((rss_trend - rss_full) / d1) / (rss_full / d2), d1, d2) if rss_full > 0 else 0.0
    effect = np.concatenate([[0.0], coef[trend.shape[1] :]])
    effect -= effect.mean()
    means = np.array([y[pos == k].mean() for k in range(period)])
    level = float(np.mean(np.abs(y))) or 1.0
    amplitude = float((effect.max() - effect.min()) / level)
    share = float((rss_trend - rss_full) / rss_trend) if rss_trend > 0 else 0.0
    return Cycle(name, list(labels), means, effect, p, amplitude, cycles, pos, basis, share)


def _trend_basis(n: int, period: int) -> np.ndarray:
    """A smooth trend: a cubic, plus a bend every three cycles on long series.

    Flexible enough for an accelerating or wandering level, too stiff to take
    up the cycle itself.
    """
    t = np.linspace(-1.0, 1.0, n)
    columns = [np.ones(n), t, t**2, t**3]
    knots = min(n // (3 * period), 12)
    for k in range(1, knots):
        at = -1.0 + 2.0 * k / knots
        columns.append(np.maximum(0.0, t - at) ** 3)
    return np.column_stack(columns)


def _fit(design: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.sum((y - design @ coef) ** 2)), coef


def one_wave(ts: TimeSeries, y: np.ndarray) -> tuple[float, float] | None:
    """(RSS of a line, RSS of a line plus one yearly wave), or None when the span does not call for it.

    A series of 7 months to 2 years of a seasonal quantity (temperature over
    one year) rises and falls once; a step or a trend fitted to it would read
    the season as a shift. Callers compare these fits with their own.
    """
    years = span_years(ts)
    if ts.grain not in ("day", "week", "month") or not 0.55 <= years < 2.0 or len(y) < 8:
        return None
    days = np.array([(d - ts.x[0]).days for d in ts.x], dtype=float)
    angle = 2 * np.pi * days / 365.25
    line = np.column_stack([np.ones_like(days), days])
    wave = np.column_stack([line, np.sin(angle), np.cos(angle)])
    return _rss(line, y), _rss(wave, y)


def seasonal_hump(ts: TimeSeries, y: np.ndarray) -> bool:
    """Whether one yearly wave explains far more than the line does (a season, not a trend)."""
    fits = one_wave(ts, y)
    if fits is None:
        return False
    line, wave = fits
    total = float(np.sum((y - y.mean()) ** 2)) or 1.0
    return (line - wave) / total >= HALF_CYCLE_R2 and _best_step(y) > wave


def _best_step(y: np.ndarray) -> float:
    """RSS of a line plus the best single step: a store whose sales fell by 40% in March is a shift,
    though over two years one wave can bend to it too."""
    n = len(y)
    t = np.arange(n, dtype=float)
    best = np.inf
    for k in range(3, n - 2):
        design = np.column_stack([np.ones(n), t, (t >= k).astype(float)])
        best = min(best, _rss(design, y))
    return float(best)


def _rss(design: np.ndarray, y: np.ndarray) -> float:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.sum((y - design @ coef) ** 2))
