"""The insight candidate every detector returns, before ranking gives it an id and a score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ChartSpec:
    """What to draw for an insight; `engine.analysis.charts` turns it into a plotly figure."""

    kind: str  # line | pareto | waterfall | box | scatter | bar | histogram
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
