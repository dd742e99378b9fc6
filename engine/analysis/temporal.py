"""Time insights on one aggregated series: trend, period-over-period change, change point.

Tests: trend — OLS slope t-test; period-over-period — the last change against
the spread of earlier changes (Student t); change point — the best single split (least
squares), kept only when a step fits better than a straight line, Welch t-test
Bonferroni-corrected for the number of split positions tried.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from engine.analysis.candidates import Candidate, ChartSpec
from engine.analysis.fmt import fmt_num, fmt_p, fmt_pct, label
from engine.analysis.series import TimeSeries, observed, period_label

MIN_TREND_POINTS = 6
MIN_CHANGE_POINTS = 8
MIN_POP_POINTS = 6


def line_chart(ts: TimeSeries, title: str, **marks: object) -> ChartSpec:
    """A line chart of the series with optional marks (trend, changePoint, anomalies).

    A period without a single value of the measure is drawn as a gap, not as 0:
    the statistics treat an empty period of a sum as 0, but a reader would take a
    plotted 0 for a real drop.
    """
    y = [None if n == 0 else v for v, n in zip(ts.y.tolist(), ts.counts.tolist(), strict=True)]
    return ChartSpec("line", title, {"x": ts.x, "y": y, "name": ts.measure, "grain": ts.grain, **marks})


def _evidence(ts: TimeSeries, time: str, **aggregates: object) -> dict[str, object]:
    return {
        "columns": [time, ts.measure],
        "filters": [],
        "aggregation": f"{ts.agg} of {ts.measure} per {ts.grain}",
        "periods": len(ts),
        "aggregates": aggregates,
        **({"droppedPartialPeriods": ts.dropped_partial} if ts.dropped_partial else {}),
    }


def trend(ts: TimeSeries, time: str) -> Candidate | None:
    """A rising or falling linear trend, with its slope and significance."""
    if len(ts) < MIN_TREND_POINTS or float(np.ptp(ts.y)) == 0:
        return None
    t = np.arange(len(ts), dtype=float)
    fit = stats.linregress(t, ts.y)
    level = float(np.mean(np.abs(ts.y))) or 1.0
    start, end = fit.intercept, fit.intercept + fit.slope * (len(ts) - 1)
    rel = (end - start) / (abs(start) if abs(start) > 1e-9 * level else level)
    if abs(rel) < 0.05:
        return None
    word = "rising" if fit.slope > 0 else "falling"
    name = label(ts.measure)
    text = (
        f"{name.capitalize()} is {word}: the fitted line goes from {fmt_num(start)} to {fmt_num(end)} per "
        f"{ts.grain} over {len(ts)} {ts.grain}s ({fmt_pct(rel, signed=True)}, {fmt_p(fit.pvalue)})."
    )
    return Candidate(
        "trend",
        f"{name.capitalize()} is {word}",
        text,
        min(1.0, abs(rel) / 0.5),
        float(fit.pvalue),
        _evidence(
            ts,
            time,
            slopePerPeriod=fit.slope,
            start=start,
            end=end,
            relativeChange=rel,
            rSquared=fit.rvalue**2,
            test="OLS slope t-test",
        ),
        ("trend", ts.measure),
        line_chart(ts, f"{name.capitalize()} per {ts.grain} with trend", trend=[start, end]),
    )


def period_change(ts: TimeSeries, time: str) -> Candidate | None:
    """The last period against the one before, judged against earlier period-to-period moves."""
    if len(ts) < MIN_POP_POINTS:
        return None
    prev, last = float(ts.y[-2]), float(ts.y[-1])
    if prev == 0:
        return None
    rel = (last - prev) / abs(prev)
    history = np.diff(ts.y[:-1])
    spread = float(np.std(history, ddof=1)) if len(history) > 1 else 0.0
    if abs(rel) < 0.05 or spread == 0:
        return None
    z = (last - prev - float(np.mean(history))) / spread
    p = float(2 * stats.t.sf(abs(z), df=len(history) - 1))  # t: the spread itself is estimated
    name = label(ts.measure)
    word = "up" if rel > 0 else "down"
    last_label, prev_label = period_label(ts.x[-1], ts.grain), period_label(ts.x[-2], ts.grain)
    text = (
        f"{name.capitalize()} was {fmt_num(last)} in {last_label}, {word} {fmt_pct(abs(rel))} from "
        f"{fmt_num(prev)} in {prev_label} ({abs(z):.1f}× the usual {ts.grain}-to-{ts.grain} move, "
        f"{fmt_p(p)})."
    )
    return Candidate(
        "period_change",
        f"{name.capitalize()} {word} {fmt_pct(abs(rel))} {ts.grain} over {ts.grain}",
        text,
        min(1.0, abs(rel) / 0.5),
        p,
        _evidence(
            ts,
            time,
            last=last,
            previous=prev,
            lastPeriod=str(ts.x[-1]),
            previousPeriod=str(ts.x[-2]),
            relativeChange=rel,
            zScore=z,
            test="change vs. spread of earlier changes",
        ),
        ("period_change", ts.measure),
        ChartSpec(
            "bar",
            f"{name.capitalize()}: {prev_label} vs {last_label}",
            {"categories": [prev_label, last_label], "values": [prev, last], "name": ts.measure},
        ),
        extra={"periods": (ts.x[-2], ts.x[-1]), "grain": ts.grain},
    )


def change_point(ts: TimeSeries, time: str) -> Candidate | None:
    """A lasting shift in level at one date (a step, not a straight-line trend)."""
    ts = observed(ts)  # periods without rows would pull the step towards gaps
    n = len(ts)
    if n < MIN_CHANGE_POINTS:
        return None
    y = ts.y
    low = max(3, min(n // 10, 7))  # shortest segment: a week of days, or 10% of a short series
    ks = np.arange(low, n - low + 1)
    csum, csq = np.cumsum(y), np.cumsum(y * y)
    left_n, right_n = ks.astype(float), (n - ks).astype(float)
    left_sum, right_sum = csum[ks - 1], csum[-1] - csum[ks - 1]
    rss = csq[-1] - left_sum**2 / left_n - right_sum**2 / right_n
    k = int(ks[int(np.argmin(rss))])
    fit = stats.linregress(np.arange(n, dtype=float), y)
    rss_line = float(np.sum((y - (fit.intercept + fit.slope * np.arange(n))) ** 2))
    if float(rss.min()) >= rss_line:
        return None
    before, after = y[:k], y[k:]
    if np.std(before) == 0 and np.std(after) == 0:
        return None
    test = stats.ttest_ind(before, after, equal_var=False)
    p = min(1.0, float(test.pvalue) * len(ks))
    mb, ma = float(np.mean(before)), float(np.mean(after))
    rel = (ma - mb) / abs(mb) if mb else 1.0
    if abs(rel) < 0.1:
        return None
    name = label(ts.measure)
    when = ts.x[k]
    text = (
        f"{name.capitalize()} shifted {'up' if ma > mb else 'down'} from {period_label(when, ts.grain)}: "
        f"{fmt_num(mb)} per {ts.grain} before vs {fmt_num(ma)} after "
        f"({fmt_pct(rel, signed=True)}, {fmt_p(p)})."
    )
    return Candidate(
        "change_point",
        f"{name.capitalize()} level shift on {when.isoformat()}",
        text,
        min(1.0, abs(rel) / 0.5),
        p,
        _evidence(
            ts,
            time,
            changeDate=str(when),
            meanBefore=mb,
            meanAfter=ma,
            relativeChange=rel,
            test="best split, Welch t-test, Bonferroni over split positions",
        ),
        ("change_point", ts.measure),
        line_chart(
            ts,
            f"{name.capitalize()} per {ts.grain}: level shift",
            changePoint={"x": when, "before": mb, "after": ma, "start": ts.x[0], "end": ts.x[-1]},
        ),
    )
