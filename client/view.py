"""A front-end-neutral reading of result.json, built on the typed models of `client.result`.

`build_view(doc)` validates the document first (`ResultSchemaError` when it does not
follow its schema version) and then reads it one way only: charts are a list with
ids, KPIs a list, the profile a list of columns, the narrative's bullets `summary`.
Both UIs, the CLI and the HTML report render from `ResultView`. Version 1 documents
render too, without what version 2 added (goal, answer, semantics).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from client.result import (
    Answer,
    ChartV1,
    Goal,
    InsightV1,
    InsightV2,
    Kpi,
    NarrativeV1,
    NarrativeV2,
    Result,
    ResultV2,
    Semantics,
    read_result,
)

FALLBACK_ISSUE = "llm_failure_fallback"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")
DURATION_UNITS = ("hours", "days")


def escape_markdown(text: object) -> str:
    """`text` with every Markdown/HTML-significant character backslash-escaped.

    Data-derived strings (cell values, column names, narrative) pass through this before
    any Markdown renderer, so `<script>` and `[x](javascript:...)` show as typed.
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def readable_duration(x: float | None, unit: str = "hours") -> str:
    """A duration for people: 33.4 hours → `1 d 9 h`, 0.75 hours → `45 min`, 300 days → `300 days`."""
    if x is None or not math.isfinite(x):
        return "n/a"
    minutes = abs(x) * (60 if unit == "hours" else 1440 if unit == "days" else 1)
    sign = "−" if x < 0 else ""
    if minutes < 1:
        return f"{sign}{minutes * 60:.0f} s"
    if minutes < 60:
        return f"{sign}{minutes:.0f} min"
    if minutes < 24 * 60:
        h, m = divmod(round(minutes), 60)
        return f"{sign}{h} h" + (f" {m} min" if m and h < 10 else "")
    days = minutes / 1440
    if days < 14:
        d, h = divmod(round(minutes / 60), 24)
        return f"{sign}{d} d" + (f" {h} h" if h else "")
    return f"{sign}{days:,.0f} days" if days >= 100 else f"{sign}{days:.1f} days"


@dataclass(frozen=True)
class KpiCard:
    """One headline figure, its value already formatted."""

    label: str
    value: str
    id: str = ""


@dataclass(frozen=True)
class Insight:
    """One ranked finding: its sentence, its chart (if any) and what it is about."""

    id: str
    type: str
    title: str
    text: str
    score: float
    chart_id: str | None
    evidence: dict[str, Any]
    goal_match: bool = False
    negative: bool = False

    def about(self) -> str:
        """A short line of what the finding rests on: measure, dimension, entity, grain."""
        ev = self.evidence
        parts = [str(ev[k]) for k in ("measure", "dimension") if ev.get(k)]
        if ev.get("entity") is not None:
            parts.append(f"= {ev['entity']}")
        if ev.get("grain"):
            parts.append(f"per {ev['grain']}")
        return " · ".join(parts)


@dataclass(frozen=True)
class Chart:
    """One chart: its kind, title and plotly figure JSON."""

    id: str
    kind: str
    title: str
    insight_id: str | None
    figure: dict[str, Any]


@dataclass(frozen=True)
class Narrative:
    """The written summary, where it came from, and the answer to the goal.

    `reason` is the fallback's code (e.g. `missing_api_key`); `reason_message` its human text.
    """

    source: str
    bullets: list[str]
    is_fallback: bool
    reason: str | None
    headline: str = ""
    paragraphs: list[str] = field(default_factory=list)
    reason_message: str | None = None
    caveats: list[str] = field(default_factory=list)
    answer: Answer | None = None
    sentences: dict[str, str] = field(default_factory=dict)  # insight id → its narrative sentence

    def notice(self) -> str:
        """Plain-text explanation of a fallback narrative (escape before rendering)."""
        why = self.reason_message or self.reason or "no language model was used for this result"
        code = f" (reason: {self.reason})" if self.reason and self.reason_message else ""
        return (
            "This narrative was written from the computed insights by templates, not by the "
            f"language model. Why: {why}{code}"
        )


@dataclass(frozen=True)
class GoalView:
    """The analyst's goal, what it matched, and the answer (the answer first, on every page)."""

    text: str
    matched: bool
    columns: list[str]
    answer: Answer | None
    message: str | None

    def headline(self) -> str:
        """'Answer' or 'Negative answer' or 'No match': what kind of answer the page shows."""
        if not self.matched:
            return "Your goal matched nothing in this table"
        if self.answer is None or not self.answer.insight_ids:
            return "No finding answers your goal"
        return "Negative answer" if self.answer.negative else "Answer"

    def answer_text(self) -> str:
        if self.answer is not None:
            return self.answer.text
        return self.message or "No finding answers this goal."


