"""What the analysis decides about a table before it looks for findings (docs/analysis.md §1).

`TableModel` is the analyst's reading of the table: what a row is, the time
axis at its true grain, the measures (and how each one adds up), dimensions,
entities, panels, geography, text, codes, relations between measures and
circular dimension/measure pairs. Detectors read it and never re-derive it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from engine.analysis.semantics.vocabulary import INTERVAL, MONEY, has

if TYPE_CHECKING:
    from engine.analysis.semantics.weights import Weights

Grain = Literal["hour", "day", "week", "month", "quarter", "year"]
GRAIN_ORDER: tuple[Grain, ...] = ("hour", "day", "week", "month", "quarter", "year")
MeasureKind = Literal["count", "flow", "level", "duration"]
TIME = "\x00time"  # the working frame's time column (period start, at the true grain or finer)
COUNT = "\x00count"  # name used in aggregates for the row count


def coarser_or_equal(a: str, b: str) -> bool:
    """Whether grain `a` is at least as coarse as grain `b`."""
    return GRAIN_ORDER.index(a) >= GRAIN_ORDER.index(b)


@dataclass
class TimeAxis:
    """The column that places rows in time, and the finest grain the data really has."""

    column: str
    grain: Grain
    source: str  # datetime | year_integer | year_month(_day) | year_month_text | year_quarter | first_of_*
    columns: list[str] = field(default_factory=list)  # every source column (year + quarter: both)

    def to_dict(self) -> dict[str, Any]:
        """The `semantics.time` object."""
        return {"column": self.column, "grain": self.grain, "source": self.source, "columns": self.columns}


@dataclass
class Measure:
    """A quantity the detectors aggregate: a column, the row count, or a derived duration."""

    name: str  # the column name, or a derived name ("incidents", "opened_at→closed_at")
    kind: MeasureKind
    label: str  # for prose: "incidents", "time from opened to closed (days)"
    columns: list[str] = field(default_factory=list)  # source columns (none for the row count)
    derived: bool = False
    unit: str | None = None  # hours | days | currency | percent
    symbol: str | None = None
    definition: str = ""
    additive_across: bool = True  # levels only: may be summed across entities within one period
    definition_noun: str = ""  # the count: what one row is, in the plural
    censored: bool = False  # compared across segments only: over time, the latest rows had least time to end
    clock: bool = False  # rises one for one with time within each entity (a panel's ages): time, not a trend

    @property
    def tied_to_time(self) -> bool:
        """Censored or a clock: how it moves over time comes from how the rows were gathered."""
        return self.censored or self.clock

    @property
    def noun(self) -> str:
        """What is counted, in the plural ("incidents"); for other measures, their label."""
        return self.definition_noun or self.label

    @property
    def agg(self) -> str:
        """How the measure is aggregated per period or segment: count, sum or mean."""
        return {"count": "count", "flow": "sum", "level": "mean", "duration": "mean"}[self.kind]

    @property
    def money(self) -> bool:
        """Whether the measure is an amount of money (revenue, cost, price), by its unit or its name."""
        return self.unit == "currency" or has(self.name, MONEY)

    @property
    def interval(self) -> bool:
        """Whether the measure's zero is arbitrary (degrees Celsius): differences mean something,
        ratios do not."""
        return has(self.name, INTERVAL)

    @property
    def summable(self) -> bool:
        """Whether totals and shares of this measure mean something (counts and flows)."""
        return self.kind in ("count", "flow")

    def value(self) -> pl.Expr:
        """The per-row value as Float64 (1 per row for the count)."""
        if self.kind == "count":
            return pl.lit(1.0)
        return pl.col(self.name).cast(pl.Float64)

    def to_dict(self) -> dict[str, Any]:
        """The entry of `semantics.measures`."""
        return {
            "name": self.name,
            "kind": self.kind,
            "agg": self.agg,
            "label": self.label,
            "columns": self.columns,
            "derived": self.derived,
            "unit": self.unit,
            "definition": self.definition,
        }


@dataclass
class Entity:
    """A key with many values (agents, customers, products), or any column that names a person."""

    column: str
    distinct: int
    person: bool

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "distinct": self.distinct, "person": self.person}


@dataclass
class Relation:
    """An arithmetic tie between measures: their correlation is not a finding."""

    # sum_of | component_of | product | difference | growth_of | proportional | transform_of | linear_of
    kind: str
    target: str
    parts: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "parts": self.parts}


@dataclass
class TableModel:
    """The analyst's reading of a table; `frame` is the table plus derived columns."""

    frame: pl.DataFrame
    table_kind: str  # events | panel | series | cross_section
    row_meaning: str
    time: TimeAxis | None
    measures: list[Measure]
    dimensions: list[str]
    entities: list[Entity]
    panel: dict[str, Any] | None
    geography: dict[str, str] | None
    text: list[str]
    codes: list[str]
    relations: list[Relation]
    circular: list[tuple[str, str]]
    quality: list[dict[str, Any]] = field(default_factory=list)  # impossible values found while reading
    calendar: list[str] = field(default_factory=list)  # dimensions that are parts of a date (month, weekday)
    distinct: dict[str, int] = field(default_factory=dict)  # distinct values per column (the profile's)
    weights: Weights | None = None  # a frequency table's count column (the frame has one row per case)

    @property
    def count(self) -> Measure:
        """The row-count measure (every table has one)."""
        return next(m for m in self.measures if m.kind == "count")

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)

    def has_measure(self, name: str) -> bool:
        return any(m.name == name for m in self.measures)

    def _wholes(self, name: str) -> set[str]:
        """The totals that `name` is a part of."""
        return {r.target for r in self.relations if r.kind in ("component_of", "sum_of") and name in r.parts}

    def related(self, a: str, b: str) -> bool:
        """Whether two measures are tied by arithmetic, directly or through others (realint = tbilrate − infl,
        and infl is the growth of cpi: realint and cpi are tied too), or one is part of the other.

        In a cross-section two parts of the same whole are tied as well: across units
        of different sizes both grow with the whole, and their correlation is the size."""
        for r in self.relations:
            if r.kind == "component_of" and {a, b} <= {r.target, *r.parts} and r.target in (a, b):
                return True
        if self.table_kind == "cross_section" and self._wholes(a) & self._wholes(b):
            return (
                True  # two parts of one whole across units of any size (a county's white and adult residents)
            )
        groups: list[set[str]] = []
        for r in self.relations:
            if r.kind == "component_of":
                continue
            group = {r.target, *r.parts}
            for g in [g for g in groups if g & group]:
                group |= g
                groups.remove(g)
            groups.append(group)
        return any(a in g and b in g for g in groups)

    def is_circular(self, dimension: str, measure: Measure) -> bool:
        """Whether the dimension follows from the measure (or from one of its source columns)."""
        names = {measure.name, *measure.columns}
        return any(d == dimension and m in names for d, m in self.circular)

    def to_dict(self) -> dict[str, Any]:
        """The `semantics` object of result.json."""
        return {
            "tableKind": self.table_kind,
            "rowMeaning": self.row_meaning,
            "time": self.time.to_dict() if self.time else None,
            "measures": [m.to_dict() for m in self.measures],
            "dimensions": self.dimensions,
            "entities": [e.to_dict() for e in self.entities],
            "panel": self.panel,
            "geography": self.geography,
            "text": self.text,
            "codes": self.codes,
            "relations": [r.to_dict() for r in self.relations],
            "circular": [{"dimension": d, "measure": m} for d, m in self.circular],
            "calendar": self.calendar,
            "weights": (
                {"column": self.weights.column, "cells": self.weights.cells, "cases": self.weights.cases}
                if self.weights
                else None
            ),
        }
