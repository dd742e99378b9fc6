"""Time findings on one series: trend, period-over-period change, change point.

All three are judged on the de-seasonalised series (see `seasonal`), so a
yearly or weekly cycle is never read as a trend or a shift.

- trend: least-squares slope, its t-test corrected for autocorrelated
  residuals (a random walk has no trend by accident). Counts, durations and
  other positive quantities whose straight line would cross zero are fitted on
  a log scale, so the drawn trend never goes below zero.
- period change: the last period against the one before, judged against the
  spread of earlier period-to-period moves (Student t).
- change point: a step added to a straight line at the best split (so a shift
  is found on top of a trend), kept only when it fits better than one yearly
  wave for 7-month to 2-year spans; t-test on effective sample sizes,
  Bonferroni over the split positions tried.
"""

from __future__ import annotations

import numpy as np

from engine.analysis.candidates import Candidate, ChartSpec, direction_of, evidence
from engine.analysis.detectors.seasonal import Seasonal, one_wave, seasonal_hump
from engine.analysis.fmt import fmt_change, fmt_num, fmt_p, fmt_pct, ratio_scale, upper_first
from engine.analysis.semantics.model import Measure
from engine.analysis.series import TimeSeries, observed, period_label
from engine.analysis.stats import drift, gls_ar1, ols, poisson_trend, t_two_sided

MIN_TREND_POINTS = 6
MIN_CHANGE_POINTS = 8
MIN_POP_POINTS = 8  # the last move is judged against at least six earlier ones


def line_chart(ts: TimeSeries, title: str, label: str, **marks: object) -> ChartSpec:
    """A line chart of the series with optional marks (trend, changePoint, anomalies).

    A period without a single row is drawn as a gap, not as 0: the statistics
    treat an empty period of a sum as 0, but a reader would take a plotted 0
    for a real drop.
    """
    y = [None if n == 0 else v for v, n in zip(ts.y.tolist(), ts.counts.tolist(), strict=True)]
    return ChartSpec("line", title, {"x": ts.x, "y": y, "name": label, "grain": ts.grain, **marks})


def _ev(s: Seasonal, m: Measure, time: list[str], **kw: object) -> dict[str, object]:
    ts = s.ts
    out = evidence(
        m,
        columns=time,
        grain=ts.grain,
        aggregation=f"{m.agg} of {m.label} per {ts.grain}",
        periods=len(ts),
        seasonallyAdjusted=[c.name for c in s.significant],
        **kw,  # type: ignore[arg-type]
    )
    if ts.dropped_partial:
        out["droppedPartialPeriods"] = ts.dropped_partial
    return out


def span(ts: TimeSeries) -> str:
    """How long the series runs, in its grain's calendar units, and its points when some are missing:
    "55 years (12 points)" for a census every five years, never "12 years"."""
    first, last = ts.x[0], ts.x[-1]
    months = (last.year - first.year) * 12 + last.month - first.month
    units = {
        "year": last.year - first.year,
        "quarter": months // 3,
        "month": months,
        "week": (last - first).days // 7,
        "day": (last - first).days,
    }[ts.grain] + 1
    gaps = f" ({len(ts)} points)" if len(ts) < units else ""
    return f"{units} {ts.grain}{'s' if units != 1 else ''}{gaps}"


