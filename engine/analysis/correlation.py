"""Correlation between measures (Pearson on complete rows; above 200k rows, on every k-th row).

Pairs derived from one another (total = units × price, or a + b, a - b) are
skipped: their relation is arithmetic, not a finding.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl
from scipy import stats

from engine.analysis.candidates import Candidate, ChartSpec
from engine.analysis.fmt import fmt_p, label
from engine.analysis.roles import Roles

SAMPLE_ROWS = 100_000
SCATTER_POINTS = 800
MIN_ABS_R = 0.3


def derived_pairs(roles: Roles) -> set[frozenset[str]]:
    """Pairs of measures linked by arithmetic (target with each operand, and the operands' pair for ±)."""
    pairs: set[frozenset[str]] = set()
    for target, (op, a, b) in roles.derived.items():
        pairs |= {frozenset((target, a)), frozenset((target, b))}
        if op in "+-":
            pairs.add(frozenset((a, b)))
    return pairs


def correlations(df: pl.DataFrame, roles: Roles) -> tuple[list[Candidate], dict[str, object]]:
    """One candidate per measure pair with |r| >= 0.3, plus what was skipped or sampled."""
    measures = roles.measures[:10]
    skip = derived_pairs(roles)
    pairs = [(a, b) for a, b in combinations(measures, 2) if frozenset((a, b)) not in skip]
    info: dict[str, object] = {"skippedDerivedPairs": sorted(sorted(p) for p in skip)}
    if not pairs:
        return [], info
    data = df.select(measures)
    if data.height > 2 * SAMPLE_ROWS:
        data = data.gather_every(data.height // SAMPLE_ROWS)  # systematic sample: every k-th row
        info["sampledRows"] = data.height
    out = []
    for a, b in pairs:
        both = data.select(pl.col(a).cast(pl.Float64), pl.col(b).cast(pl.Float64)).drop_nulls()
        x, y = both[a].to_numpy(), both[b].to_numpy()
        if len(x) < 8 or np.std(x) == 0 or np.std(y) == 0:
            continue
        r, p, slope, intercept = _pearson(x, y)
        if abs(r) < MIN_ABS_R:
            continue
        la, lb = label(a), label(b)
        text = (
            f"{la.capitalize()} and {lb} move {'together' if r > 0 else 'in opposite directions'}: "
            f"r={r:.2f} over {len(x):,} rows ({fmt_p(p)}); each extra unit of {la} goes with "
            f"{slope:+.3g} {lb}."
        )
        pick = np.linspace(0, len(x) - 1, min(SCATTER_POINTS, len(x))).astype(int)
        out.append(
            Candidate(
                "correlation",
                f"{la.capitalize()} and {lb} are {'positively' if r > 0 else 'negatively'} correlated",
                text,
                abs(r),
                p,
                {
                    "columns": [a, b],
                    "filters": [],
                    "aggregation": "row level",
                    "aggregates": {
                        "pearsonR": r,
                        "rows": len(x),
                        "slope": float(slope),
                        "intercept": float(intercept),
                        "sampled": "sampledRows" in info,
                        "test": "Pearson correlation t-test",
                    },
                },
                ("correlation", *sorted((a, b))),
                ChartSpec(
                    "scatter",
                    f"{la.capitalize()} vs {lb}",
                    {
                        "x": x[pick].tolist(),
                        "y": y[pick].tolist(),
                        "xName": a,
                        "yName": b,
                        "fit": [float(slope), float(intercept)],
                    },
                ),
            )
        )
    return out, info


def _pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Pearson r, its two-sided t-test p-value, and the least-squares line y = slope*x + intercept."""
    n = len(x)
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(np.sum(dx * dx)), float(np.sum(dy * dy))  # not BLAS: its threads cost more here
    r = max(-1.0, min(1.0, float(np.sum(dx * dy)) / np.sqrt(sxx * syy)))
    t = r * np.sqrt((n - 2) / max(1e-300, 1 - r * r))
    p = float(2 * stats.t.sf(abs(t), df=n - 2))
    slope = r * np.sqrt(syy / sxx)
    return r, p, float(slope), float(y.mean() - slope * x.mean())
