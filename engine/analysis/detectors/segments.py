"""Findings across the categories (or entities) of one column, for one measure.

- top contributor: the leading category of a count or flow against the
  runner-up (z-test on sums, each sum's variance estimated from its rows);
- concentration: Pareto share of the top 20% of categories and HHI (descriptive;
  with enough rows per category for shares to be stable), for counts and flows,
  high-cardinality entities included ("20 of 500 customers hold 80% of revenue");
- category outlier: the (at most two) categories whose per-row mean differs
  most from all the others (Welch t-test, Bonferroni over the categories);
- segment comparison: do per-row means differ across categories (one-way ANOVA
  from group aggregates).

Levels and durations are compared by their means only: a total of prices or of
resolution times means nothing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.analysis.candidates import Candidate, ChartSpec, direction_of, evidence
from engine.analysis.detectors.segment_stats import SegmentStats
from engine.analysis.fmt import fmt_num, fmt_p, fmt_pct, label, upper_first
from engine.analysis.stats import f_sf, norm_sf, t_two_sided, welch

OUTLIERS_PER_DIMENSION = 2
MIN_OUTLIER_ROWS = 5
CHART_CATEGORIES = 30
LARGE_GAP_SD = 0.5  # segment means this many standard deviations apart differ, whatever their level
MIRROR_RATIO = 1.25  # a flow's leader must hold this many times its share of the rows
MIRROR_GAP = 0.05  # a flow's top categories must hold this much more of it than of the rows


def _ev(
    s: SegmentStats, entity: object = None, direction: str | None = None, **aggregates: Any
) -> dict[str, Any]:
    filters = [{"column": s.dimension, "equals": entity}] if entity is not None else []
    how = "number of rows" if s.measure.kind == "count" else f"{s.agg} of {s.measure.label}"
    return evidence(
        s.measure,
        dimension=s.dimension,
        entity=entity,
        direction=direction,
        filters=filters,
        aggregation=f"{how} by {s.dimension}",
        **aggregates,
    )


def _named(s: SegmentStats, i: int) -> str:
    """The category with its column ("Department Support"), or alone when prose names it ("Hour 18")."""
    shown = s.shown(i)
    return f"{upper_first(label(s.dimension))} {shown}" if shown == s.names[i] else shown


def _fmt(s: SegmentStats, value: float) -> str:
    return fmt_num(value, s.measure.unit, s.measure.symbol)


def top_contributor(s: SegmentStats, *, main: bool = True) -> Candidate | None:
    """The leading category of a count or flow when it stands well clear of the runner-up.

    A flow's leader that holds about its share of the rows and no more says
    only that it has the most rows ("average health" patients make most doctor
    visits because most patients report average health): that is the count's
    finding, not this one's. Money (`main`) is the exception while its leader
    holds under half the rows: "North brings the most revenue" is read for
    itself; "loans with no collections hold 99% of the amount lent" is not.
    """
    if len(s.names) < 3 or not s.measure.summable or s.total[1] <= 0 or _has_negatives(s):
        return None
    ratio = float(s.total[0] / s.total[1])
    if ratio < 1.2:
        return None
    rows_share = float(s.rows[0] / s.rows.sum())
    mirrors = s.total[0] < MIRROR_RATIO * rows_share * s.total.sum()
    if s.measure.kind != "count" and mirrors and (not main or rows_share >= 0.5):
        return None
    if abs(s.count[0] - s.count[1]) <= 0.1 * max(s.count[0], s.count[1]) and s.measure.kind != "count":
        # as many rows each (a panel: one per period): the totals differ exactly as the means do
        t, p2 = welch(s.mean[0], s.var[0], s.count[0], s.mean[1], s.var[1], s.count[1])
        p = p2 / 2 if t > 0 else 1.0
    else:  # rows arrive at random: each total's variance is its count times the second moment
        var0 = s.count[0] * (s.var[0] + s.mean[0] ** 2)
        var1 = s.count[1] * (s.var[1] + s.mean[1] ** 2)
        p = norm_sf(float((s.total[0] - s.total[1]) / math.sqrt(max(var0 + var1, 1e-12))))
    share = float(s.total[0] / s.total.sum())
    k = len(s.names)
    p_value: float | None = p
    if p > 0.05 and k >= 10 and share >= max(0.1, 3 / k):
        p_value = None  # among many, the leader holding a large share is a fact worth stating, untested
    m, d = s.measure.label, label(s.dimension)
    text = (
        f"{s.shown(0)} leads {d} on {m} with {_fmt(s, s.total[0])} ({fmt_pct(share)} of the total), "
        f"{ratio:.1f}× the next, {s.shown(1)} ({_fmt(s, s.total[1])}; {fmt_p(p_value)})."
    )
    return Candidate(
        "top_contributor",
        f"{s.shown(0)} is the top {d} for {m}",
        text,
        min(1.0, (share - 1 / len(s.names)) / 0.3) * 0.5 + min(1.0, ratio - 1) * 0.5,
        p_value,
        _ev(
            s,
            s.names[0],
            "up",
            top=s.names[0],
            topTotal=s.total[0],
            share=share,
            runnerUp=s.names[1],
            runnerUpTotal=s.total[1],
            ratio=ratio,
            test="top vs runner-up: Welch t-test when both have as many rows, else z-test of the sums",
        ),
        ("top_contributor", s.dimension, s.measure.name),
        _bar(s, f"{upper_first(m)} by {d}"),
    )


def concentration(s: SegmentStats) -> Candidate | None:
    """Pareto concentration: few categories (or entities) hold most of a count or flow."""
    k = len(s.names)
    if k < 5 or not s.measure.summable or _has_negatives(s) or s.total.sum() <= 0:
        return None
    if s.measure.kind == "count" and s.rows.sum() < 10 * k and not s.entity:
        return None
    shares = np.sort(s.total)[::-1] / s.total.sum()
    top_n = max(1, math.ceil(0.2 * k))
    top_share = float(shares[:top_n].sum())
    hhi = float((shares**2).sum())
    cover80 = int(np.searchsorted(np.cumsum(shares), 0.8) + 1)
    if top_share < 0.5 or (s.entity and cover80 > 0.5 * k):
        return None
    if s.measure.kind != "count" and s.rows.sum() > 0:
        leaders = np.argsort(-s.total, kind="stable")[:top_n]
        if top_share - float(s.rows[leaders].sum() / s.rows.sum()) < MIRROR_GAP:
            return None  # the leaders hold that much of it because they hold that many of the rows
    m, d = s.measure.label, label(s.dimension)
    text = (
        f"{upper_first(m)} is concentrated: the top {top_n} of {k:,} {d} values ({fmt_pct(top_n / k)}) hold "
        f"{fmt_pct(top_share)} of it; {cover80:,} ({fmt_pct(cover80 / k)}) cover 80%, HHI={hhi:.2f}."
    )
    cum = np.cumsum(shares).tolist()
    return Candidate(
        "concentration",
        f"{upper_first(m)} is concentrated in few {d} values",
        text,
        min(1.0, (top_share - 0.2) / 0.6),
        None,
        _ev(
            s,
            None,
            None,
            topN=top_n,
            categories=k,
            topShare=top_share,
            hhi=hhi,
            coverEightyPct=cover80,
            top=s.names[:5],
            test="descriptive (Pareto share, HHI)",
        ),
        ("concentration", s.dimension),  # one Pareto per dimension: of rows or of the main flow
        ChartSpec(
            "pareto",
            f"{upper_first(m)} by {d} (Pareto)",
            {
                "categories": s.names[:CHART_CATEGORIES],
                "values": s.total[:CHART_CATEGORIES].tolist(),
                "cumulative": cum[:CHART_CATEGORIES],
                "name": m,
            },
        ),
    )


def category_outliers(s: SegmentStats) -> list[Candidate]:
    """The (at most two) categories whose per-row mean stands furthest apart from the rest.

    For measures that can be negative (delays, returns) the size is judged in
    standard deviations, since a ratio to a mean near zero means nothing.
    """
    k = len(s.names)
    if k < 3 or s.measure.kind == "count":
        return []
    n = s.count
    n_all, sum_all = n.sum(), (s.mean * n).sum()
    sq_all = ((s.var * np.maximum(n - 1, 0)) + n * s.mean**2).sum()
    n_rest = n_all - n
    mean_rest, se = _against_rest(n, s.mean, s.var)
    with np.errstate(divide="ignore", invalid="ignore"):
        signed = _signed(s)
        sd_all = math.sqrt(max((sq_all - n_all * (sum_all / n_all) ** 2) / max(n_all - 1, 1), 0.0)) or 1.0
        rel = np.where(mean_rest != 0, (s.mean - mean_rest) / np.abs(mean_rest), 0.0)
        size = (s.mean - mean_rest) / sd_all if signed else rel
        typical = float(np.median(s.mean))
        far = np.abs(s.mean - typical) >= (0.1 * sd_all if signed else 0.25 * abs(typical))
    ok = (
        (n >= MIN_OUTLIER_ROWS) & (n_rest >= 3) & (se > 0) & (np.abs(size) >= (0.2 if signed else 0.25)) & far
    )
    order = [int(i) for i in np.argsort(-np.abs(np.where(ok, size, 0.0))) if ok[i]][
        : OUTLIERS_PER_DIMENSION * 3
    ]
    out = []
    on_logs = None if signed else _welch_on_logs(s)
    for i in order:
        t = abs((s.mean[i] - mean_rest[i]) / se[i])
        df = max(2.0, min(n[i], n_rest[i]) - 1)
        p = min(1.0, k * t_two_sided(t, df))  # Bonferroni over k
        if on_logs is not None:  # a few huge amounts make a mean stand out: it must on the log scale too
            p = max(p, min(1.0, k * t_two_sided(float(on_logs[i]), df)))
        out.append(_outlier(s, i, float(mean_rest[i]), float(rel[i]), float(size[i]), signed, p, k))
        if len(out) >= OUTLIERS_PER_DIMENSION:
            break
    return out


def _welch_on_logs(s: SegmentStats) -> np.ndarray | None:
    """|t| of each category against the rest on log(1 + value): skewed amounts (a claim of 10,000
    among claims of 50) give a raw t-test far smaller p-values than the data support."""
    if s.log_mean is None or s.log_var is None or s.log_count is None:
        return None
    mean_rest, se = _against_rest(s.log_count, s.log_mean, s.log_var)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(se > 0, np.abs(s.log_mean - mean_rest) / se, 0.0)


def _against_rest(n: np.ndarray, mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each category, from per-category counts, means and variances: the mean of all other rows
    and the standard error of the difference between the two (Welch)."""
    n_all, sum_all = n.sum(), (mean * n).sum()
    sq_all = ((var * np.maximum(n - 1, 0)) + n * mean**2).sum()
    n_rest = n_all - n
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_rest = (sum_all - mean * n) / n_rest
        sq_rest = sq_all - ((var * (n - 1)) + n * mean**2)
        var_rest = np.maximum((sq_rest - n_rest * mean_rest**2) / (n_rest - 1), 0.0)
        return mean_rest, np.sqrt(var / n + var_rest / n_rest)


