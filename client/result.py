"""Typed models of result.json, versions 1 and 2 (docs/result-schema.md), read strictly.

`read_result(doc)` picks the model by `schemaVersion` and validates the whole document:
a missing required key, a value of the wrong type or an unknown enum value is a
`ResultSchemaError` naming where, never a guess. Keys the schema does not name are
kept (the schema allows them, so later versions can add fields). The models mirror
docs/result-schema.v1.json and .v2.json; tests check they accept and refuse the
same documents as those JSON Schemas and name the same required keys and enums.
Version 2 is additive: each v2 model extends its v1 model.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from client.errors import ResultSchemaError

SUPPORTED_VERSIONS = (1, 2)

Share = Annotated[float, Field(ge=0, le=1)]
FileType = Literal["csv", "tsv", "xlsx", "json", "jsonl", "parquet"]
SemanticType = Literal["numeric", "integer", "boolean", "datetime", "categorical", "text", "identifier"]
Grade = Literal["A", "B", "C", "D", "E"]
Severity = Literal["info", "warning", "error"]
NarrativeSource = Literal["template", "llm", "fallback"]
InsightTypeV1 = Literal[
    "data_quality",
    "trend",
    "period_change",
    "change_point",
    "anomaly",
    "seasonality",
    "top_contributor",
    "concentration",
    "category_outlier",
    "change_attribution",
    "segment_comparison",
    "correlation",
]
InsightTypeV2 = Literal[
    InsightTypeV1,
    "count_distribution",
    "drill_down",
    "text_terms",
    "segment_trend",
    "entity_trend",
    "repeats",
    "bracket",
]
ChartKindV1 = Literal["line", "bar", "pareto", "waterfall", "box", "scatter", "histogram"]
ChartKindV2 = Literal[ChartKindV1, "nested_bar", "multiline", "map"]
MeasureKind = Literal["count", "flow", "level", "duration"]
Agg = Literal["count", "sum", "mean", "last"]
Grain = Literal["hour", "day", "week", "month", "quarter", "year"]
TableKind = Literal["events", "panel", "series", "cross_section"]
RelationKind = Literal[
    "sum_of",
    "component_of",
    "product",
    "difference",
    "proportional",
    "growth_of",
    "transform_of",
    "linear_of",
]


class Model(BaseModel):
    """camelCase keys in the JSON, snake_case in Python; extra keys kept; immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=True, strict=False
    )


# --- shared by both versions ----------------------------------------------------------


class FileInfo(Model):
    name: str
    type: FileType
    size: int = Field(ge=0)
    rows: int = Field(ge=1)
    columns: int = Field(ge=1)
    encoding: str | None
    delimiter: str | None
    sheet: str | None = None


class TopValue(Model):
    value: Any
    count: int
    pct: float | None = None


class ColumnStats(Model):
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    median: float | None = None
    sum: float | None = None
    q05: float | None = None
    q25: float | None = None
    q75: float | None = None
    q95: float | None = None
    zeros: float | None = None
    negatives: float | None = None


class DateRange(Model):
    min: str
    max: str
    days: int | None = None


class Parsing(Model):
    parsed_as: Literal["number", "date", "datetime", "boolean"] | None = None
    unit: Literal["currency", "percent"] | None = None
    symbol: str | None = None
    date_formats: list[str] | None = None
    day_first: bool | None = None
    unparsed: int | None = None


class Column(Model):
    name: str
    index: int = Field(ge=0)
    dtype: str
    semantic_type: SemanticType
    missing: int = Field(ge=0)
    missing_pct: float = Field(ge=0, le=100)
    distinct: int = Field(ge=0)
    distinct_approx: bool | None = None
    top_values: list[TopValue]
    stats: ColumnStats | None = None
    date_range: DateRange | None = None
    parsing: Parsing | None = None


class Kpi(Model):
    id: str
    label: str
    value: float | dict[str, Any] | str | None
    unit: str | None = None
    symbol: str | None = None
    column: str | None = None
    measure: str | None = None


