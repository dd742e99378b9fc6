"""Insights across the categories of one dimension, for one measure.

- top contributor: the leading category against the runner-up (z-test on sums,
  with each sum's variance estimated from its rows);
- concentration: Pareto share of the top 20% of categories and HHI (descriptive,
  only with enough rows per category for shares to be stable);
- category outlier: the (at most two) categories whose per-row mean differs
  most from all the others (Welch t-test from group aggregates, Bonferroni
  over the categories, since the most extreme ones are picked);
- segment comparison: do per-row means differ across categories (one-way ANOVA
  from group aggregates).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from engine.analysis.candidates import Candidate, ChartSpec
from engine.analysis.fmt import fmt_num, fmt_p, fmt_pct, label
from engine.analysis.segment_stats import SegmentStats

OUTLIERS_PER_DIMENSION = 2


def _evidence(s: SegmentStats, **aggregates: object) -> dict[str, object]:
    return {
        "columns": [s.dimension, s.measure],
        "filters": [],
        "aggregation": f"{s.agg} of {s.measure} by {s.dimension}",
        "aggregates": aggregates,
    }


def _values(s: SegmentStats) -> np.ndarray:
    return s.total if s.agg == "sum" else s.mean


def top_contributor(s: SegmentStats) -> Candidate | None:
    """The leading category when it stands well clear of the runner-up."""
    if len(s.names) < 3 or s.agg != "sum" or s.total[1] <= 0 or _has_negatives(s):
        return None
    ratio = float(s.total[0] / s.total[1])
    var0 = s.count[0] * (s.var[0] + s.mean[0] ** 2)
    var1 = s.count[1] * (s.var[1] + s.mean[1] ** 2)
    z = float((s.total[0] - s.total[1]) / math.sqrt(max(var0 + var1, 1e-12)))
    p = float(stats.norm.sf(z))
    share = float(s.total[0] / s.total.sum())
    if ratio < 1.3:
        return None
    m, d = label(s.measure), label(s.dimension)
    text = (
        f"{s.names[0]} leads {d} on {m} with {fmt_num(s.total[0])} ({fmt_pct(share)} of the total), "
        f"{ratio:.1f}× the next, {s.names[1]} ({fmt_num(s.total[1])}; {fmt_p(p)})."
    )
    return Candidate(
        "top_contributor",
        f"{s.names[0]} is the top {d} for {m}",
        text,
        min(1.0, (ratio - 1) / 1.5) * 0.5 + share * 0.5,
        p,
        {
            **_evidence(
                s,
                top=s.names[0],
                topTotal=s.total[0],
                share=share,
                runnerUp=s.names[1],
                runnerUpTotal=s.total[1],
                ratio=ratio,
                test="z-test of top vs runner-up sums",
            ),
            "filters": [{"column": s.dimension, "equals": s.names[0]}],
        },
        ("top_contributor", s.dimension),
        _bar(s, f"{m.capitalize()} by {d}"),
    )


def concentration(s: SegmentStats) -> Candidate | None:
    """Pareto concentration: few categories hold most of the total."""
    k = len(s.names)
    if k < 5 or s.agg != "sum" or _has_negatives(s) or s.count.sum() < 10 * k:
        return None
    shares = s.total / s.total.sum()
    top_n = max(1, math.ceil(0.2 * k))
    top_share = float(shares[:top_n].sum())
    hhi = float((shares**2).sum())
    cover80 = int(np.searchsorted(np.cumsum(shares), 0.8) + 1)
    if top_share < 0.5:
        return None
    m, d = label(s.measure), label(s.dimension)
    text = (
        f"{m.capitalize()} is concentrated: the top {top_n} of {k} {d} values ({fmt_pct(top_n / k)}) hold "
        f"{fmt_pct(top_share)} of it, {cover80} cover 80%, HHI={hhi:.2f}."
    )
    cum = np.cumsum(shares).tolist()
    return Candidate(
        "concentration",
        f"{m.capitalize()} is concentrated in few {d} values",
        text,
        min(1.0, (top_share - 0.2) / 0.6),
        None,
        _evidence(
            s,
            topN=top_n,
            categories=k,
            topShare=top_share,
            hhi=hhi,
            coverEightyPct=cover80,
            test="descriptive (Pareto share, HHI)",
        ),
        ("concentration", s.dimension),
        ChartSpec(
            "pareto",
            f"{m.capitalize()} by {d} (Pareto)",
            {
                "categories": s.names[:30],
                "values": s.total[:30].tolist(),
                "cumulative": cum[:30],
                "name": s.measure,
            },
        ),
    )


def category_outliers(s: SegmentStats) -> list[Candidate]:
    """The (at most two) categories whose per-row mean stands furthest apart from the rest."""
    k = len(s.names)
    if k < 4:
        return []
    n_all, sum_all = s.count.sum(), (s.mean * s.count).sum()
    sq_all = ((s.var * np.maximum(s.count - 1, 0)) + s.count * s.mean**2).sum()
    typical = float(np.median(s.mean))
    out = []
    for i in range(k):
        n_rest = n_all - s.count[i]
        if s.count[i] < 3 or n_rest < 3:
            continue
        mean_rest = (sum_all - s.mean[i] * s.count[i]) / n_rest
        sq_rest = sq_all - ((s.var[i] * (s.count[i] - 1)) + s.count[i] * s.mean[i] ** 2)
        var_rest = max((sq_rest - n_rest * mean_rest**2) / (n_rest - 1), 0.0)
        se = math.sqrt(s.var[i] / s.count[i] + var_rest / n_rest)
        rel = (s.mean[i] - mean_rest) / abs(mean_rest) if mean_rest else 0.0
        if se == 0 or abs(rel) < 0.25 or abs(s.mean[i] - typical) < 0.25 * abs(typical):
            continue
        t = abs((s.mean[i] - mean_rest) / se)
        p = min(
            1.0, k * float(2 * stats.t.sf(t, df=max(2.0, min(s.count[i], n_rest) - 1)))
        )  # Bonferroni over k
        m, d = label(s.measure), label(s.dimension)
        text = (
            f"{d.capitalize()} {s.names[i]} averages {fmt_num(s.mean[i])} {m} per row, "
            f"{fmt_pct(rel, signed=True)} against {fmt_num(mean_rest)} for the other {k - 1} ({fmt_p(p)})."
        )
        out.append(
            Candidate(
                "category_outlier",
                f"{s.names[i]} stands out on average {m}",
                text,
                min(1.0, abs(rel) / 1.0),
                p,
                {
                    **_evidence(
                        s,
                        category=s.names[i],
                        mean=s.mean[i],
                        meanOthers=mean_rest,
                        rows=int(s.count[i]),
                        relativeDifference=rel,
                        test="Welch t-test, category vs. the rest, Bonferroni over categories",
                    ),
                    "filters": [{"column": s.dimension, "equals": s.names[i]}],
                },
                ("category_outlier", s.dimension, s.names[i]),
                _box(s, f"{m.capitalize()} per row by {d}"),
            )
        )
    out.sort(key=lambda c: -abs(c.evidence["aggregates"]["relativeDifference"]))  # most extreme first
    return out[:OUTLIERS_PER_DIMENSION]


def segment_comparison(s: SegmentStats) -> Candidate | None:
    """Whether per-row means differ across the categories (2 to 12 of them)."""
    k = len(s.names)
    if not 2 <= k <= 12 or (s.count < 2).any():
        return None
    n = s.count.sum()
    grand = (s.mean * s.count).sum() / n
    between = (s.count * (s.mean - grand) ** 2).sum() / (k - 1)
    within = (s.var * (s.count - 1)).sum() / max(n - k, 1)
    if within <= 0:
        return None
    p = float(stats.f.sf(between / within, k - 1, n - k))
    hi, lo = int(np.argmax(s.mean)), int(np.argmin(s.mean))
    gap = (s.mean[hi] - s.mean[lo]) / abs(grand) if grand else 0.0
    if gap < 0.15:
        return None
    m, d = label(s.measure), label(s.dimension)
    text = (
        f"Average {m} per row differs by {d}: {s.names[hi]} {fmt_num(s.mean[hi])} vs {s.names[lo]} "
        f"{fmt_num(s.mean[lo])}, a gap of {fmt_pct(gap)} of the overall mean {fmt_num(grand)} ({fmt_p(p)})."
    )
    return Candidate(
        "segment_comparison",
        f"Average {m} differs by {d}",
        text,
        min(1.0, gap / 1.0),
        p,
        _evidence(
            s,
            highest=s.names[hi],
            highestMean=s.mean[hi],
            lowest=s.names[lo],
            lowestMean=s.mean[lo],
            overallMean=grand,
            fStatistic=between / within,
            test="one-way ANOVA from group aggregates",
        ),
        ("segment_comparison", s.dimension),
        _box(s, f"{m.capitalize()} per row by {d}"),
    )


def _has_negatives(s: SegmentStats) -> bool:
    """Shares of a total only mean something when no row is negative."""
    return any(v is not None and v < 0 for v in s.box["min"])


def _bar(s: SegmentStats, title: str) -> ChartSpec:
    return ChartSpec(
        "bar",
        title,
        {
            "categories": s.names[:30],
            "values": _values(s)[:30].tolist(),
            "name": s.measure,
            "highlight": s.names[0],
        },
    )


def _box(s: SegmentStats, title: str) -> ChartSpec:
    return ChartSpec(
        "box",
        title,
        {
            "categories": s.names[:30],
            "name": s.measure,
            "mean": s.mean[:30].tolist(),
            **{k: v[:30] for k, v in s.box.items()},
        },
    )
