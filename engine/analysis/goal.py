"""A goal ("why is time to resolution rising?") matched to the table, so findings about it come first.

The goal is data, never instructions: its words are stemmed (Snowball) and
matched to column names, measure labels, the values of dimensions and a small
table of synonyms ("agent" → assigned_to, "resolution time" → the opened→closed
duration, "claims" → the row count). What the goal names steers the detectors
(drill-downs and segment trends on its measure and dimensions) and the
ranking (findings about it first); its intent words ("rising", "by", "words",
"repeated") say which kinds of finding answer it. Nothing else changes: a
goal that names nothing in the table leaves the analysis as it would be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from engine.analysis.candidates import Candidate
from engine.analysis.semantics.model import Measure, TableModel
from engine.analysis.semantics.vocabulary import EVENT_NOUNS, words

MAX_GOAL_CHARS = 500
NOTHING_MATCHED = (
    "The goal names nothing in this table (no column, value or measure); the analysis is the default one."
)
BOOST = 1.0  # added to a finding's score when it is about the goal: it ranks above every other

# Groups of words meaning the same thing to an analyst (compared after stemming).
_SYNONYMS: tuple[tuple[str, ...], ...] = (
    (
        "agent",
        "assignee",
        "assigned",
        "assign",
        "owner",
        "technician",
        "engineer",
        "staff",
        "handler",
        "analyst",
        "rep",
        "representative",
        "operator",
        "worker",
        "employee",
        "person",
        "people",
        "who",
    ),
    ("customer", "client", "caller", "requester", "requestor", "buyer", "account", "user"),
    (
        "resolution",
        "resolve",
        "resolved",
        "close",
        "closed",
        "closing",
        "closure",
        "fix",
        "fixed",
        "handle",
        "handling",
        "turnaround",
        "duration",
        "long",
        "lead",
        "cycle",
        "process",
        "processing",
        "processed",
        "ship",
        "shipping",
        "delivery",
        "tenure",
        "stay",
        "wait",
        "waiting",
        "age",
        "aging",
        "sla",
        "time",
    ),
    ("category", "type", "kind", "class", "group", "segment"),
    ("location", "where", "region", "site", "country", "city", "office", "place", "branch", "state"),
    (
        "amount",
        "cost",
        "spend",
        "spending",
        "expense",
        "value",
        "money",
        "price",
        "revenue",
        "sales",
        "total",
    ),
    (
        "word",
        "words",
        "term",
        "terms",
        "text",
        "description",
        "describe",
        "described",
        "mention",
        "phrase",
        "comment",
        "note",
        "wording",
    ),
    ("volume", "count", "number", "many", "much", "frequency", "often", "load", "workload", "busy"),
)
# What a table's rows are commonly called: a goal naming any of them asks about the rows
# (the row count), whatever this table calls its own ("tickets" in a file of incidents).
_INTENTS: dict[str, tuple[str, ...]] = {
    "time": (
        "rise",
        "rising",
        "rose",
        "increase",
        "increasing",
        "grow",
        "growing",
        "grew",
        "trend",
        "fall",
        "falling",
        "drop",
        "decline",
        "declining",
        "over",
        "monthly",
        "weekly",
        "yearly",
        "when",
        "change",
        "changing",
        "season",
        "seasonal",
        "daily",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "quarter",
        "quarterly",
        "year",
        "years",
        "since",
        "lately",
        "recently",
    ),
    "segments": ("by", "per", "which", "across", "between", "compare", "differ", "different", "where", "who"),
    "text": (
        "word",
        "words",
        "term",
        "terms",
        "text",
        "description",
        "descriptions",
        "mention",
        "phrase",
        "described",
        "wording",
    ),
    "repeats": ("repeat", "repeated", "duplicate", "duplicated", "same", "identical", "twice", "again"),
    "load": ("overload", "overloaded", "workload", "busy", "most", "more", "concentrated"),
}
_TIME_TYPES = frozenset(
    {
        "trend",
        "change_point",
        "period_change",
        "anomaly",
        "seasonality",
        "segment_trend",
        "entity_trend",
        "change_attribution",
    }
)
_SEGMENT_TYPES = frozenset(
    {
        "count_distribution",
        "top_contributor",
        "concentration",
        "category_outlier",
        "segment_comparison",
        "drill_down",
        "bracket",
        "segment_trend",
    }
)
_FILLER = frozenset(
    " ".join(
        [
            "the a an is are was were why how what which do does did of to in on for and or it its this that",
            "there their be been being has have had any some our my me we you i",
        ]
    ).split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer  # small, pure Python; loaded only when a goal is given

    return snowballstemmer.stemmer("english")


def stems(text: str) -> list[str]:
    """Lower-case stems of the words of a text (a goal, a column name, a value)."""
    ws = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9']*", text)]
    return [str(s) for s in _stemmer().stemWords(ws)]


@lru_cache(maxsize=1)
def _groups() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(stems(" ".join(g))) for g in _SYNONYMS)


@lru_cache(maxsize=1)
def _row_nouns() -> frozenset[str]:
    return frozenset(stems(" ".join(EVENT_NOUNS)))


def _expand(stem: str) -> set[str]:
    out = {stem}
    for g in _groups():
        if stem in g:
            out |= g
    return out


@dataclass
class GoalFocus:
    """What a goal names in the table, and what kind of answer it asks for."""

    text: str
    terms: list[dict[str, str]] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)
    measures: list[str] = field(default_factory=list)  # measure names, best match first
    dimensions: list[str] = field(default_factory=list)  # dimension or entity columns
    values: list[tuple[str, str]] = field(default_factory=list)  # (column, value)
    intents: set[str] = field(default_factory=set)

    @property
    def matched(self) -> bool:
        return bool(self.columns or self.measures or self.dimensions or self.values)


def read_goal(goal: str | None, model: TableModel, top_values: dict[str, list[str]]) -> GoalFocus | None:
    """Match the goal's words to the table; None without a goal.

    `top_values` holds each dimension's most frequent values (from the profile).
    """
    if not goal or not goal.strip():
        return None
    text = goal.strip()[:MAX_GOAL_CHARS]
    # "over time", "by month": how to look, not what to look at
    plain = re.sub(
        r"(?i)\b(over|across|through|in|by|per)\s+(the\s+)?(time|months?|weeks?|years?|days?)\b", " ", text
    )
    said = [s for s in stems(plain) if s not in _FILLER]
    wanted = set().union(*(_expand(s) for s in said)) if said else set()
    focus = GoalFocus(text)
    raw = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
    kept = {w.lower() for w in re.findall(r"[A-Za-z']+", plain)}  # "per month" asks for time, not segments
    focus.intents = {
        intent for intent, cues in _INTENTS.items() if (raw if intent == "time" else kept) & set(cues)
    }
    _match_measures(model, focus, said, wanted)
    _match_columns(model, focus, said, wanted)
    _match_values(top_values, focus, said)
    if "text" in focus.intents:
        focus.columns |= set(model.text)
    focus.measures.sort(key=lambda n: _prefer(model.measure(n)))
    return focus


def _match_measures(model: TableModel, focus: GoalFocus, said: list[str], wanted: set[str]) -> None:
    for m in model.measures:
        m_stems = set(stems(" ".join([m.label, m.name, m.noun, *m.columns])))
        if m.kind == "duration":
            m_stems |= set(stems("time duration"))
        hit = m_stems & wanted
        named = m_stems & set(said)
        if m.kind == "count" and not named:
            named = set(_row_nouns() & set(said))  # "tickets" for this table's incidents
        if (hit and m.kind != "count") or (m.kind == "count" and named):
            focus.measures.append(m.name)
            focus.columns |= set(m.columns)
            focus.terms.append({"term": _said(said, hit or named), "kind": "measure", "target": m.name})


def _match_columns(model: TableModel, focus: GoalFocus, said: list[str], wanted: set[str]) -> None:
    for col in [*model.dimensions, *(e.column for e in model.entities), *model.text]:
        hit = set(stems(" ".join(words(col)))) & wanted
        if not hit or col in focus.dimensions or col in focus.columns:
            continue
        if col not in model.text:
            focus.dimensions.append(col)
        focus.columns.add(col)
        kind = "text" if col in model.text else "dimension"
        focus.terms.append({"term": _said(said, hit), "kind": kind, "target": col})


def _match_values(top_values: dict[str, list[str]], focus: GoalFocus, said: list[str]) -> None:
    for col, values in top_values.items():
        for v in values:
            v_stems = set(stems(str(v)))
            if v_stems and v_stems <= set(said):
                focus.values.append((col, str(v)))
                focus.columns.add(col)
                if col not in focus.dimensions:
                    focus.dimensions.append(col)
                focus.terms.append({"term": str(v), "kind": "value", "target": f"{col} = {v}"})


def _prefer(m: Measure) -> int:
    """Durations and flows named by the goal before the row count it may also name."""
    return {"duration": 0, "flow": 1, "level": 2, "count": 3}[m.kind]


def _said(said: list[str], hit: set[str]) -> str:
    return " ".join(s for s in said if s in hit) or next(iter(hit), "")


_INTENT_BONUS: tuple[tuple[str, frozenset[str], float], ...] = (
    ("time", _TIME_TYPES, 0.3),
    ("segments", _SEGMENT_TYPES, 0.2),
    ("load", frozenset({"count_distribution", "concentration", "top_contributor"}), 0.3),
)
# Intents that name one kind of finding outright ("which words…", "repeated claims"):
# such a finding answers the goal whichever columns it is about, and comes first.
_KIND_INTENTS: dict[str, str] = {"text": "text_terms", "repeats": "repeats"}
KIND_BONUS = 1.0


def relevance(c: Candidate, focus: GoalFocus) -> float:
    """How directly a finding is about the goal (0 when not at all; higher is more direct)."""
    ev = c.evidence
    about = set(ev.get("columns") or [])
    if ev.get("dimension"):
        about.add(str(ev["dimension"]))
    filters = {(f["column"], str(f["equals"])) for f in ev.get("filters") or []}
    score = (
        0.5 * (ev.get("measure") in focus.measures)
        + 0.3 * bool(about & focus.columns)
        + 0.3 * (ev.get("dimension") in focus.dimensions)
        + 0.3 * bool(filters & set(focus.values))
    )
    if any(_KIND_INTENTS.get(intent) == c.type for intent in focus.intents):
        score += KIND_BONUS
    if score == 0:
        return 0.0
    score += sum(
        bonus for intent, types, bonus in _INTENT_BONUS if intent in focus.intents and c.type in types
    )
    return score * (0.3 if c.type == "data_quality" else 1.0)


def goal_block(focus: GoalFocus | None, insights: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The `goal` object of result.json: what the goal matched and which findings answer it."""
    if focus is None:
        return None
    answering = [i for i in insights if i.get("goalMatch")]
    return {
        "text": focus.text,
        "matched": focus.matched,
        "terms": focus.terms,
        "columns": sorted(focus.columns),
        "measures": focus.measures,
        "dimensions": focus.dimensions,
        "values": [{"column": c, "value": v} for c, v in focus.values],
        "intents": sorted(focus.intents),
        "answer": {
            "insightIds": [i["id"] for i in answering],
            "negative": bool(answering) and all(i["evidence"].get("negative") for i in answering[:1]),
        }
        if answering
        else None,
        "message": None if focus.matched else NOTHING_MATCHED,
    }