class Figure(Model):
    data: list[dict[str, Any]]
    layout: dict[str, Any]

    @field_validator("data")
    @classmethod
    def _traces_have_a_type(cls, traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if any("type" not in t for t in traces):
            raise ValueError("every trace needs a 'type'")
        return traces

    def plotly(self) -> dict[str, Any]:
        """The figure as the plain dict plotly reads."""
        return {"data": self.data, "layout": self.layout}


class InsightText(Model):
    insight_id: str
    text: str


class Deduction(Model):
    code: str
    points: float = Field(ge=0)
    message: str
    column: str | None = None


class QualityScore(Model):
    score: int = Field(ge=0, le=100)
    grade: Grade
    method: str | None = None
    deductions: list[Deduction]


class CleanedPreview(Model):
    columns: list[str]
    dtypes: list[str] | None = None
    rows: list[list[Any]]
    total_rows: int | None = None


class Issue(Model):
    code: str = Field(min_length=1)
    message: str
    severity: Severity | None = None
    column: str | None = None
    reason: str | None = None
    count: int | None = None


# --- version 1 --------------------------------------------------------------------------


class EvidenceV1(Model):
    columns: list[str]
    filters: list[Any]
    aggregates: dict[str, Any]
    aggregation: str | None = None


class InsightV1(Model):
    id: str = Field(pattern=r"^ins_[0-9]+$")
    type: InsightTypeV1
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    score: Share
    impact: Share | None = None
    significance: Share | None = None
    p_value: Share | None = None
    q_value: Share | None = None
    evidence: EvidenceV1
    chart_id: str | None


class ChartV1(Model):
    id: str
    kind: ChartKindV1
    title: str
    insight_id: str | None
    figure: Figure


class NarrativeV1(Model):
    source: NarrativeSource
    summary: list[str]
    reason: str | None = None
    headline: str | None = None
    paragraphs: list[str] = []
    insight_texts: list[InsightText] = []
    caveats: list[str] = []


class ResultV1(Model):
    """A result.json of schema version 1."""

    schema_version: Literal[1]
    job_id: str | None
    file_info: FileInfo
    columns: list[Column] = Field(alias="schema", min_length=1)
    kpis: list[Kpi]
    insights: list[InsightV1]
    charts: list[ChartV1]
    narrative: NarrativeV1
    quality_score: QualityScore
    cleaned_preview: CleanedPreview
    issues: list[Issue]
    selection: dict[str, Any] | None = None
    timings: dict[str, Annotated[float, Field(ge=0)]]
    processed_at: str

    @field_validator("processed_at")
    @classmethod
    def _date_time(cls, value: str) -> str:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value


# --- version 2 --------------------------------------------------------------------------


class Filter(Model):
    column: str
    equals: Any


class DrillDown(Model):
    dimension: str
    value: Any
    share: float | None = None
    share_elsewhere: float | None = None


class Term(Model):
    term: str
    count: int
    share: float


class EvidenceV2(EvidenceV1):
    filters: list[Filter]
    aggregation: str
    measure: str | None
    measure_kind: MeasureKind | None
    agg: Agg | None
    dimension: str | None
    entity: str | int | float | bool | None
    direction: Literal["up", "down"] | None
    grain: Grain | None
    drill_down: DrillDown | None = None
    terms: list[Term] | None = None
    basis: Literal["rows", "periods", "changes"] | None = None
    negative: bool | None = None


class InsightV2(InsightV1):
    type: InsightTypeV2  # type: ignore[assignment]
    evidence: EvidenceV2
    goal_match: bool = False


class ChartV2(ChartV1):
    kind: ChartKindV2  # type: ignore[assignment]


class Answer(Model):
    """The direct answer to the goal: `text`, and the insights it rests on, the leading one first."""

    text: str = Field(min_length=1)
    insight_ids: list[str]
    negative: bool
    matched: bool
    facts: list[str] | None = None


class NarrativeV2(NarrativeV1):
    answer: Answer | None = None


class TimeAxis(Model):
    column: str
    grain: Grain
    source: str
    columns: list[str] | None = None


class Measure(Model):
    name: str
    kind: MeasureKind
    agg: Agg
    label: str
    columns: list[str]
    derived: bool
    unit: str | None = None
    definition: str | None = None


class EntityColumn(Model):
    column: str
    distinct: int
    person: bool


class Geography(Model):
    latitude: str
    longitude: str


class Relation(Model):
    kind: RelationKind
    target: str
    parts: list[str]


class Circular(Model):
    dimension: str
    measure: str


class Semantics(Model):
    table_kind: TableKind
    row_meaning: str
    time: TimeAxis | None
    measures: list[Measure] = Field(min_length=1)
    dimensions: list[str]
    entities: list[EntityColumn]
    panel: dict[str, Any] | None
    geography: Geography | None
    text: list[str]
    codes: list[str]
    relations: list[Relation]
    circular: list[Circular]
    calendar: list[str] | None = None

    def measure(self, name: str | None) -> Measure | None:
        """The measure called `name`, or None."""
        return next((m for m in self.measures if m.name == name), None)


class GoalTerm(Model):
    term: str
    kind: str
    target: str


class GoalAnswer(Model):
    insight_ids: list[str]
    negative: bool


class Goal(Model):
    """What the analyst asked, what it matched in the table, which findings answer it."""

    text: str = Field(max_length=500)
    matched: bool
    terms: list[GoalTerm]
    columns: list[str]
    measures: list[str] = []
    dimensions: list[str] = []
    values: list[Any] = []
    intents: list[str] = []
    answer: GoalAnswer | None
    message: str | None = None


class ResultV2(ResultV1):
    """A result.json of schema version 2."""

    schema_version: Literal[2]  # type: ignore[assignment]
    insights: list[InsightV2]  # type: ignore[assignment]
    charts: list[ChartV2]  # type: ignore[assignment]
    narrative: NarrativeV2
    semantics: Semantics
    goal: Goal | None = None


Result = ResultV1 | ResultV2


def read_result(doc: Any) -> Result:
    """The typed result of a result.json document; `ResultSchemaError` when it does not fit."""
    if not isinstance(doc, dict):
        raise ResultSchemaError(["the document is not a JSON object"])
    version = doc.get("schemaVersion")
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        known = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        problem = f"schemaVersion is {version!r}; this client reads versions {known}"
        raise ResultSchemaError([problem], version)
    model: type[ResultV1] = ResultV2 if version == 2 else ResultV1
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise ResultSchemaError([_where(e) for e in exc.errors()], version) from exc


def _where(error: Any) -> str:
    path = ".".join(str(p) for p in error["loc"])
    return f"{path or '(document)'}: {error['msg']}"
