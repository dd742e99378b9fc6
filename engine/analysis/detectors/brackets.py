"""A measure's brackets used as a dimension: "claims above 5,000 take 3× longer to process".

For a flow X and another measure Y (a duration first), rows are split at round
thresholds of X (1, 2, 2.5 and 5 × a power of ten) between its 20th and 98th
percentiles; a bracket holds at least 2% of the rows and 20 of them (the large
claims that take longest are often the top few percent). The split with the
largest Welch t statistic on Y is kept when the mean of Y above it is at least
1.5× (or at most 1/1.5 of) the mean below. Bonferroni over the thresholds tried.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, direction_of, evidence
from engine.analysis.fmt import fmt_num, fmt_p, label, upper_first
from engine.analysis.semantics.model import Measure
from engine.analysis.stats import welch

MIN_RATIO = 1.5
MIN_SHARE = 0.02
MIN_ROWS = 20
TOP_QUANTILE = 0.98
SAMPLE = 200_000


def thresholds(lo: float, hi: float) -> list[float]:
    """Round numbers between lo and hi, within three powers of ten of hi.

    A measure that is mostly zero (plague deaths in most years) has lo = 0: a cut
    at 1e-09 would read as nonsense, so the smallest tried is hi's scale / 1000.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or hi <= 0:
        return []
    out = []
    top = math.ceil(math.log10(hi))
    for exp in range(max(math.floor(math.log10(max(lo, 1e-300))), top - 3), top + 1):
        for base in (1, 2, 2.5, 5):
            v = base * 10**exp
            if lo <= v <= hi:
                out.append(float(v))
    return out


def bracket(df: pl.DataFrame, x: Measure, y: Measure) -> Candidate | None:
    """The round threshold of x that best splits y, or None."""
    data = df.select(pl.col(x.name).cast(pl.Float64).alias("x"), y.value().alias("y")).drop_nulls()
    if data.height > SAMPLE:
        data = data.gather_every(data.height // SAMPLE)
    if data.height < 40:
        return None
    xs, ys = data["x"].to_numpy(), data["y"].to_numpy()
    if float(xs.min()) < 0:  # brackets of an amount; a change that runs negative is no amount
        return None
    cuts = thresholds(float(np.quantile(xs, 0.2)), float(np.quantile(xs, TOP_QUANTILE)))
    least = max(MIN_ROWS, MIN_SHARE * len(xs))
    best: tuple[float, float, float, float, float, float] | None = None
    for cut in cuts:
        above = xs >= cut
        na, nb = int(above.sum()), int((~above).sum())
        if na < least or nb < least:
            continue
        ma, mb = float(ys[above].mean()), float(ys[~above].mean())
        t, p = welch(ma, float(ys[above].var(ddof=1)), na, mb, float(ys[~above].var(ddof=1)), nb)
        if best is None or abs(t) > abs(best[0]):
            best = (t, p, cut, ma, mb, na / len(xs))
    if best is None:
        return None
    _, p_raw, cut, ma, mb, share = best
    ratio = ma / mb if mb > 0 and ma > 0 else None
    if ratio is None or (ratio < MIN_RATIO and ratio > 1 / MIN_RATIO):
        return None
    p = min(1.0, p_raw * len(cuts))
    bracket_name = f"≥ {fmt_num(cut, x.unit, x.symbol)}"
    dim = f"{x.name} bracket"
    how = f"{ratio:.1f}× the" if ratio >= 1 else f"{1 / ratio:.1f}× less than the"
    text = (
        f"Rows with {label(x.name)} {bracket_name} average {fmt_num(ma, y.unit, y.symbol)} {y.label}, {how} "
        f"{fmt_num(mb, y.unit, y.symbol)} below it ({share:.0%} of rows are above; {fmt_p(p)})."
    )
    return Candidate(
        "bracket",
        f"{upper_first(label(x.name))} {bracket_name}: {y.label} {ratio:.1f}×"
        if ratio >= 1
        else f"{upper_first(label(x.name))} {bracket_name}: {y.label} ÷{1 / ratio:.1f}",
        text,
        min(1.0, abs(math.log(ratio)) / math.log(3)),
        p,
        evidence(
            y,
            dimension=dim,
            entity=bracket_name,
            direction=direction_of(ma - mb),
            columns=[x.name],
            aggregation=f"mean of {y.label}, {x.name} {bracket_name} vs below",
            threshold=cut,
            meanAbove=ma,
            meanBelow=mb,
            ratio=ratio,
            shareAbove=share,
            bracketOf=x.name,
            test="Welch t-test at the best round threshold, Bonferroni over thresholds",
        ),
        ("bracket", x.name, y.name),
        ChartSpec(
            "bar",
            f"{upper_first(y.label)} by {label(x.name)} bracket",
            {
                "categories": [f"< {fmt_num(cut, x.unit, x.symbol)}", bracket_name],
                "values": [mb, ma],
                "name": y.label,
                "highlight": bracket_name,
            },
        ),
    )