def _signed(s: SegmentStats) -> bool:
    """Whether the measure takes negative values (then sizes are in standard deviations)."""
    return s.signed


def _outlier(
    s: SegmentStats, i: int, mean_rest: float, rel: float, size: float, signed: bool, p: float, k: int
) -> Candidate:
    m = s.measure.label
    times = s.mean[i] / mean_rest if not signed and mean_rest > 0 and s.mean[i] > 0 else None
    how = f"{times:.1f}× " if times and times >= 1.5 else ""
    per = "per row"
    gap = f"{size:+.1f} standard deviations" if signed else fmt_pct(rel, signed=True)
    text = (
        f"{_named(s, i)} averages {_fmt(s, s.mean[i])} {m} {per}, "
        f"{how}{'above' if s.mean[i] > mean_rest else 'below'} the {_fmt(s, mean_rest)} of the other "
        f"{k - 1:,} "
        f"({gap}, {fmt_p(p)})."
    )
    impact = min(1.0, abs(size) / (0.6 if signed else 1.0))
    return Candidate(
        "category_outlier",
        f"{s.shown(i)} stands out on average {m}",
        text,
        impact,
        p,
        _ev(
            s,
            s.names[i],
            direction_of(s.mean[i] - mean_rest),
            category=s.names[i],
            mean=s.mean[i],
            meanOthers=mean_rest,
            rows=int(s.count[i]),
            relativeDifference=None if signed else rel,
            standardizedDifference=size if signed else None,
            test="Welch t-test, category vs. the rest, Bonferroni over categories",
        ),
        ("means", s.dimension, s.measure.name),  # one story per dimension and measure, outlier or comparison
        _box(s, f"{upper_first(m)} per row by {label(s.dimension)}", s.names[i]),
    )


