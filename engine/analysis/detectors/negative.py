"""Negative answers to a goal: "no agent stands out", "resolution time does not differ by priority",
"the increase is the same in every category".

Only for the dimensions and measures a goal names, and only when nothing
positive was found about them. A negative is reported when the data could
have shown a difference and did not: enough rows per category, a test far
from significance (p > 0.2), and every category close to the rest (counts
within 1.5× of an even share; means within 15%, or a fifth of a standard
deviation for measures that can be negative). It is descriptive: "not
significant" is not proof, so the text gives the spread that was seen.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, evidence
from engine.analysis.detectors.segment_stats import SegmentStats
from engine.analysis.detectors.segment_trend import segment_cells
from engine.analysis.fmt import fmt_num, fmt_p, fmt_pct, label, upper_first
from engine.analysis.goal import GoalFocus
from engine.analysis.semantics.model import TableModel
from engine.analysis.stats import chi2_sf, f_sf, ols

MIN_ROWS = 30  # per category: fewer, and "no difference" would only mean "too few rows to tell"
FAR_P = 0.2
CLOSE = 0.15


def negative_answers(
    model: TableModel,
    focus: GoalFocus,
    stats: list[SegmentStats],
    grain: str | None,
    rows: pl.DataFrame,
    found: list[Candidate],
) -> list[Candidate]:
    """Negative findings for the goal's (dimension, measure) pairs that nothing positive was found for."""
    shown = [
        c for c in found if (c.significance or 0) > 0 or (c.p_value is None and c.type != "data_quality")
    ]
    positive = {
        (c.evidence.get("dimension"), c.evidence.get("measure")) for c in shown if c.type != "segment_trend"
    }
    moving = {
        (c.evidence.get("dimension"), c.evidence.get("measure")) for c in shown if c.type == "segment_trend"
    }
    out: list[Candidate] = []
    measures = focus.measures or [model.count.name]
    for s in stats:
        if s.dimension not in focus.dimensions or s.measure.name not in measures:
            continue
        if (s.dimension, s.measure.name) in positive or model.is_circular(s.dimension, s.measure):
            continue
        c = _even_counts(s) if s.measure.kind == "count" else _equal_means(s)
        if c:
            out.append(c)
    if grain and "time" in focus.intents and model.table_kind == "events":
        for dim in focus.dimensions:
            for name in measures:
                m = model.measure(name)
                if (dim, name) in moving or m.kind not in ("count", "duration"):
                    continue
                c = _uniform_trend(model, rows, dim, name, grain)
                if c:
                    out.append(c)
    return out


def _negative(c: Candidate) -> Candidate:
    c.evidence["negative"] = True
    c.evidence["direction"] = None
    return c


def _even_counts(s: SegmentStats) -> Candidate | None:
    k, n = len(s.names), float(s.total.sum())
    if k < 2 or n < MIN_ROWS * k:
        return None
    expected = n / k
    chi2 = float(((s.total - expected) ** 2 / expected).sum())
    p = chi2_sf(chi2, k - 1)
    top = float(s.total[0] / n)
    if p <= FAR_P or top > 1.5 / k:
        return None
    what, d = s.measure.noun, label(s.dimension)
    text = (
        f"No {d} stands out on {what}: the busiest, {s.shown(0)}, has {fmt_pct(top)} of them against an even "
        f"{fmt_pct(1 / k)} for each of the {k} (chi-square {fmt_p(p)})."
    )
    return _negative(
        Candidate(
            "count_distribution",
            f"No {d} stands out on {what}",
            text,
            0.5,
            None,
            evidence(
                s.measure,
                dimension=s.dimension,
                aggregation=f"number of {what} by {s.dimension}",
                busiest=s.names[0],
                share=top,
                evenShare=1 / k,
                pValue=p,
                test="chi-square goodness of fit against an even spread: far from significant",
            ),
            ("count_distribution", s.dimension, "negative"),
            ChartSpec(
                "bar",
                f"{upper_first(what)} by {d}",
                {"categories": s.names[:30], "values": s.total[:30].tolist(), "name": what},
            ),
        )
    )


