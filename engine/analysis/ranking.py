"""Rank insight candidates: multiple-testing control, scoring, de-duplication, caps.

Every tested candidate's p-value enters one Benjamini-Hochberg procedure over
the whole run (all types, columns and segments), so the expected share of false
findings among the reported ones stays at or under `FDR_Q`. It is gated by a
test of the table as a whole (Simes: the smallest BH q-value, at `GLOBAL_Q`):
on a table with no pattern at all, BH alone would still report something in
up to 5% of tables; the gate makes that 0.1%, and on a table with one clear
pattern every other finding is judged by BH as before. A candidate's score
is impact × significance, both 0..1, where significance grows with -log10(q):
q=0.05 gives 0.33, q=1e-4 or smaller gives 1. Descriptive candidates (no test)
get a fixed significance. Candidates scoring under `MIN_SCORE` are dropped.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from engine.analysis.candidates import Candidate

FDR_Q = 0.05
GLOBAL_Q = 0.001  # the table shows some pattern at all (Simes' global test) before any tested finding counts
GOAL_WEIGHT = 10.0  # how directly a finding answers the goal outranks how strong it is
MIN_SCORE = 0.2
DESCRIPTIVE_SIGNIFICANCE = 0.8
MAX_PER_TYPE = 4
MAX_INSIGHTS = 15
SEGMENT_TYPES = frozenset(
    {"category_outlier", "segment_comparison", "top_contributor", "count_distribution", "concentration"}
)
MAX_PER_FAMILY = 3  # findings of one type about one family of measures (segment findings only)


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Adjusted q-values (step-up, monotone), in the input order."""
    m = len(p_values)
    if m == 0:
        return []
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(0, 1)
    out = np.empty(m)
    out[order] = adjusted
    return out.tolist()


def apply_fdr(candidates: list[Candidate]) -> None:
    """Set q-values and significance of every tested candidate (one BH run over all of them)."""
    tested = [c for c in candidates if c.p_value is not None]
    qs = benjamini_hochberg([c.p_value or 0.0 for c in tested])
    some_pattern = bool(qs) and min(qs) <= GLOBAL_Q
    for c, q in zip(tested, qs, strict=True):
        c.q_value = q
        passed = some_pattern and q <= FDR_Q
        c.significance = min(1.0, -math.log10(max(q, 1e-300)) / 4) if passed else 0.0


def select(candidates: list[Candidate]) -> tuple[list[Candidate], dict[str, int | float]]:
    """The reported insights, best first (after `apply_fdr`), plus counts describing the selection."""
    tested = [c for c in candidates if c.p_value is not None]
    for c in candidates:
        if c.p_value is None and c.significance is None:
            c.significance = DESCRIPTIVE_SIGNIFICANCE
    # a finding about the goal ranks above every other (its own score still decides whether it is kept)
    scored = sorted(candidates, key=lambda c: -(_score(c) + GOAL_WEIGHT * float(c.extra.get("goal", 0.0))))
    kept: list[Candidate] = []
    seen: set[tuple[str, ...]] = set()
    per_type: Counter[str] = Counter()
    per_family: Counter[tuple[str, str]] = Counter()
    findings = 0
    same_rows: set[tuple[object, ...]] = set()
    # a flow's leader is said by its share of the total ("GM made 41% of all investment"), not again
    # by its mean standing out
    facts: set[tuple[object, ...]] = {
        f for c in scored if c.type == "top_contributor" and _score(c) >= MIN_SCORE and (f := _fact(c))
    }
    for c in scored:
        if _score(c) < MIN_SCORE or c.key in seen or per_type[c.type] >= MAX_PER_TYPE:
            continue
        figures = _figures(c)
        if figures is not None and figures in same_rows:
            continue  # the same rows under another name (species "albigula" is genus "Neotoma")
        fact = _fact(c)
        if fact is not None and fact in facts and c.type != "top_contributor":
            continue  # June's rain stands out and June leads the rain: one fact, said once
        family = (c.type, str(c.extra.get("family")))
        if c.extra.get("family") and per_family[family] >= MAX_PER_FAMILY:
            continue  # Hawaii's long flights by carrier, by destination, by plane: enough said
        quality = c.type == "data_quality"  # counted apart: a data problem never crowds out a finding
        if not quality and findings >= MAX_INSIGHTS:
            continue
        seen.add(c.key)
        if figures is not None:
            same_rows.add(figures)
        if fact is not None:
            facts.add(fact)
        per_type[c.type] += 1
        per_family[family] += 1
        findings += 0 if quality else 1
        kept.append(c)
    stats: dict[str, int | float] = {
        "candidates": len(candidates),
        "tested": len(tested),
        "passedFdr": sum(1 for c in tested if (c.significance or 0.0) > 0),
        "reported": len(kept),
        "fdrQ": FDR_Q,
        "globalQ": GLOBAL_Q,
        "minScore": MIN_SCORE,
    }
    return kept, stats


def _fact(c: Candidate) -> tuple[object, ...] | None:
    """What a segment finding says, whatever its type: the category that leads a measure (its mean
    stands out above the others, or it holds most of the total), or the value over-represented
    inside some category of a dimension (Black pupils concentrated in inner-city schools, White ones
    rarely there: one table's one cell)."""
    ev = c.evidence
    if c.type in ("category_outlier", "top_contributor") and (
        c.type == "top_contributor" or ev.get("direction") == "up"
    ):
        return ("leads", ev.get("measure"), ev.get("dimension"), str(ev.get("entity")))
    drill = ev.get("drillDown") or {}
    aggregates = ev.get("aggregates") or {}
    if c.type == "drill_down" and drill and not aggregates.get("rateOf") and aggregates.get("mean") is None:
        return (
            "inside",
            ev.get("measure"),
            ev.get("dimension"),
            drill.get("dimension"),
            str(drill.get("value")),
        )
    return None


def _figures(c: Candidate) -> tuple[object, ...] | None:
    """A segment finding's numbers, without the segment's name: two findings with the same numbers
    about the same measure describe the same rows, under two columns that label them alike."""
    if c.type == "drill_down" and c.extra.get("two_by_two"):  # churn by plan, or plan by churn: one table
        return (c.type, c.extra["two_by_two"])
    if c.type == "drill_down":  # Priya's low-priority tickets and low priority's Priya: one cell's mean
        cell = frozenset((f["column"], str(f["equals"])) for f in c.evidence.get("filters") or [])
        aggregates = c.evidence.get("aggregates") or {}
        if aggregates.get("rateOf"):  # late and on time at one carrier, or the carrier's late: one rate
            rated = str(aggregates["rateOf"]).split(" = ")[0]
            about = frozenset((col, value) for col, value in cell if col.lower() != rated)
            return (c.type, aggregates["rateOf"], about)
        mean = aggregates.get("mean")  # a count's two shares differ: both say something
        return (
            (c.type, c.evidence.get("measure"), cell, float(f"{float(mean):.6g}")) if cell and mean else None
        )
    if c.type not in SEGMENT_TYPES:
        return None
    aggregates = c.evidence.get("aggregates") or {}
    numbers = tuple(
        float(f"{float(v):.6g}")
        for k, v in sorted(aggregates.items())
        if isinstance(v, int | float | np.floating | np.integer) and not isinstance(v, bool)
    )
    return (c.type, c.evidence.get("measure"), numbers) if len(numbers) >= 2 else None


def score_of(c: Candidate) -> float:
    """The candidate's score: impact × significance, rounded for display."""
    return round(_score(c), 4)


def _score(c: Candidate) -> float:
    return max(0.0, min(1.0, c.impact)) * (c.significance or 0.0)
