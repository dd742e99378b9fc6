"""Cycles longer than a year in yearly data: sunspot-like activity, population booms, business cycles.

A yearly series has no calendar to average by, so its cycle is found in its
spectrum: the series is de-trended (a cubic), and each Fourier frequency with
at least `MIN_CYCLES` full cycles in the span (and a period of 3 years or more)
is compared with what red noise would give there. The noise is an AR(1) process
fitted to the residuals, whose spectrum is s²/(1 - 2ρ cos ω + ρ²): a wandering
series (a random walk, a slowly drifting level) has most of its power at low
frequencies without any cycle, and the white-noise test (Fisher's g) would read
that power as one. Under the noise, each periodogram ordinate over its
expected value is exponential(1); the largest of the m tested ones gives
p = 1 - (1 - e^-r)^m. A cycle is reported when p < `MAX_P` and its wave,
refitted at the best fractional period, explains a good share of the
de-trended variance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from engine.analysis.series import TimeSeries
from engine.analysis.stats import lag1

MIN_POINTS = 30
MIN_CYCLES = 5  # a cycle is read only where the series holds at least five of it
MIN_PERIOD = 3.0  # in years: a 2-year see-saw is the noise's business, not a cycle's
MAX_P = 0.001
MIN_SHARE = 0.2  # of the de-trended variance, explained by the wave


@dataclass(frozen=True)
class LongCycle:
    """A cycle of `period` years found in a yearly series."""

    period: float
    p_value: float
    share: float  # of the de-trended variance the wave explains
    amplitude: float  # peak to trough of the wave, relative to the mean level
    peaks: list[dt.date]  # the years the wave peaks in
    cycles: float  # how many of it the series holds


def long_cycle(ts: TimeSeries) -> LongCycle | None:
    """The strongest cycle of 3+ years in a yearly series, if it stands out from red noise."""
    if ts.grain != "year" or len(ts) < MIN_POINTS or bool((ts.counts == 0).any()):
        return None
    y = ts.y.astype(float)
    n = len(y)
    t = np.linspace(-1.0, 1.0, n)
    trend = np.column_stack([np.ones(n), t, t**2, t**3])
    coef, *_ = np.linalg.lstsq(trend, y, rcond=None)
    resid = y - trend @ coef
    variance = float(np.mean(resid**2))
    if variance <= 0:
        return None
    k = np.arange(1, n // 2 + 1)
    tested = k[(k >= MIN_CYCLES) & (n / k >= MIN_PERIOD)]
    if len(tested) < 3:
        return None
    power = np.abs(np.fft.rfft(resid)[tested]) ** 2 / n
    rho = min(max(lag1(resid), -0.5), 0.99)
    omega = 2 * np.pi * tested / n
    expected = variance * (1 - rho**2) / (1 - 2 * rho * np.cos(omega) + rho**2)
    ratio = power / expected
    best = int(np.argmax(ratio))
    p = float(-np.expm1(len(tested) * np.log1p(-np.exp(-ratio[best]))))
    if p >= MAX_P:
        return None
    period, wave = _refine(resid, float(n / tested[best]))
    share = 1.0 - float(np.mean((resid - wave) ** 2)) / variance
    level = float(np.mean(np.abs(y))) or 1.0
    if share < MIN_SHARE:
        return None
    tops = [
        i for i in range(n) if wave[i] == wave[max(0, i - int(period / 2)) : i + int(period / 2) + 1].max()
    ]
    return LongCycle(
        period,
        p,
        share,
        float((wave.max() - wave.min()) / level),
        [ts.x[i] for i in tops if 0 < i < n - 1],
        n / period,
    )


def _refine(resid: np.ndarray, period: float) -> tuple[float, np.ndarray]:
    """The period near `period` (within a Fourier step) whose sine wave fits best, and that wave."""
    n = len(resid)
    t = np.arange(n, dtype=float)
    best: tuple[float, float, np.ndarray] | None = None
    for f in np.linspace(n / period - 0.5, n / period + 0.5, 41):
        if f <= 0:
            continue
        angle = 2 * np.pi * f * t / n
        design = np.column_stack([np.sin(angle), np.cos(angle)])
        coef, *_ = np.linalg.lstsq(design, resid, rcond=None)
        wave = design @ coef
        rss = float(np.sum((resid - wave) ** 2))
        if best is None or rss < best[0]:
            best = (rss, n / f, wave)
    assert best is not None
    return best[1], best[2]
