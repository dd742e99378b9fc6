"""Anomalies and seasonality findings of one series.

Anomalies: residuals (on a log scale for positive series) from the median of
the three periods on each side, after the significant seasonal cycles are
taken out, scored by robust z (MAD); a point's p-value uses Student-t tails
(10 df), Bonferroni-corrected for the series length. Seasonality: each tested
cycle of `seasonal` (weekly in daily data; yearly in monthly or quarterly data,
or in daily/weekly data covering two years) is a finding when it passes, and so
is a cycle of several years in yearly data (`long_cycle`).
"""

from __future__ import annotations

import numpy as np

from engine.analysis.candidates import Candidate, ChartSpec, evidence
from engine.analysis.detectors.long_cycle import long_cycle
from engine.analysis.detectors.seasonal import MIN_AMPLITUDE, Seasonal
from engine.analysis.detectors.temporal import line_chart
from engine.analysis.fmt import fmt_change, fmt_num, fmt_p, fmt_pct, ratio_scale, upper_first
from engine.analysis.semantics.model import Measure
from engine.analysis.series import TimeSeries, observed, period_label
from engine.analysis.stats import poisson_cdf, poisson_sf, t_sf

MIN_ANOMALY_POINTS = 12
ANOMALY_Z = 3.5
FEW_ROWS = 5  # a period's mean read on fewer rows than this, where most have more, is not judged
TAIL_DF = 10  # Student-t tails: heavier than normal (daily sums of skewed values), calibrated on noise
MAX_CYCLE_P = 0.001  # a real cycle repeats over many weeks or years: its test is never borderline


