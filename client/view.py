"""A front-end-neutral reading of result.json and error.json.

The result schema is versioned but young, so everything here reads defensively:
charts may be a dict keyed by id or a list carrying ids, KPIs a dict or a list,
the profile a list or a dict keyed by column. Both UIs render from `ResultView`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FALLBACK_ISSUE = "llm_failure_fallback"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def escape_markdown(text: object) -> str:
    """`text` with every Markdown/HTML-significant character backslash-escaped.

    Data-derived strings (cell values, column names, narrative) pass through this before
    any Markdown renderer, so `<script>` and `[x](javascript:...)` show as typed.
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


@dataclass(frozen=True)
class Kpi:
    """One headline figure."""

    label: str
    value: str
    id: str = ""


@dataclass(frozen=True)
class Insight:
    """One ranked finding, with the id of its chart (if any)."""

    id: str
    type: str
    title: str
    text: str
    score: float
    chart_id: str | None
    evidence: Any = None


@dataclass(frozen=True)
class Narrative:
    """The written summary and where it came from.

    `reason` is the fallback's code (e.g. `no_api_key`); `reason_message` its human text.
    """

    source: str
    bullets: list[str]
    is_fallback: bool
    reason: str | None
    headline: str = ""
    paragraphs: list[str] = field(default_factory=list)
    reason_message: str | None = None
    caveats: list[str] = field(default_factory=list)

    def notice(self) -> str:
        """Plain-text explanation of a fallback narrative (escape before rendering)."""
        why = self.reason_message or self.reason or "no language model was used for this result"
        code = f" (reason: {self.reason})" if self.reason and self.reason_message else ""
        return (
            "This narrative was written from the computed insights by templates, not by the "
            f"language model. Why: {why}{code}"
        )


@dataclass(frozen=True)
class ResultView:
    """Everything a front end shows for a completed job."""

    file_info: dict[str, Any]
    kpis: list[Kpi]
    quality_score: float | None
    quality_grade: str | None
    quality_deductions: list[str]
    narrative: Narrative
    insights: list[Insight]
    charts: dict[str, dict[str, Any]]
    profile: list[dict[str, Any]]
    preview: list[dict[str, Any]]
    issues: list[dict[str, Any]] = field(default_factory=list)

    def kpi_cards(self) -> list[Kpi]:
        """Headline cards: the quality score (with its grade) first, then the KPIs."""
        cards = [k for k in self.kpis if "quality" not in k.id.lower()]
        if self.quality_score is not None:
            grade = f" ({self.quality_grade})" if self.quality_grade else ""
            cards.insert(0, Kpi("Data quality score", f"{self.quality_score:.0f} / 100{grade}", "quality"))
        return cards

    def chart_for(self, insight: Insight) -> dict[str, Any] | None:
        """The plotly figure JSON of `insight`, or None."""
        return self.charts.get(insight.chart_id) if insight.chart_id else None

    def overview_charts(self) -> dict[str, dict[str, Any]]:
        """Charts no insight points to (overview charts), in document order."""
        used = {i.chart_id for i in self.insights}
        return {cid: fig for cid, fig in self.charts.items() if cid not in used}


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
        for key in ("display", "formatted", "value"):
            if key in value:
                return format_value(value[key])
        if "start" in value and "end" in value:
            return f"{value['start']} → {value['end']}"
    return str(value)


def _kpis(raw: Any) -> list[Kpi]:
    if isinstance(raw, dict):
        return [Kpi(str(k), format_value(v), str(k)) for k, v in raw.items()]
    out: list[Kpi] = []
    for item in raw or []:
        if isinstance(item, dict):
            label = item.get("label") or item.get("name") or item.get("id") or "?"
            value = _with_unit(format_value(item.get("display", item.get("value"))), item)
            out.append(Kpi(str(label), value, str(item.get("id", label))))
    return out


def _with_unit(text: str, kpi: dict[str, Any]) -> str:
    """`12.5` → `12.5%` for percent, `$1,200` for a currency with a symbol."""
    unit, symbol = kpi.get("unit"), kpi.get("symbol")
    if unit == "percent":
        return f"{text}%"
    if symbol:
        return f"{symbol}{text}"
    return text


def _quality(raw: Any) -> tuple[float | None, str | None, list[str]]:
    """Score on 0..100 (a float fraction is scaled), grade, and the deductions explained."""
    grade, deductions = None, []
    if isinstance(raw, dict):
        grade = str(raw["grade"]) if raw.get("grade") else None
        for item in raw.get("deductions") or []:
            if isinstance(item, dict):
                why = item.get("message", item.get("code"))
                deductions.append(f"-{format_value(item.get('points'))} points: {why}")
        raw = raw.get("score", raw.get("value"))
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        score = float(raw) * 100 if isinstance(raw, float) and 0 <= raw <= 1 else float(raw)
        return score, grade, deductions
    return None, grade, deductions


