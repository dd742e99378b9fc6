"""The insight candidate every detector returns, before ranking gives it an id and a score.

`evidence()` builds the fields every finding carries (docs/analysis.md §2), so
that a reader or a test can name a finding by type, columns, measure,
dimension, entity and direction instead of by its wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.analysis.semantics.model import Measure


@dataclass
class ChartSpec:
    """What to draw for an insight; `engine.analysis.charts` turns it into a plotly figure."""

    kind: str  # line | multiline | pareto | waterfall | box | scatter | bar | nested_bar | histogram | map
    title: str
    data: dict[str, Any]


@dataclass
class Candidate:
    """A possible insight: what was found, how big (impact 0..1) and how sure (p-value)."""

    type: str
    title: str
    text: str
    impact: float
    p_value: float | None  # None: descriptive (not a test); never enters multiple testing
    evidence: dict[str, Any]
    key: tuple[str, ...]  # de-duplication key: one insight per key survives
    chart: ChartSpec | None = None
    significance: float | None = None  # set by ranking
    q_value: float | None = None  # Benjamini-Hochberg adjusted p-value, set by ranking
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a sentence starts with a capital even when it starts with a value ("hour 18 stands out")
        self.title, self.text = _sentence(self.title), _sentence(self.text)


def _sentence(s: str) -> str:
    return s[0].upper() + s[1:] if s[:1].islower() and not s[1:2].isupper() else s


def evidence(
    measure: Measure | None,
    *,
    columns: list[str] | None = None,
    dimension: str | None = None,
    entity: Any = None,
    direction: str | None = None,
    grain: str | None = None,
    filters: list[dict[str, Any]] | None = None,
    aggregation: str = "",
    time_column: str | None = None,
    **aggregates: Any,
) -> dict[str, Any]:
    """The evidence object: the common keys, then `aggregates` (the numbers and the test)."""
    cols: list[str] = []
    for c in [time_column, dimension, *(columns or []), *(measure.columns if measure else [])]:
        if c and c not in cols:
            cols.append(c)
    for f in filters or []:
        if f["column"] not in cols:
            cols.append(f["column"])
    return {
        "columns": cols,
        "measure": measure.name if measure else None,
        "measureKind": measure.kind if measure else None,
        "agg": measure.agg if measure else None,
        "dimension": dimension,
        "entity": entity,
        "direction": direction,
        "grain": grain,
        "filters": filters or [],
        "aggregation": aggregation,
        "aggregates": aggregates,
    }


def direction_of(value: float) -> str | None:
    """`up` for a positive change or difference, `down` for a negative one."""
    if value > 0:
        return "up"
    if value < 0:
        return "down"
    return None
