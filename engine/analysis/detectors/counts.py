"""Count distribution: one category (or one entity) holds far more rows than its share.

- A dimension (2–50 values): the leading category against an even spread
  (chi-square goodness of fit), reported when it holds at least twice an even
  share and 1.5× the runner-up ("Hardware holds 67% of incidents"); never for a
  column of one value but for a handful (99% or more).
- An entity (agents, callers, customers): the one with far more rows than the
  others (Poisson test against the others' mean, Bonferroni over entities) —
  "one agent carries three times the typical workload".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.analysis.candidates import Candidate, ChartSpec, evidence
from engine.analysis.detectors.segment_stats import SegmentStats
from engine.analysis.fmt import fmt_num, fmt_p, fmt_pct, label, upper_first
from engine.analysis.semantics.vocabulary import YES_NO
from engine.analysis.stats import chi2_sf, poisson_sf

CHART_CATEGORIES = 30
MIN_ENTITY_ROWS = 10
NEAR_CONSTANT = 0.99


def count_distribution(s: SegmentStats) -> Candidate | None:
    """The category (or entity) far above the others by number of rows, or None."""
    if s.measure.kind != "count" or len(s.names) < 2:
        return None
    if _no_even_spread(s.names):
        return None  # yes/no, a count or a score: "an even spread" over its values means nothing
    return _entity(s) if s.entity or len(s.names) > 50 else _category(s)


def _no_even_spread(names: list[str]) -> bool:
    """Values that no uniform baseline suits: a yes/no flag, or numbers (errors per pick, a 1-5 score)."""
    values = [str(v).strip().lower() for v in names]
    if set(values) <= YES_NO:
        return True
    return all(v.replace(".", "", 1).lstrip("-").isdigit() for v in values)


def _category(s: SegmentStats) -> Candidate | None:
    k, n = len(s.names), float(s.total.sum())
    counts = s.total
    share = float(counts[0] / n)
    if (k == 2 and share < 0.75) or share >= NEAR_CONSTANT:
        return None  # a column of one value but for a handful says nothing about the rows
    if k > 2 and (share < max(0.1, 1.5 / k) or counts[0] < 1.15 * counts[1]):
        return None
    expected = n / k
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    p = chi2_sf(chi2, k - 1)
    what, d = s.measure.noun, label(s.dimension)
    text = (
        f"{s.shown(0)} holds {fmt_pct(share)} of {what} ({fmt_num(counts[0])} of {fmt_num(n)}), against "
        f"{fmt_pct(1 / k)} for an even spread over the {k} {d} values; next is {s.shown(1)} with "
        f"{fmt_pct(float(counts[1] / n))} ({fmt_p(p)})."
    )
    return _candidate(
        s,
        text,
        f"{s.shown(0)} holds {fmt_pct(share)} of {what}",
        share,
        1 / k,
        p,
        chi2=chi2,
        test="chi-square goodness of fit against an even spread",
    )


def _entity(s: SegmentStats) -> Candidate | None:
    k = len(s.names)
    counts = s.total
    top = float(counts[0])
    others = float(counts[1:].mean())
    typical = float(np.median(counts))
    if top < MIN_ENTITY_ROWS or top < 2 * max(typical, 1.0) or others <= 0:
        return None
    p = min(1.0, poisson_sf(top, others) * k)
    n = float(counts.sum())
    what, d = s.measure.noun, label(s.dimension)
    text = (
        f"{upper_first(label(s.dimension))} {s.names[0]} has {fmt_num(top)} {what}, {top / typical:.1f}× the "
        f"typical {fmt_num(typical)} per {d} among {k:,} ({fmt_pct(top / n)} of all; {fmt_p(p)})."
    )
    return _candidate(
        s,
        text,
        f"{s.shown(0)} has far more {what} than other {d} values",
        top / n,
        1 / k,
        p,
        typical=typical,
        ratioToTypical=top / typical,
        test="Poisson test against the other entities' mean, Bonferroni over entities",
    )


def _candidate(
    s: SegmentStats, text: str, title: str, share: float, even: float, p: float, **aggregates: Any
) -> Candidate:
    n = float(s.total.sum())
    return Candidate(
        "count_distribution",
        title,
        text,
        min(1.0, (share - even) / 0.3),  # 30 points above an even share is as big as it gets
        p,
        evidence(
            s.measure,
            dimension=s.dimension,
            entity=s.names[0],
            direction="up",
            filters=[{"column": s.dimension, "equals": s.names[0]}],
            aggregation=f"number of {s.measure.noun} by {s.dimension}",
            top=s.names[0],
            count=float(s.total[0]),
            share=share,
            evenShare=even,
            categories=len(s.names),
            runnerUp=s.names[1],
            runnerUpShare=float(s.total[1] / n),
            **aggregates,
        ),
        ("count_distribution", s.dimension),
        ChartSpec(
            "bar",
            f"{upper_first(s.measure.label)} by {label(s.dimension)}",
            {
                "categories": s.names[:CHART_CATEGORIES],
                "values": s.total[:CHART_CATEGORIES].tolist(),
                "name": s.measure.label,
                "highlight": s.names[0],
            },
        ),
    )