def _charts(raw: Any) -> dict[str, dict[str, Any]]:
    items: list[tuple[str, Any]]
    if isinstance(raw, dict):
        items = list(raw.items())
    else:
        items = [(str(c.get("id", i)), c) for i, c in enumerate(raw or []) if isinstance(c, dict)]
    charts: dict[str, dict[str, Any]] = {}
    for cid, chart in items:
        if not isinstance(chart, dict):
            continue
        figure = chart.get("figure", chart.get("plotly", chart))
        if isinstance(figure, dict) and ("data" in figure or "layout" in figure):
            charts[str(cid)] = {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    return charts


def _insights(raw: Any) -> list[Insight]:
    out: list[Insight] = []
    for n, item in enumerate(raw or []):
        if not isinstance(item, dict):
            continue
        chart = item.get("chart") or item.get("chartId")
        if isinstance(chart, dict):
            chart = chart.get("id")
        try:
            score = float(item.get("score") or 0.0)
        except (TypeError, ValueError):
            score = 0.0
        out.append(
            Insight(
                id=str(item.get("id", f"insight_{n}")),
                type=str(item.get("type", "")),
                title=str(item.get("title", "")),
                text=str(item.get("text", "")),
                score=score,
                chart_id=None if chart is None else str(chart),
                evidence=item.get("evidence"),
            )
        )
    return sorted(out, key=lambda i: i.score, reverse=True)


def _narrative(raw: Any, issues: list[dict[str, Any]]) -> Narrative:
    data: dict[str, Any] = raw if isinstance(raw, dict) else {"summary": [raw] if raw else []}
    bullets = _strings(data.get("summary") or data.get("bullets"))
    paragraphs = _strings(data.get("paragraphs")) + _strings(data.get("text") or data.get("body"))
    issue = next((i for i in issues if i.get("code") == FALLBACK_ISSUE), {})
    source = str(data.get("source", "fallback" if issue else "llm"))
    reason = data.get("reason") or issue.get("reason")
    message = issue.get("message") or (None if reason else issue.get("reason"))
    return Narrative(
        source=source,
        bullets=bullets,
        is_fallback=source != "llm" or bool(issue),
        reason=str(reason) if reason else None,
        headline=str(data.get("headline") or ""),
        paragraphs=paragraphs,
        reason_message=str(message) if message else None,
        caveats=_strings(data.get("caveats")),
    )


def _strings(raw: Any) -> list[str]:
    """A list of non-blank strings from a string, a list of them, or nothing."""
    items = raw if isinstance(raw, list) else [raw]
    return [str(i) for i in items if i is not None and str(i).strip()]


def _profile(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, dict):
        cols = raw.get("columns", raw)
        if isinstance(cols, dict):
            cols = [{"name": k, **(v if isinstance(v, dict) else {"value": v})} for k, v in cols.items()]
        raw = cols
    return [{k: _flat(v) for k, v in col.items()} for col in raw or [] if isinstance(col, dict)]


def _flat(value: Any) -> Any:
    """Scalars stay; nested structures become short text so a table can show them."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(_flat(v)) for v in value[:10])
    return str(value)


def _preview(raw: Any) -> list[dict[str, Any]]:
    """Preview rows as dicts, from a list of dicts or `{"columns": [...], "rows": [[...]]}`."""
    if isinstance(raw, dict):
        columns = [str(c) for c in raw.get("columns") or []]
        rows = raw.get("rows") or []
        raw = [dict(zip(columns, r, strict=False)) if isinstance(r, list) else r for r in rows]
    return [{str(k): _flat(v) for k, v in r.items()} for r in raw or [] if isinstance(r, dict)]


def build_view(doc: dict[str, Any]) -> ResultView:
    """Read a result.json document into a `ResultView`."""
    issues = [i for i in doc.get("issues") or [] if isinstance(i, dict)]
    file_info = doc.get("fileInfo")
    quality, grade, deductions = _quality(doc.get("qualityScore"))
    return ResultView(
        file_info=file_info if isinstance(file_info, dict) else {},
        kpis=_kpis(doc.get("kpis")),
        quality_score=quality,
        quality_grade=grade,
        quality_deductions=deductions,
        narrative=_narrative(doc.get("narrative"), issues),
        insights=_insights(doc.get("insights")),
        charts=_charts(doc.get("charts")),
        profile=_profile(doc.get("schema")),
        preview=_preview(doc.get("cleanedPreview")),
        issues=issues,
    )