def _slots(ts: TimeSeries) -> np.ndarray | None:
    """Each point's place in the year (its month, quarter or week), where the grain has one."""
    if ts.grain == "month":
        return np.array([d.month for d in ts.x])
    if ts.grain == "quarter":
        return np.array([(d.month - 1) // 3 for d in ts.x])
    if ts.grain == "week":
        return np.array([d.isocalendar()[1] for d in ts.x])
    return None


def _recurs(z: np.ndarray, slots: np.ndarray | None, i: int) -> bool:
    """Whether the same place in another year is off the same way (z at least half the bar)."""
    if slots is None:
        return False
    same = (slots == slots[i]) & (np.arange(len(z)) != i)
    return bool((np.sign(z[same]) == np.sign(z[i]))[np.abs(z[same]) >= ANOMALY_Z / 2].any())


def anomalies(s: Seasonal, m: Measure, time: list[str], limit: int = 3) -> list[Candidate]:
    """Single periods far off their neighbours (at most `limit`, largest first)."""
    keep = s.ts.counts > 0  # a period without rows is a gap in the data, not an anomaly
    ts = observed(s.ts)
    n = len(ts)
    if n < MIN_ANOMALY_POINTS or float(np.mean(ts.y == 0)) >= 0.5:
        return []  # mostly zero (rain by the hour): a wet hour is the nature of the series, not an anomaly
    adjusted = s.adjusted[keep]
    positive = bool((ts.y > 0).all()) and bool((adjusted > 0).all())
    values = np.log(adjusted) if positive else adjusted
    resid = values - _neighbour_median(values, 3)
    center = float(np.median(resid))
    mad = float(np.median(np.abs(resid - center)))
    if mad == 0:
        return []
    z = 0.6745 * (resid - center) / mad
    # what the neighbours say each point should be, back on the raw scale with the season added back
    expectations = (np.exp(values - resid) if positive else adjusted - resid) + (ts.y - adjusted)
    slots = _slots(ts)
    out = []
    recurring: list[int] = []
    for i in np.argsort(-np.abs(z))[:limit]:
        if abs(z[i]) < ANOMALY_Z:
            break
        if _recurs(z, slots, int(i)):
            recurring.append(int(i))
            continue  # every December is high: a season too short to test yet, not one odd month
        expected = float(expectations[i])
        if m.agg == "mean" and ts.counts[i] < FEW_ROWS <= float(np.median(ts.counts)):
            continue  # the mean of the first two films of 1899: a handful of rows, not a period's level
        if m.agg == "mean" and ts.spread is not None and ts.counts[i] > 1:
            # the mean of a dozen films moves more by chance than the mean of thousands: the period's
            # own standard error must be far smaller than its distance from what was expected
            se = float(np.sqrt(max(float(ts.spread[i]), 0.0) / float(ts.counts[i])))
            if np.isfinite(se) and abs(float(ts.y[i]) - expected) < ANOMALY_Z * se:
                continue
        p = min(1.0, 2 * t_sf(abs(float(z[i])), TAIL_DF) * n)
        if m.kind == "count" and expected > 0:  # 1 film where 9 were expected is a Poisson draw's luck
            k = float(ts.y[i])
            tail = poisson_sf(k, expected) if k > expected else poisson_cdf(k, expected)
            p = max(p, min(1.0, 2 * tail * n))
        as_ratio = ratio_scale(ts.y, expected, m.interval)
        rel = (ts.y[i] - expected) / (abs(expected) if as_ratio else float(np.mean(np.abs(ts.y))) or 1.0)
        when = period_label(ts.x[i], ts.grain)
        text = (
            f"{upper_first(m.label)} was unusually {'high' if z[i] > 0 else 'low'} in {when}: "
            f"{fmt_num(ts.y[i])} against about {fmt_num(expected)} expected "
            f"({fmt_change(float(ts.y[i]), expected, as_ratio)}, "
            f"robust z={z[i]:.1f}, {fmt_p(p)})."
        )
        out.append(
            Candidate(
                "anomaly",
                f"Unusual {m.label} in {when}",
                text,
                min(1.0, abs(rel) / 0.5),
                p,
                evidence(
                    m,
                    columns=time,
                    grain=ts.grain,
                    direction="up" if z[i] > 0 else "down",
                    entity=str(ts.x[i]),
                    aggregation=f"{m.agg} of {m.label} per {ts.grain}",
                    date=str(ts.x[i]),
                    value=float(ts.y[i]),
                    expected=expected,
                    robustZ=float(z[i]),
                    test="robust z (MAD) vs neighbours' median, t(10) tail, Bonferroni over periods",
                ),
                ("anomaly", m.name, str(ts.x[i])),
                line_chart(
                    ts,
                    f"{upper_first(m.label)} per {ts.grain}: unusual {ts.grain}",
                    m.label,
                    anomalies=[{"x": ts.x[i], "y": float(ts.y[i])}],
                ),
            )
        )
    if recurring and slots is not None:
        every = _every_year(ts, m, time, z, slots, recurring[0], expectations)
        out += [every] if every else []
    return out


def _every_year(
    ts: TimeSeries,
    m: Measure,
    time: list[str],
    z: np.ndarray,
    slots: np.ndarray,
    i: int,
    expectations: np.ndarray,
) -> Candidate | None:
    """The same place in every year off the same way (each December high): a yearly peak that the
    cycle test cannot see yet in two years of data. p: every occurrence's tail at once, Bonferroni
    over the places in the year."""
    same = np.flatnonzero(slots == slots[i])
    if same.size < 2 or not bool(
        (np.sign(z[same]) == np.sign(z[i])).all() and (np.abs(z[same]) >= ANOMALY_Z / 2).all()
    ):
        return None
    p = min(
        1.0, float(np.prod([2 * t_sf(abs(float(z[j])), TAIL_DF) for j in same])) * len(set(slots.tolist()))
    )
    seen = ts.y[same].astype(float)
    expected = expectations[same].astype(float)
    place = {"month": lambda d: d.strftime("%B"), "quarter": lambda d: f"Q{(d.month - 1) // 3 + 1}"}.get(
        ts.grain, lambda d: f"week {d.isocalendar()[1]}"
    )(ts.x[i])
    word = "high" if z[i] > 0 else "low"
    base = float(expected.mean())
    change = fmt_change(float(seen.mean()), base, ratio_scale(ts.y, base, m.interval))
    text = (
        f"{upper_first(m.label)} is {word} every {place}: "
        + ", ".join(
            f"{fmt_num(v)} in {period_label(ts.x[j], ts.grain)}" for v, j in zip(seen, same, strict=True)
        )
        + f", against about {fmt_num(base)} expected from the {ts.grain}s around them ({change}, "
        f"{same.size} of {same.size} years; {fmt_p(p)})."
    )
    return Candidate(
        "seasonality",
        f"{upper_first(m.label)} {word} every {place}",
        text,
        min(1.0, abs(float(seen.mean()) - base) / (abs(base) or 1.0) / 0.5),
        p,
        evidence(
            m,
            columns=time,
            grain=ts.grain,
            entity=place,
            direction="up" if z[i] > 0 else "down",
            aggregation=f"{m.agg} of {m.label} per {ts.grain}",
            cycle="yearly",
            peak=place if z[i] > 0 else None,
            trough=place if z[i] < 0 else None,
            years=int(same.size),
            test="robust z of each occurrence vs its neighbours, jointly, Bonferroni over places in a year",
        ),
        ("seasonality", m.name, "yearly"),
        line_chart(
            ts,
            f"{upper_first(m.label)} per {ts.grain}: every {place}",
            m.label,
            anomalies=[{"x": ts.x[j], "y": float(ts.y[j])} for j in same],
        ),
    )


def _neighbour_median(y: np.ndarray, half: int) -> np.ndarray:
    """What each point's neighbours say it should be, leaving the point itself out (so it cannot mask itself).

    Inside the series: the median of `half` points on each side, where a trend
    cancels out. Near either end the neighbours lie on one side only, and on a
    trending series their median is off by the trend (the first year of a steep
    climb would look low): there a robust line (Theil–Sen) through the nearest
    2 × `half` points is evaluated at the point instead.
    """
    v = y.astype(float)
    n = len(v)
    padded = np.pad(v, half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    out = np.nanmedian(np.delete(windows, half, axis=1), axis=1)
    if n < 2 * half + 2:
        return out
    width = 2 * half
    for i in [*range(half), *range(max(half, n - half), n)]:
        near = [j for j in np.argsort(np.abs(np.arange(n) - i), kind="stable") if j != i][:width]
        x, w = np.array(near, dtype=float), v[near]
        dx = x[:, None] - x[None, :]
        pairs = dx > 0
        slope = float(np.median((w[:, None] - w[None, :])[pairs] / dx[pairs]))
        out[i] = float(np.median(w - slope * x)) + slope * i
    return out


def seasonality(s: Seasonal, m: Measure, time: list[str]) -> list[Candidate]:
    """A finding for each cycle of the series that passed its test."""
    out = []
    for c in s.cycles:
        if not c.large or not np.isfinite(c.p_value) or c.p_value > MAX_CYCLE_P:
            continue
        level = float(np.mean(c.means)) or 1.0
        # the positions' effects beyond the trend: raw means of a rising series favour the late
        # months of a year, and months missing from the start or the end tilt them further
        profile = level + c.effect
        hi, lo = int(np.argmax(profile)), int(np.argmin(profile))
        unit = {"days": "day", "months": "month", "quarters": "quarter"}[c.basis]
        at = "on" if c.name == "weekly" else "in"  # on Mondays, in March, in Q4
        text = (
            f"{upper_first(m.label)} follows a {c.name} pattern: highest {at} {c.labels[hi]}, "
            f"{fmt_num(profile[hi])}{f' per {unit}' if s.ts.agg in ('sum', 'count') else ''} on average, "
            f"{fmt_change(float(profile[hi]), level, ratio_scale(profile, level, m.interval))} "
            "against the typical "
            f"{fmt_num(level)}; lowest {at} {c.labels[lo]}, {fmt_num(profile[lo])}, the trend set aside "
            f"({fmt_p(c.p_value)})."
        )
        position = "weekday" if c.name == "weekly" else ("quarter" if c.basis == "quarters" else "month")
        out.append(
            Candidate(
                "seasonality",
                f"{upper_first(c.name)} pattern in {m.label}",
                text,
                min(1.0, max(c.amplitude / 0.5, c.share)),
                c.p_value,
                evidence(
                    m,
                    columns=time,
                    grain=s.ts.grain,
                    entity=c.labels[hi],
                    direction="up",
                    aggregation=f"{m.agg} of {m.label} per {s.ts.grain}, averaged by {position}",
                    cycle=c.name,
                    cycles=c.cycles,
                    peak=c.labels[hi],
                    trough=c.labels[lo],
                    meanByPosition=dict(zip(c.labels, c.means.tolist(), strict=True)),
                    seasonalByPosition=dict(zip(c.labels, profile.tolist(), strict=True)),
                    test="one-way ANOVA of de-trended values by position in the cycle",
                ),
                ("seasonality", m.name, c.name),
                ChartSpec(
                    "bar",
                    f"Average {m.label} by {position}, the trend set aside",
                    {
                        "categories": c.labels,
                        "values": profile.tolist(),
                        "name": m.label,
                        "highlight": c.labels[hi],
                    },
                ),
            )
        )
    return out


def cycle_finding(ts: TimeSeries, m: Measure, time: list[str]) -> Candidate | None:
    """A cycle of several years in a yearly series (`long_cycle`), as a seasonality finding."""
    c = long_cycle(ts)
    if c is None or c.amplitude < MIN_AMPLITUDE:
        return None
    years = f"{c.period:.1f}".removesuffix(".0")
    cycle = f"{_article(years)} {years}-year cycle"
    shown = ", ".join(str(d.year) for d in c.peaks[-4:])
    text = (
        f"{upper_first(m.label)} rises and falls in a cycle of about {years} years, "
        f"{c.cycles:.0f} times over the series (latest peaks {shown}); the wave explains "
        f"{fmt_pct(c.share)} of its variation around the trend ({fmt_p(c.p_value)})."
    )
    return Candidate(
        "seasonality",
        f"{upper_first(cycle)} in {m.label}",
        text,
        min(1.0, max(c.amplitude / 0.5, c.share)),
        c.p_value,
        evidence(
            m,
            columns=time,
            grain=ts.grain,
            direction="up",
            aggregation=f"{m.agg} of {m.label} per year",
            cycle="multi-year",
            periodYears=round(c.period, 2),
            cycles=round(c.cycles, 1),
            peaks=[d.isoformat() for d in c.peaks],
            share=round(c.share, 4),
            test="periodogram peak against an AR(1) red-noise spectrum, over every tested frequency",
        ),
        ("seasonality", m.name, "multi-year"),
        line_chart(ts, f"{upper_first(m.label)}: {cycle}", m.label),
    )


def _article(number: str) -> str:
    """ "an" before the numbers said with a vowel first: an 8-, an 11-, an 18-, an 80-year cycle."""
    whole = number.split(".")[0]
    return "an" if whole.startswith("8") or whole in ("11", "18") else "a"
