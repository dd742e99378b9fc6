"""Time-series anomalies and seasonality.

Anomalies: residuals (on a log scale for positive series) from the median of
the three periods on each side, less weekday medians on daily data, scored by
robust z (MAD); a point's p-value uses Student-t tails (5 df) and is
Bonferroni-corrected for the series length. Seasonality: day-of-week on daily data with at least two
full weeks, month-of-year on monthly data with at least two full years; the
seasonal component (value minus a centred moving average of one cycle) is tested
across positions with one-way ANOVA.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from engine.analysis.candidates import Candidate, ChartSpec
from engine.analysis.fmt import fmt_num, fmt_p, fmt_pct, label
from engine.analysis.series import TimeSeries, observed, period_label
from engine.analysis.temporal import line_chart

MIN_ANOMALY_POINTS = 12
ANOMALY_Z = 3.5
TAIL_DF = 5  # Student-t tails: daily sums of skewed values are heavier-tailed than normal
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


def anomalies(ts: TimeSeries, time: str, limit: int = 3) -> list[Candidate]:
    """Single periods far off their neighbours (at most `limit`, largest first)."""
    ts = observed(ts)  # a period without rows is a gap in the data, not an anomaly
    n = len(ts)
    if n < MIN_ANOMALY_POINTS:
        return []
    positive = bool((ts.y > 0).all())
    values = np.log(ts.y) if positive else ts.y  # multiplicative noise: judge ratios, not differences
    resid = values - _neighbour_median(values, 3)
    if ts.grain == "day" and n >= 14:
        weekday = np.array([d.weekday() for d in ts.x])
        for wd in range(7):
            mask = weekday == wd
            if mask.any():
                resid[mask] -= np.median(resid[mask])
    center = float(np.median(resid))
    mad = float(np.median(np.abs(resid - center)))
    if mad == 0:
        return []
    z = 0.6745 * (resid - center) / mad
    out = []
    for i in np.argsort(-np.abs(z))[:limit]:
        if abs(z[i]) < ANOMALY_Z:
            break
        p = min(1.0, float(2 * stats.t.sf(abs(z[i]), df=TAIL_DF)) * n)
        expected = float(np.exp(values[i] - resid[i]) if positive else ts.y[i] - resid[i])
        rel = (ts.y[i] - expected) / abs(expected) if expected else 1.0
        name, when = label(ts.measure), period_label(ts.x[i], ts.grain)
        text = (
            f"{name.capitalize()} was unusually {'high' if z[i] > 0 else 'low'} in {when}: "
            f"{fmt_num(ts.y[i])} "
            f"against about {fmt_num(expected)} expected ({fmt_pct(rel, signed=True)}, "
            f"robust z={z[i]:.1f}, {fmt_p(p)})."
        )
        out.append(
            Candidate(
                "anomaly",
                f"Unusual {name} in {when}",
                text,
                min(1.0, abs(rel) / 0.5),
                p,
                {
                    "columns": [time, ts.measure],
                    "filters": [],
                    "aggregation": f"{ts.agg} of {ts.measure} per {ts.grain}",
                    "aggregates": {
                        "date": str(ts.x[i]),
                        "value": float(ts.y[i]),
                        "expected": expected,
                        "robustZ": float(z[i]),
                        "test": "robust z (MAD) vs neighbours' median, t(5) tail, Bonferroni over periods",
                    },
                },
                ("anomaly", ts.measure, str(ts.x[i])),
                line_chart(
                    ts,
                    f"{name.capitalize()} per {ts.grain}: unusual {ts.grain}",
                    anomalies=[{"x": ts.x[i], "y": float(ts.y[i])}],
                ),
            )
        )
    return out


def _neighbour_median(y: np.ndarray, half: int) -> np.ndarray:
    """Median of up to `half` points on each side, leaving the point itself out (so it cannot mask itself)."""
    padded = np.pad(y.astype(float), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    neighbours = np.delete(windows, half, axis=1)
    return np.nanmedian(neighbours, axis=1)


def seasonality(ts: TimeSeries, time: str) -> Candidate | None:
    """A repeating weekly (daily data) or yearly (monthly data) pattern, two full cycles or more."""
    names: tuple[str, ...]
    if ts.grain == "day":
        period, names, positions = 7, _WEEKDAYS, np.array([d.weekday() for d in ts.x])
    elif ts.grain == "month":
        period, names, positions = 12, _MONTHS, np.array([d.month - 1 for d in ts.x])
    else:
        return None
    if len(ts) < 2 * period + (period // 2) * 2:
        return None
    smooth = np.convolve(ts.y, np.ones(period) / period, mode="same")
    half = period // 2
    seasonal, pos = (ts.y - smooth)[half:-half], positions[half:-half]
    groups = [seasonal[pos == k] for k in range(period) if (pos == k).sum() >= 2]
    if len(groups) < period:
        return None
    test = stats.f_oneway(*groups)
    means = np.array([ts.y[positions == k].mean() for k in range(period)])
    level = float(np.mean(ts.y)) or 1.0
    hi, lo = int(np.argmax(means)), int(np.argmin(means))
    amplitude = (means[hi] - means[lo]) / abs(level)
    if amplitude < 0.1 or not np.isfinite(test.pvalue):
        return None
    name = label(ts.measure)
    cycle = "weekly" if period == 7 else "yearly"
    text = (
        f"{name.capitalize()} follows a {cycle} pattern: {names[hi]} average {fmt_num(means[hi])}, "
        f"{fmt_pct((means[hi] - level) / abs(level), signed=True)} against the overall "
        f"{fmt_num(level)}, while "
        f"{names[lo]} are lowest at {fmt_num(means[lo])} ({fmt_p(float(test.pvalue))})."
    )
    return Candidate(
        "seasonality",
        f"{cycle.capitalize()} pattern in {name}",
        text,
        min(1.0, amplitude / 0.5),
        float(test.pvalue),
        {
            "columns": [time, ts.measure],
            "filters": [],
            "aggregation": f"{ts.agg} of {ts.measure} per {ts.grain}",
            "aggregates": {
                "cycle": cycle,
                "cycles": len(ts) / period,
                "meanByPosition": dict(zip(names, means.tolist(), strict=True)),
                "test": "one-way ANOVA of de-trended values by position in cycle",
            },
        },
        ("seasonality", ts.measure),
        ChartSpec(
            "bar",
            f"Average {name} by {'weekday' if period == 7 else 'month'}",
            {"categories": list(names), "values": means.tolist(), "name": ts.measure},
        ),
    )