@dataclass(frozen=True)
class ResultView:
    """Everything a front end shows for a completed job."""

    schema_version: int
    file_info: dict[str, Any]
    kpis: list[KpiCard]
    quality_score: float
    quality_grade: str
    quality_deductions: list[str]
    narrative: Narrative
    insights: list[Insight]
    charts: dict[str, Chart]
    profile: list[dict[str, Any]]
    preview: list[dict[str, Any]]
    issues: list[dict[str, Any]] = field(default_factory=list)
    goal: GoalView | None = None
    semantics: Semantics | None = None

    def kpi_cards(self) -> list[KpiCard]:
        """Headline cards: the quality score (with its grade) first, then the KPIs."""
        cards = [k for k in self.kpis if "quality" not in k.id.lower()]
        grade = f" ({self.quality_grade})"
        cards.insert(0, KpiCard("Data quality score", f"{self.quality_score:.0f} / 100{grade}", "quality"))
        return cards

    def chart_for(self, insight: Insight) -> dict[str, Any] | None:
        """The plotly figure JSON of `insight`, or None."""
        chart = self.charts.get(insight.chart_id) if insight.chart_id else None
        return chart.figure if chart else None

    def overview_charts(self) -> dict[str, dict[str, Any]]:
        """Charts no insight points to (overview charts), in document order."""
        used = {i.chart_id for i in self.insights}
        return {cid: c.figure for cid, c in self.charts.items() if cid not in used}

    def sentence(self, insight: Insight) -> str:
        """The finding in the narrative's words when it has them, else the finding's own text."""
        return self.narrative.sentences.get(insight.id) or insight.text

    def old_version_notice(self) -> str | None:
        """A note for results of schema version 1 (no goal, answer or table semantics in them)."""
        if self.schema_version >= 2:
            return None
        return (
            "This result was written by an earlier Sightline (result schema version 1): it has no goal, "
            "answer or table semantics. Analyse the file again to see them."
        )


def chart_title(figure: dict[str, Any], default: str) -> str:
    """The title of a plotly figure JSON, or `default`."""
    title = figure.get("layout", {}).get("title")
    text = title.get("text") if isinstance(title, dict) else title
    return str(text) if text else default


def format_value(value: Any) -> str:
    """A compact human form of a KPI value."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) < 1e15 else f"{value:.3g}"
    if isinstance(value, dict):
        if "start" in value and "end" in value:
            return f"{value['start']} → {value['end']}"
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def _kpi(kpi: Kpi) -> KpiCard:
    """`12.5` → `12.5%` for percent, `$1,200` for a currency, `14 h 7 min` for a duration."""
    value = kpi.value
    if kpi.unit in DURATION_UNITS and isinstance(value, int | float):
        text = readable_duration(float(value), kpi.unit)
        label = re.sub(r"\s*\((hours|days)\)$", "", kpi.label)
        return KpiCard(label, text, kpi.id)
    text = format_value(value)
    if kpi.unit == "percent":
        text = f"{text}%"
    elif kpi.symbol:
        text = f"{kpi.symbol}{text}"
    return KpiCard(kpi.label, text, kpi.id)


def _narrative(n: NarrativeV1, issues: list[dict[str, Any]]) -> Narrative:
    issue = next((i for i in issues if i.get("code") == FALLBACK_ISSUE), {})
    reason = n.reason or issue.get("reason")
    message = issue.get("message")
    return Narrative(
        source=n.source,
        bullets=list(n.summary),
        is_fallback=n.source != "llm" or bool(issue),
        reason=str(reason) if reason else None,
        headline=n.headline or "",
        paragraphs=list(n.paragraphs),
        reason_message=str(message) if message else None,
        caveats=list(n.caveats),
        answer=n.answer if isinstance(n, NarrativeV2) else None,
        sentences={t.insight_id: t.text for t in n.insight_texts},
    )


def _insight(i: InsightV1) -> Insight:
    evidence = i.evidence.model_dump(by_alias=True)
    return Insight(
        id=i.id,
        type=i.type,
        title=i.title,
        text=i.text,
        score=i.score,
        chart_id=i.chart_id,
        evidence=evidence,
        goal_match=i.goal_match if isinstance(i, InsightV2) else False,
        negative=bool(evidence.get("negative")),
    )


def _chart(c: ChartV1) -> Chart:
    return Chart(c.id, c.kind, c.title, c.insight_id, c.figure.plotly())


def _goal(goal: Goal | None, narrative: Narrative) -> GoalView | None:
    if goal is None:
        return None
    answer = narrative.answer
    if answer is None and goal.answer is not None:  # a narrative without an answer: cite the findings
        answer = Answer(
            text="The findings marked as answering your goal come first below.",
            insight_ids=goal.answer.insight_ids,
            negative=goal.answer.negative,
            matched=goal.matched,
        )
    return GoalView(goal.text, goal.matched, list(goal.columns), answer, goal.message)


def _flat(value: Any) -> Any:
    """Scalars stay; nested structures become short text so a table can show them."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(_flat(v)) for v in value[:10])
    return str(value)


def view_of(result: Result) -> ResultView:
    """The `ResultView` of a validated result."""
    issues = [i.model_dump(by_alias=True, exclude_none=True) for i in result.issues]
    narrative = _narrative(result.narrative, issues)
    q = result.quality_score
    columns = [c.model_dump(by_alias=True, exclude_none=True) for c in result.columns]
    profile = [{k: _flat(v) for k, v in c.items()} for c in columns]
    preview = result.cleaned_preview
    return ResultView(
        schema_version=result.schema_version,
        file_info=result.file_info.model_dump(by_alias=True),
        kpis=[_kpi(k) for k in result.kpis],
        quality_score=float(q.score),
        quality_grade=q.grade,
        quality_deductions=[f"-{format_value(d.points)} points: {d.message}" for d in q.deductions],
        narrative=narrative,
        insights=[_insight(i) for i in result.insights],
        charts={c.id: _chart(c) for c in result.charts},
        profile=profile,
        preview=[{c: _flat(v) for c, v in zip(preview.columns, row, strict=False)} for row in preview.rows],
        issues=issues,
        goal=_goal(result.goal, narrative) if isinstance(result, ResultV2) else None,
        semantics=result.semantics if isinstance(result, ResultV2) else None,
    )


def build_view(doc: dict[str, Any]) -> ResultView:
    """Validate a result.json document and read it into a `ResultView` (`ResultSchemaError` if invalid)."""
    return view_of(read_result(doc))