def segment_comparison(s: SegmentStats) -> Candidate | None:
    """Whether per-row means differ across the categories (2 to 12 of them)."""
    k = len(s.names)
    if not 2 <= k <= 12 or s.measure.kind == "count" or (s.count < 2).any() or s.entity:
        return None
    n = s.count.sum()
    grand = (s.mean * s.count).sum() / n
    between = (s.count * (s.mean - grand) ** 2).sum() / (k - 1)
    within = (s.var * (s.count - 1)).sum() / max(n - k, 1)
    if within <= 0:
        return None
    p = f_sf(between / within, k - 1, n - k)
    hi, lo = int(np.argmax(s.mean)), int(np.argmin(s.mean))
    extreme = hi if abs(s.mean[hi] - grand) >= abs(s.mean[lo] - grand) else lo  # the category it is about
    signed = _signed(s)
    sd = math.sqrt(
        max(((s.var * (s.count - 1)).sum() + (s.count * (s.mean - grand) ** 2).sum()) / max(n - 1, 1), 0)
    )
    gap = (s.mean[hi] - s.mean[lo]) / (sd if signed else abs(grand)) if (sd if signed else grand) else 0.0
    spread = (s.mean[hi] - s.mean[lo]) / sd if sd else 0.0
    # far from zero (heights, temperatures) a large gap is a small share of the mean: half a
    # standard deviation between the extremes is a difference an analyst reports all the same
    if gap < (0.3 if signed else 0.15) and spread < LARGE_GAP_SD:
        return None
    m, d = s.measure.label, label(s.dimension)
    how = (
        f"{gap:.1f} standard deviations" if signed else f"{fmt_pct(gap)} of the overall mean {_fmt(s, grand)}"
    )
    text = (
        f"Average {m} per row differs by {d}: {s.shown(hi)} {_fmt(s, s.mean[hi])} vs {s.shown(lo)} "
        f"{_fmt(s, s.mean[lo])}, a gap of {how} ({fmt_p(p)})."
    )
    eta2 = between * (k - 1) / (between * (k - 1) + within * (n - k)) if within > 0 else 0.0
    return Candidate(
        "segment_comparison",
        f"Average {m} differs by {d}",
        text,
        min(1.0, math.sqrt(eta2) / 0.5),  # the share of the variance the dimension explains
        p,
        _ev(
            s,
            s.names[extreme],
            "up" if extreme == hi else "down",
            highest=s.names[hi],
            highestMean=s.mean[hi],
            lowest=s.names[lo],
            lowestMean=s.mean[lo],
            overallMean=grand,
            fStatistic=between / within,
            etaSquared=eta2,
            test="one-way ANOVA from group aggregates",
        ),
        ("means", s.dimension, s.measure.name),
        _box(s, f"{upper_first(m)} per row by {d}", s.names[extreme]),
    )


def _has_negatives(s: SegmentStats) -> bool:
    """Shares of a total only mean something when no row is negative."""
    return _signed(s)


def _bar(s: SegmentStats, title: str) -> ChartSpec:
    values = s.total if s.measure.summable else s.mean
    return ChartSpec(
        "bar",
        title,
        {
            "categories": s.names[:CHART_CATEGORIES],
            "values": values[:CHART_CATEGORIES].tolist(),
            "name": s.measure.label,
            "highlight": s.names[0],
        },
    )


def _box(s: SegmentStats, title: str, highlight: str) -> ChartSpec:
    order = (
        np.argsort(-s.count)[:CHART_CATEGORIES]
        if len(s.names) > CHART_CATEGORIES
        else np.arange(len(s.names))
    )
    if highlight in s.names and s.names.index(highlight) not in order:
        order = np.append(order[:-1], s.names.index(highlight))
    return ChartSpec(
        "box",
        title,
        {
            "categories": [s.names[i] for i in order],
            "name": s.measure.label,
            "mean": s.mean[order].tolist(),
            "highlight": highlight,
            **{k: [v[i] for i in order] for k, v in s.box.items()},
        },
    )
