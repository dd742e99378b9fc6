"""Decide which columns play which part: the time axis, measures, dimensions, derived measures.

A measure is a numeric column that is not an identifier or flag. Additive
measures (revenue, units) are summed per period or segment; intensive ones
(price, rating, discount, percentages) are averaged. A measure that equals the
product, sum or difference of two others on (nearly) every row is derived,
and pairs built from one another are never reported as correlations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import polars as pl

from engine.analysis.profile import ColumnProfile

_INTENSIVE = re.compile(
    r"price|rate|ratio|pct|percent|share|score|rating|avg|average|mean|discount|margin|age|temp|"
    r"latitude|longitude|lat$|lon$|lng$|index|level|speed|duration",
    re.I,
)
_MAIN = re.compile(r"revenue|sales|amount|total|profit|turnover|income|spend|cost|value|gmv", re.I)
MAX_DIMENSION_CARDINALITY = 50
MAX_MEASURES = 12  # measures examined (first in file order); wide files keep the rest in the profile only
DERIVED_SAMPLE = 20000


@dataclass
class Roles:
    """Column roles for the insight detectors."""

    time: str | None = None
    measures: list[str] = field(default_factory=list)
    main: str | None = None
    dimensions: list[str] = field(default_factory=list)
    additive: dict[str, bool] = field(default_factory=dict)
    derived: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # c -> (op, a, b)

    def agg(self, measure: str) -> str:
        """'sum' for additive measures, 'mean' for intensive ones."""
        return "sum" if self.additive.get(measure, True) else "mean"


def assign_roles(df: pl.DataFrame, profiles: list[ColumnProfile]) -> Roles:
    """Pick time column, measures (main first), dimensions and derived relations."""
    roles = Roles()
    dates = [p for p in profiles if p.semantic == "datetime" and p.distinct >= 3]
    if dates:
        roles.time = max(dates, key=lambda p: p.distinct).name
    measures = [p for p in profiles if p.semantic in ("numeric", "integer") and p.distinct > 2]
    for p in measures:
        unit = p.parsing.get("unit")
        roles.additive[p.name] = unit != "percent" and not _INTENSIVE.search(p.name)
    measures = measures[:MAX_MEASURES]
    roles.measures = [p.name for p in measures]
    roles.derived = _derived(df, roles.measures)
    if roles.measures:
        roles.main = _main_measure(measures, roles)
        roles.measures.remove(roles.main)
        roles.measures.insert(0, roles.main)
    dims = [
        p
        for p in profiles
        if p.semantic in ("categorical", "boolean") and 2 <= p.distinct <= MAX_DIMENSION_CARDINALITY
    ]
    dims.sort(key=lambda p: (p.missing, abs(p.distinct - 6)))
    roles.dimensions = [p.name for p in dims][:5]
    return roles


def _main_measure(measures: list[ColumnProfile], roles: Roles) -> str:
    def rank(p: ColumnProfile) -> tuple[int, int, int, float]:
        """Named like a total, additive, derived, then largest sum."""
        named = 1 if _MAIN.search(p.name) else 0
        derived = 1 if p.name in roles.derived else 0
        return (named, roles.additive[p.name], derived, float(p.stats.get("sum") or 0))

    return max(measures, key=rank).name


def _derived(df: pl.DataFrame, measures: list[str]) -> dict[str, tuple[str, str, str]]:
    """c = a*b, a+b or a-b on at least 95% of complete rows of a sample."""
    if len(measures) < 3:
        return {}
    sample = df.select(measures).head(DERIVED_SAMPLE).drop_nulls()
    if sample.height < 3:
        return {}
    cols = {m: sample[m].cast(pl.Float64).to_numpy() for m in measures}
    found: dict[str, tuple[str, str, str]] = {}
    for c in measures:
        target = cols[c]
        tol = 0.01 * np.abs(target) + 0.011
        for a, b in combinations([m for m in measures if m != c], 2):
            for op, value in (("*", cols[a] * cols[b]), ("+", cols[a] + cols[b]), ("-", cols[a] - cols[b])):
                if np.mean(np.abs(target - value) <= tol) >= 0.95:
                    found[c] = (op, a, b)
                    break
            if c in found:
                break
    return found
