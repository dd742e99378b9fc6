"""The computed facts a model may talk about, each with an id it must cite.

Facts are drawn from the result document (insights, KPIs, the column profile,
the file's shape), never from raw rows. Cell values reach the model only as
short quoted strings inside facts (top values, segment names), truncated so a
crafted cell cannot carry a long instruction. The same compact payload that is
shown to the model is what the grounding check trusts: a number the model could
not see is a number it cannot cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.narrative.numbers import fact_values

MAX_INSIGHTS = 15
MAX_COLUMNS = 40
MAX_LIST_ITEMS = 12
MAX_TOP_VALUES = 3  # cell values per column: a few, quoted and truncated
MAX_TEXT_CHARS = 80  # cell values, names, labels
MAX_SENTENCE_CHARS = 400  # our own computed sentences (an insight's title and text)
_SENTENCE_KEYS = frozenset({"title", "text"})
MAX_DEPTH = 4
_SKIP_KEYS = frozenset({"chart", "charts", "chartId", "figure", "plotly", "spec", "series", "points"})
_ROW_KEYS = frozenset({"rows", "records", "preview", "cleanedPreview", "sample"})  # raw rows when lists
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Fact:
    """One citable fact: its id, what kind it is, the payload the model sees, its numbers."""

    id: str
    kind: str  # dataset | kpi | insight | column | goal
    payload: dict[str, Any]
    numbers: frozenset[float] = field(default_factory=frozenset)


@dataclass(frozen=True)
class FactSheet:
    """All facts of one document, by id, in the order they are shown."""

    facts: dict[str, Fact]

    def insight_ids(self) -> list[str]:
        return [f.id for f in self.facts.values() if f.kind == "insight"]

    def by_kind(self, kind: str) -> list[dict[str, Any]]:
        return [f.payload for f in self.facts.values() if f.kind == kind]


def _clip(value: str, limit: int) -> str:
    text = _CONTROL_RE.sub(" ", value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def compact(value: Any, depth: int = 0) -> Any:
    """A small, JSON-safe copy: short strings, short lists, no chart payloads, bounded depth.

    Strings are cut to MAX_TEXT_CHARS, except a top-level `title` or `text` (our own
    computed sentences), which may run to MAX_SENTENCE_CHARS.
    """
    if isinstance(value, str):
        return _clip(value, MAX_TEXT_CHARS)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return round(value, 6) if value == value and abs(value) != float("inf") else None
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {
            str(k)[:MAX_TEXT_CHARS]: (
                _clip(v, MAX_SENTENCE_CHARS)
                if depth == 0 and k in _SENTENCE_KEYS and isinstance(v, str)
                else compact(v, depth + 1)
            )
            for k, v in list(value.items())[:30]
            if str(k) not in _SKIP_KEYS and not (str(k) in _ROW_KEYS and isinstance(v, list))
        }
    if isinstance(value, list | tuple):
        return [compact(v, depth + 1) for v in list(value)[:MAX_LIST_ITEMS]]
    return compact(str(value), depth)


def _fact(fact_id: str, kind: str, payload: dict[str, Any]) -> Fact:
    """A fact whose payload is compacted once, so the model and the check see the same thing."""
    shown = compact({k: v for k, v in payload.items() if k != "id"})
    return Fact(fact_id, kind, {"id": fact_id, **shown}, frozenset(fact_values(shown)))


def _dataset_fact(doc: dict[str, Any]) -> Fact:
    info = doc.get("fileInfo")
    info = info if isinstance(info, dict) else {}
    payload = {k: info[k] for k in ("name", "type", "rows", "columns") if k in info}
    quality = doc.get("qualityScore")
    if isinstance(quality, dict) and isinstance(quality.get("score"), int | float):
        payload["qualityScore"] = quality["score"]
    elif isinstance(quality, int | float):
        payload["qualityScore"] = quality
    return _fact("dataset", "dataset", payload)


def _kpi_facts(kpis: Any) -> list[Fact]:
    items: list[tuple[str, Any]] = []
    if isinstance(kpis, dict):
        items = list(kpis.items())
    elif isinstance(kpis, list):
        for index, kpi in enumerate(kpis):
            key = next(
                (kpi[k] for k in ("id", "key", "name", "label") if isinstance(kpi, dict) and kpi.get(k)),
                index,
            )
            items.append((str(key), kpi))
    return [
        _fact(f"kpi:{_slug(key)}", "kpi", value if isinstance(value, dict) else {"value": value})
        for key, value in items[:20]
        if compact(value) is not None
    ]


def _insight_facts(insights: Any) -> list[Fact]:
    facts: list[Fact] = []
    for index, insight in enumerate(insights if isinstance(insights, list) else []):
        if not isinstance(insight, dict) or len(facts) >= MAX_INSIGHTS:
            continue
        fact_id = str(insight.get("id") or f"insight_{index + 1}")[:64]
        keep = ("type", "title", "text", "score", "pValue", "qValue", "evidence")
        facts.append(_fact(fact_id, "insight", {k: insight[k] for k in keep if k in insight}))
    return facts


def _column_facts(schema: Any) -> list[Fact]:
    columns: list[Any] = []
    if isinstance(schema, dict):
        inner = schema.get("columns")
        if isinstance(inner, list):
            columns = inner
        elif isinstance(inner, dict):
            columns = [{"name": k, **v} for k, v in inner.items() if isinstance(v, dict)]
        else:
            columns = [{"name": k, **v} for k, v in schema.items() if isinstance(v, dict)]
    elif isinstance(schema, list):
        columns = schema
    facts = []
    for column in columns[:MAX_COLUMNS]:
        if isinstance(column, dict) and column.get("name") is not None:
            name = str(column["name"])
            if isinstance(column.get("topValues"), list):
                column = {**column, "topValues": column["topValues"][:MAX_TOP_VALUES]}
            facts.append(_fact(f"col:{_slug(name)}", "column", column))
    return facts


def _goal_fact(doc: dict[str, Any]) -> list[Fact]:
    """What the engine matched the goal to and which insights answer it.

    The goal's own text is not a fact: it travels apart, quoted (see prompt.py).
    """
    goal = doc.get("goal")
    if not isinstance(goal, dict):
        return []
    answer: dict[str, Any] = goal["answer"] if isinstance(goal.get("answer"), dict) else {}
    payload = {
        "matched": bool(goal.get("matched")),
        "columns": goal.get("columns") or [],
        "measures": goal.get("measures") or [],
        "dimensions": goal.get("dimensions") or [],
        "answerInsightIds": answer.get("insightIds") or [],
        "negative": bool(answer.get("negative")),
        "message": goal.get("message"),
    }
    return [_fact("goal", "goal", payload)]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:48] or "x"


def build_fact_sheet(doc: dict[str, Any]) -> FactSheet:
    """Every citable fact of a result document; ids are unique, insights keep their own ids."""
    ordered = [
        _dataset_fact(doc),
        *_kpi_facts(doc.get("kpis")),
        *_insight_facts(doc.get("insights")),
        *_column_facts(doc.get("schema")),
        *_goal_fact(doc),
    ]
    facts: dict[str, Fact] = {}
    for fact in ordered:
        facts.setdefault(fact.id, fact)
    return FactSheet(facts)