def _equal_means(s: SegmentStats) -> Candidate | None:
    k = len(s.names)
    if k < 2 or (s.count < MIN_ROWS).any():
        return None
    n = float(s.count.sum())
    grand = float((s.mean * s.count).sum() / n)
    between = float((s.count * (s.mean - grand) ** 2).sum()) / (k - 1)
    within = float((s.var * (s.count - 1)).sum()) / max(n - k, 1)
    if within <= 0:
        return None
    p = f_sf(between / within, k - 1, n - k)
    signed = s.signed
    spread = math.sqrt(within)
    worst = float(np.max(np.abs(s.mean - grand)))
    close = worst <= (0.2 * spread if signed else CLOSE * abs(grand))
    if p <= FAR_P or not close:
        return None
    m, d = s.measure.label, label(s.dimension)
    band = (
        f"{worst / abs(grand):.0%}" if grand and not signed else f"{worst / spread:.2f} standard deviations"
    )
    text = (
        f"{upper_first(m)} does not differ by {d}: every one of the {k} is within {band} of the overall "
        f"{fmt_num(grand, s.measure.unit, s.measure.symbol)} (ANOVA {fmt_p(p)})."
    )
    return _negative(
        Candidate(
            "segment_comparison",
            f"{upper_first(m)} does not differ by {d}",
            text,
            0.5,
            None,
            evidence(
                s.measure,
                dimension=s.dimension,
                aggregation=f"mean of {m} by {s.dimension}",
                overallMean=grand,
                largestGap=worst,
                pValue=p,
                test="one-way ANOVA from group aggregates: far from significant",
            ),
            ("segment_comparison", s.dimension, s.measure.name, "negative"),
            ChartSpec(
                "bar",
                f"Average {m} by {d}",
                {"categories": s.names[:30], "values": s.mean[:30].tolist(), "name": m},
            ),
        )
    )


def _uniform_trend(
    model: TableModel, rows: pl.DataFrame, dim: str, name: str, grain: str
) -> Candidate | None:
    """Every segment's trend runs like the others': the change is the same across the dimension."""
    m = model.measure(name)
    cells = segment_cells(rows, [dim], [m], grain, model.distinct).get(dim)
    if cells is None or len(cells.top) < 2:
        return None
    frame = cells.frame
    totals = frame.group_by("period").agg(pl.col("rows").sum().alias("all")).sort("period")
    slopes, ps = [], []
    for seg in cells.top:
        own = totals.join(frame.filter(pl.col("seg") == seg), on="period", how="left").fill_null(0)
        if m.kind == "count":
            y = (own["rows"] / own["all"]).to_numpy().astype(float)
        else:
            n = own[f"{m.name}\x00n"].to_numpy().astype(float)
            y = np.where(n > 0, own[f"{m.name}\x00sum"].to_numpy() / np.maximum(n, 1), np.nan)
        ok = np.isfinite(y)
        if ok.sum() < 6:
            return None
        t = np.arange(len(y), dtype=float)[ok]
        slope, _, _, p = ols(t, y[ok] - float(np.nanmean(y)))
        slopes.append(slope / (float(np.nanmean(np.abs(y))) or 1.0))
        ps.append(p)
    if min(ps) * len(ps) <= FAR_P:
        return None
    what = f"share of {m.noun}" if m.kind == "count" else m.label
    text = (
        f"The change in {what} over time is the same across {label(dim)}: none of the {len(cells.top)} "
        f"busiest moves apart from the others (smallest p={min(ps):.2f} before correcting for "
        f"{len(ps)} tests)."
    )
    return _negative(
        Candidate(
            "segment_trend",
            f"The change in {what} is uniform across {label(dim)}",
            text,
            0.5,
            None,
            evidence(
                m,
                dimension=dim,
                grain=cells.grain,
                aggregation=f"{what} per {cells.grain} by {dim}",
                segments=len(cells.top),
                smallestP=min(ps),
                test="per-segment slopes against the rest: none significant",
            ),
            ("segment_trend", dim, name, "negative"),
            None,
        )
    )
