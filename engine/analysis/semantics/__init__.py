"""Table semantics: what rows, columns and values mean before any finding is sought (docs/analysis.md)."""

from engine.analysis.semantics.model import COUNT, TIME, Entity, Measure, Relation, TableModel, TimeAxis
from engine.analysis.semantics.read import read_semantics

__all__ = ["COUNT", "TIME", "Entity", "Measure", "Relation", "TableModel", "TimeAxis", "read_semantics"]