def trend(
    s: Seasonal, m: Measure, time: list[str], filters: list[dict[str, object]] | None = None
) -> Candidate | None:
    """A rising or falling trend, with its size and significance."""
    ts = s.ts
    y = s.adjusted
    n = len(ts)
    if n < MIN_TREND_POINTS or float(np.ptp(y)) == 0 or seasonal_hump(ts, y):
        return None
    t = np.arange(n, dtype=float)
    fit = fit_trend(t, y, m.kind != "level" or ts.positive, counts=m.kind == "count")
    if fit is None:
        return None
    curve, rel, p, r2, scale = fit
    if abs(rel) < 0.05 and not _large_for_a_level(m, y, curve):
        return None
    word = "rising" if rel > 0 else "falling"
    name = m.label
    if scale == "log (Poisson)":  # describe what was seen at both ends: a fitted count near zero says little
        w = max(1, n // 10)
        first, last = float(np.mean(ts.y[:w])), float(np.mean(ts.y[-w:]))
        start = f"{fmt_num(first)} per {ts.grain}" if first > 0 else "almost none"
        change = f"{last / first:.1f}×" if first > 0 else "from almost zero"
        text = (
            f"{upper_first(name)} is {word}: from {start} at the start to {fmt_num(last)} per {ts.grain} "
            "at the end "
            f"of {span(ts)} ({change}, {fmt_p(p)})."
        )
    else:
        per = f" per {ts.grain}" if ts.agg in ("sum", "count") else ""  # a level is not "per year"
        w = max(1, n // 10)  # what was seen at both ends, not the fitted curve's ends
        first, last = float(np.mean(ts.y[:w])), float(np.mean(ts.y[-w:]))
        as_ratio = ratio_scale(np.asarray(ts.y), first, m.interval)
        text = (
            f"{upper_first(name)} is {word}: from about {fmt_num(first)} to {fmt_num(last)}{per} "
            f"over {span(ts)} ({fmt_change(last, first, as_ratio)}, {fmt_p(p)})."
        )
    return Candidate(
        "trend",
        f"{upper_first(name)} is {word}",
        text,
        max(min(1.0, abs(rel) / 0.5), _standardized(y, curve)),
        p,
        _ev(
            s,
            m,
            time,
            direction=direction_of(rel),
            filters=filters,
            start=curve[0],
            end=curve[-1],
            relativeChange=rel,
            rSquared=r2,
            scale=scale,
            test="least-squares slope (autocorrelation-corrected) or drift t-test, Bonferroni over the two",
        ),
        ("trend", m.name),
        line_chart(ts, f"{upper_first(name)} per {ts.grain} with trend", name, trendLine=curve.tolist()),
    )


def _curve_rss(t: np.ndarray, y: np.ndarray) -> float:
    """Squared error left by a cubic trend: four parameters, as many as a line with a step at a free date."""
    z = (t - t.mean()) / (t.std() or 1.0)
    return float(np.sum((y - np.polyval(np.polyfit(z, y, 3), z)) ** 2))


def _grows_by_rate(y: np.ndarray) -> bool:
    """Whether a positive series follows an exponential curve better than a straight line."""
    if len(y) < 3 or not bool((y > 0).all()):
        return False
    t = np.arange(len(y), dtype=float)
    line = np.polyval(np.polyfit(t, y, 1), t)
    curve = np.exp(np.polyval(np.polyfit(t, np.log(y), 1), t))
    return float(np.sum((y - curve) ** 2)) < float(np.sum((y - line) ** 2))


def _large_for_a_level(m: Measure, y: np.ndarray, curve: np.ndarray) -> bool:
    """A level far from zero (a lake's height, a temperature in kelvin) moves little in relative terms:
    its trend counts when the fitted change is large against the series' own spread."""
    spread = float(np.std(y))
    return m.kind == "level" and spread > 0 and abs(float(curve[-1] - curve[0])) >= 1.0 * spread


def _standardized(y: np.ndarray, curve: np.ndarray) -> float:
    """The fitted change in units of the series' spread, as an impact (0..1)."""
    spread = float(np.std(y))
    return min(1.0, abs(float(curve[-1] - curve[0])) / (3 * spread)) if spread > 0 else 0.0


def fit_trend(
    t: np.ndarray, y: np.ndarray, nonnegative: bool, counts: bool = False
) -> tuple[np.ndarray, float, float, float, str] | None:
    """(fitted curve, relative change, p, R², scale): linear, or log-linear when a line would cross zero.

    Counts that touch zero get a log-linear Poisson fit: never below zero, and
    right for "from a handful to hundreds a month".
    """
    if counts and bool((y <= 0).any()) and bool((y >= 0).all()):
        intercept, slope, p = poisson_trend(t, y)
        curve = np.exp(intercept + slope * t)
        total = float(np.sum((y - y.mean()) ** 2)) or 1.0
        r2 = 1 - float(np.sum((y - curve) ** 2)) / total
        rel = (curve[-1] - curve[0]) / max(curve[0], 1e-9)
        return curve, float(min(rel, 100.0)), p, r2, "log (Poisson)"
    slope, intercept, r2, p = ols(t, y)
    curve = intercept + slope * t
    scale = "linear"
    values = y
    if nonnegative and (curve.min() <= 0) and bool((y > 0).all()):
        values = np.log(y)
        slope, intercept, r2, p = ols(t, values)
        curve = np.exp(intercept + slope * t)
        scale = "log"
    elif nonnegative and curve.min() <= 0:
        return None  # zeros and a line through zero: no honest straight trend
    # a steady trend or a random walk's drift: whichever test fits the series, Bonferroni over the two
    p = min(1.0, 2 * min(p, drift(values)))
    level = float(np.mean(np.abs(y))) or 1.0
    start = curve[0]
    rel = (curve[-1] - start) / (abs(start) if abs(start) > 1e-9 * level else level)
    return curve, float(rel), p, r2, scale


def _as_a_year_ago(ts: TimeSeries, moves: np.ndarray, z: float, mean: float, spread: float) -> bool:
    """Whether the move into the last period was matched, the same way, a year before."""
    per_year = {"month": 12, "quarter": 4, "week": 52}.get(ts.grain)
    if per_year is None or len(moves) <= per_year:
        return False
    before = (float(moves[-1 - per_year]) - mean) / spread
    return bool(np.sign(before) == np.sign(z) and abs(before) >= abs(z) / 2)


def period_change(s: Seasonal, m: Measure, time: list[str]) -> Candidate | None:
    """The last period against the one before, judged against earlier period-to-period moves."""
    ts = s.ts
    if len(ts) < MIN_POP_POINTS:
        return None
    prev, last = float(ts.y[-2]), float(ts.y[-1])
    if prev == 0:
        return None
    rel = (last - prev) / abs(prev)
    moves = np.diff(s.adjusted)
    history, latest = moves[:-1], moves[-1]
    spread = float(np.std(history, ddof=1)) if len(history) > 1 else 0.0
    if abs(rel) < 0.05 or spread == 0:
        return None
    z = (latest - float(np.mean(history))) / spread
    if _as_a_year_ago(ts, moves, z, float(np.mean(history)), spread):
        return None  # December up as much as last December: the season, too few years to test it
    p = t_two_sided(z, len(history) - 1)
    word = "up" if rel > 0 else "down"
    last_label, prev_label = period_label(ts.x[-1], ts.grain), period_label(ts.x[-2], ts.grain)
    adjusted = " after the seasonal pattern" if s.significant else ""
    text = (
        f"{upper_first(m.label)} was {fmt_num(last)} in {last_label}, {word} {fmt_pct(abs(rel))} from "
        f"{fmt_num(prev)} in {prev_label} ({abs(z):.1f}× the usual {ts.grain}-to-{ts.grain} move"
        f"{adjusted}, {fmt_p(p)})."
    )
    return Candidate(
        "period_change",
        f"{upper_first(m.label)} {word} {fmt_pct(abs(rel))} {ts.grain} over {ts.grain}",
        text,
        min(1.0, abs(rel) / 0.5),
        p,
        _ev(
            s,
            m,
            time,
            direction=direction_of(rel),
            last=last,
            previous=prev,
            lastPeriod=str(ts.x[-1]),
            previousPeriod=str(ts.x[-2]),
            relativeChange=rel,
            zScore=z,
            test="change vs. spread of earlier changes",
        ),
        ("period_change", m.name),
        ChartSpec(
            "bar",
            f"{upper_first(m.label)}: {prev_label} vs {last_label}",
            {"categories": [prev_label, last_label], "values": [prev, last], "name": m.label},
        ),
        extra={"periods": (ts.x[-2], ts.x[-1]), "grain": ts.grain},
    )


def change_point(s: Seasonal, m: Measure, time: list[str]) -> Candidate | None:
    """A lasting shift in level at one date, on top of any straight-line trend (and not a season).

    Each split is tried as a step added to a line (y = a + b·t + c·[t ≥ k]); the
    split that removes the most squared error is kept. Its step is tested with
    a t statistic on effective sample sizes (autocorrelated residuals count
    for less), Bonferroni over the distinct splits (one per shortest segment:
    neighbouring splits test nearly the same thing). A positive series that grows
    by a steady rate is judged on a log scale, where its growth is the straight
    line; and a step that a smooth bending (cubic) trend explains as well is the
    curve of the trend, not a shift (consumer spending over fifty years).
    """
    ts_obs = observed(s.ts)
    keep = s.ts.counts > 0
    y = s.adjusted[keep] if not keep.all() else s.adjusted
    n = len(y)
    if n < MIN_CHANGE_POINTS:
        return None
    log_scale = _grows_by_rate(y)
    if log_scale:
        y = np.log(y)
    low = max(3, min(n // 10, 7))  # shortest segment: a week of days, or 10% of a short series
    ks = np.arange(low, n - low + 1)
    t = np.arange(n, dtype=float)
    design = np.column_stack([np.ones(n), t])
    inv = np.linalg.inv(design.T @ design)
    r_y = y - design @ (inv @ (design.T @ y))  # y with the line taken out
    # For the step s_k = [t >= k]: r_y·s_k is a suffix sum of r_y, and the step's own residual norm
    # is (n - k) - vᵀ (XᵀX)⁻¹ v with v = Xᵀ s_k = (n - k, sum of t >= k): every split in one pass.
    suffix_y = np.cumsum(r_y[::-1])[::-1]
    suffix_t = np.cumsum(t[::-1])[::-1]
    num = suffix_y[ks]
    v = np.column_stack([(n - ks).astype(float), suffix_t[ks]])
    den = (n - ks) - np.einsum("ij,jk,ik->i", v, inv, v)
    gain = np.where(den > 1e-12, num**2 / np.maximum(den, 1e-12), 0.0)
    j = int(np.argmax(gain))
    k = int(ks[j])
    step = float(num[j] / den[j]) if den[j] > 1e-12 else 0.0
    rss_step = float(r_y @ r_y) - float(gain[j])
    wave = one_wave(ts_obs, y)
    if wave is not None and wave[1] <= rss_step:
        return None  # one yearly wave explains it as well as a step
    if _curve_rss(t, y) <= rss_step:
        return None  # a smooth bend (as many parameters) fits as well: curvature, not a shift
    step_col = (t >= k).astype(float)
    beta, se, df = gls_ar1(np.column_stack([np.ones(n), t, step_col]), y)  # the step, on AR(1) errors
    if not se[2] > 0 or rss_step <= 0:
        return None
    # Bonferroni over the splits that could differ: neighbouring splits give nearly the same test,
    # so the splits count once per shortest segment
    splits = max(1.0, len(ks) / low)
    p = min(1.0, t_two_sided(float(beta[2]) / float(se[2]), df) * splits)
    raw_b, raw_a = float(np.mean(ts_obs.y[:k])), float(np.mean(ts_obs.y[k:]))
    level = abs(raw_b) if raw_b else (float(np.mean(np.abs(ts_obs.y))) or 1.0)
    size = abs(float(np.expm1(step))) if log_scale else abs(step) / level
    rel = min(size, abs(raw_a - raw_b) / level) * (1 if step > 0 else -1)  # never more than was seen
    if abs(rel) < 0.1 or (step > 0) != (raw_a > raw_b):
        return None
    when = ts_obs.x[k]
    word = "up" if step > 0 else "down"
    text = (
        f"{upper_first(m.label)} shifted {word} from {period_label(when, ts_obs.grain)}: "
        f"{fmt_num(raw_b)} per {ts_obs.grain} before vs {fmt_num(raw_a)} after, a step of "
        f"{fmt_pct(rel, signed=True)} beyond the trend ({fmt_p(p)})."
    )
    return Candidate(
        "change_point",
        f"{upper_first(m.label)} level shift on {when.isoformat()}",
        text,
        min(1.0, abs(rel) / 0.5),
        p,
        _ev(
            s,
            m,
            time,
            direction=direction_of(step),
            changeDate=str(when),
            meanBefore=raw_b,
            meanAfter=raw_a,
            step=step,
            relativeChange=rel,
            scale="log" if log_scale else "linear",
            test="step added to a line at the best split, t-test on effective sizes, Bonferroni over splits",
        ),
        ("change_point", m.name),
        line_chart(
            ts_obs,
            f"{upper_first(m.label)} per {ts_obs.grain}: level shift",
            m.label,
            changePoint={
                "x": when,
                "before": raw_b,
                "after": raw_a,
                "start": ts_obs.x[0],
                "end": ts_obs.x[-1],
            },
        ),
    )
