"""The seasonal cycle of a series, tested at the cycle the data can show, and taken out before trends.

- Weekly cycle: daily data with at least two full weeks (weekday effect).
- Yearly cycle: monthly or quarterly data with two full years or more; daily or
  weekly data covering two years or more, read through its monthly means (so
  day-to-day correlation cannot inflate the test).

Each cycle is tested with a one-way ANOVA of de-trended values by position
in the cycle. When a cycle is significant its effect is subtracted before
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
from engine.analysis.stats import f_oneway

MIN_AMPLITUDE = 0.1  # cycle range relative to the level ...
MIN_SHARE = 0.5  # ... or most of the de-trended variance (levels far from zero: CO₂ ppm) ...
MIN_VISIBLE = 0.01  # ... and still at least 1% of the level
SIGNIFICANT = 0.01


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
    detrended = y - _trend_line(y, period)
    groups = [detrended[pos == k] for k in range(period)]
    if any(len(g) < 2 for g in groups):
        return None
    p = f_oneway(groups)
    effect = np.array([g.mean() for g in groups])
    effect -= effect.mean()
    means = np.array([y[pos == k].mean() for k in range(period)])
    level = float(np.mean(np.abs(y))) or 1.0
    amplitude = float((effect.max() - effect.min()) / level)
    total = float(np.sum((detrended - detrended.mean()) ** 2)) or 1.0
    share = float(np.sum(effect[pos] ** 2)) / total
    return Cycle(name, list(labels), means, effect, p, amplitude, cycles, pos, basis, share)


def _trend_line(y: np.ndarray, period: int) -> np.ndarray:
    """The trend under the cycle: a centred moving average of one full cycle (a line at the ends).

    A straight line would leave an accelerating trend's curvature in the
    residuals and hide the cycle in it.
    """
    n = len(y)
    t = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(t, y, 1)
    line = intercept + slope * t
    if n < 2 * period + 1:
        return line
    weights = np.ones(period + 1) if period % 2 == 0 else np.ones(period)
    if period % 2 == 0:
        weights[0] = weights[-1] = 0.5  # the 2×m moving average for an even cycle
    weights /= weights.sum()
    half = len(weights) // 2
    smooth = np.convolve(y, weights, mode="valid")
    out = line.copy()
    out[half : half + len(smooth)] = smooth
    out[:half] += smooth[0] - line[half]  # ends: the line, shifted to meet the average
    out[half + len(smooth) :] += smooth[-1] - line[half + len(smooth) - 1]
    return out


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


def _rss(design: np.ndarray, y: np.ndarray) -> float:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.sum((y - design @ coef) ** 2))
