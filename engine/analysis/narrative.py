"""The template narrative: a readable account built only from the computed insights.

Shape (documented in docs/result-schema.md): `source` ("template"), `answer` (the
direct answer to the analyst's goal, or null without a goal), `headline`, `summary`
(bullets, each ending with the insight ids it cites, e.g. "[ins_1]"; with a goal the
first bullet is the answer), `paragraphs` (the answer, overview, findings by group,
data quality), `insightTexts` (one sentence per insight with its id) and `caveats`.
A later LLM step may replace it (source "llm") or keep it and mark it "fallback"
with a `reason`.

Each finding kind has a sentence template that restates its evidence plainly
(durations in hours, days or minutes rather than "33.39 (hours)"); a finding whose
evidence lacks what its template needs keeps the sentence its detector wrote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from engine.analysis.fmt import category, fmt_num, fmt_p, fmt_pct, label, upper_first

_GROUPS = {
    "trend": "over time",
    "period_change": "over time",
    "change_point": "over time",
    "anomaly": "over time",
    "seasonality": "over time",
    "segment_trend": "over time",
    "entity_trend": "over time",
    "top_contributor": "across segments",
    "concentration": "across segments",
    "category_outlier": "across segments",
    "segment_comparison": "across segments",
    "change_attribution": "across segments",
    "count_distribution": "across segments",
    "drill_down": "across segments",
    "bracket": "across segments",
    "repeats": "in the records",
    "text_terms": "in the text",
    "correlation": "between measures",
}
SUPPORTING = 2  # findings cited after the leading one in the answer
NOTHING_MATCHED = (
    "Your goal names nothing in this table (no column, value or measure matched it), "
    "so the findings below are the default analysis."
)

Measures = dict[str, dict[str, Any]]


def template_narrative(
    file_info: dict[str, Any],
    kpis: list[dict[str, Any]],
    insights: list[dict[str, Any]],
    quality: dict[str, Any],
    caveats: list[str],
    selection: dict[str, Any] | None = None,
    goal: dict[str, Any] | None = None,
    measures: Measures | None = None,
) -> dict[str, Any]:
    """The narrative object of result.json, written from the insights by templates.

    `goal` is result.goal (None without a goal); `measures` maps each measure's name to
    its semantics entry (label, unit, symbol), for the sentence templates.
    """
    measures = measures or {}
    findings = [i for i in insights if i["type"] != "data_quality"]
    dq = [i for i in insights if i["type"] == "data_quality"]
    said = {i["id"]: sentence(i, measures) for i in insights}
    answer = goal_answer(goal, insights, measures)
    headline = _headline(file_info, findings)
    lead = answer["insightIds"][:1] if answer is not None else []
    rest = [i for i in findings if i["id"] not in lead][:5]  # the answer already states its lead
    summary = [_facts(file_info, kpis)] + [f"{said[i['id']]} [{i['id']}]" for i in rest]
    if answer is not None:
        summary.insert(0, _cited(answer))
    if not findings:
        summary.append(
            "No pattern in this data passed the significance and size thresholds; "
            "the profile and charts describe it as it is."
        )
    summary.append(
        f"Data quality scores {quality['score']}/100 (grade {quality['grade']})"
        + (f"; main issue: {said[dq[0]['id']]} [{dq[0]['id']}]" if dq else ".")
    )
    paragraphs = [_answer_paragraph(answer, insights, said)] if answer is not None else []
    paragraphs.append(_overview(file_info, kpis, len(findings), selection or {}))
    groups: dict[str, list[dict[str, Any]]] = {}
    for i in findings:
        groups.setdefault(_GROUPS.get(i["type"], "other"), []).append(i)
    for name, items in groups.items():
        body = " ".join(f"{said[i['id']]} [{i['id']}]" for i in items)
        paragraphs.append(f"Findings {name}: {body}")
    if quality["deductions"]:
        worst = sorted(quality["deductions"], key=lambda d: -float(d["points"]))[:3]
        paragraphs.append(f"Data quality: {quality['score']}/100. " + " ".join(d["message"] for d in worst))
    else:
        paragraphs.append("Data quality: 100/100; no missing, duplicate or unreadable values were found.")
    return {
        "source": "template",
        "answer": answer,
        "headline": headline,
        "summary": summary,
        "paragraphs": paragraphs,
        "insightTexts": [{"insightId": i["id"], "text": said[i["id"]]} for i in insights],
        "caveats": caveats,
    }


# --- the answer to the goal ---------------------------------------------------------


def goal_answer(
    goal: dict[str, Any] | None, insights: list[dict[str, Any]], measures: Measures
) -> dict[str, Any] | None:
    """`narrative.answer`: a direct answer to the goal citing the findings that give it.

    `text` holds no citation marks; `insightIds` are the findings it rests on, the
    leading one first. Null without a goal.
    """
    if goal is None:
        return None
    block = goal.get("answer")
    if not goal.get("matched"):
        return {"text": NOTHING_MATCHED, "insightIds": [], "negative": False, "matched": False}
    if not block or not block.get("insightIds"):
        named = ", ".join(goal.get("columns") or []) or "what it names"
        text = (
            f"Your goal was matched to {named}, but no finding about it passed the significance and "
            "size tests; the findings below are the default ranking."
        )
        return {"text": text, "insightIds": [], "negative": False, "matched": True}
    by_id = {i["id"]: i for i in insights}
    ids = [i for i in block["insightIds"] if i in by_id]
    lead = by_id[ids[0]]
    text = sentence(lead, measures)  # a negative finding's own sentence already says "no"
    also = [by_id[i] for i in ids[1 : 1 + SUPPORTING]]
    if also:
        text += " Also: " + "; ".join(a["title"].rstrip(". ") for a in also) + "."
    return {
        "text": text,
        "insightIds": [lead["id"], *(a["id"] for a in also)],
        "negative": bool(block.get("negative")),
        "matched": True,
    }


def _answer_paragraph(answer: dict[str, Any], insights: list[dict[str, Any]], said: dict[str, str]) -> str:
    ids = answer["insightIds"]
    if not ids:
        return f"Answer to your goal: {answer['text']}"
    rest = [i for i in insights if i.get("goalMatch") and i["id"] not in ids[:1]][:4]
    more = " ".join(f"{said[i['id']]} [{i['id']}]" for i in rest)
    return f"Answer to your goal: {said[ids[0]]} [{ids[0]}]" + (f" More on it: {more}" if more else "")


def _cited(answer: dict[str, Any]) -> str:
    ids = answer["insightIds"]
    return answer["text"] + (f" [{', '.join(ids)}]" if ids else "")


# --- one sentence per finding kind ---------------------------------------------------


def sentence(insight: dict[str, Any], measures: Measures) -> str:
    """The finding in one plain sentence: its kind's template, else the detector's own text."""
    ev = insight.get("evidence") or {}
    template = _TEMPLATES.get(insight["type"])
    if template is None or ev.get("negative"):
        return str(insight["text"])
    try:
        made = template(_Facts(insight, measures))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        made = None
    return made or str(insight["text"])


class _Facts:
    """What a template reads from one finding: its evidence, its measure's wording and units."""

    def __init__(self, insight: dict[str, Any], measures: Measures) -> None:
        self.insight = insight
        self.ev: dict[str, Any] = insight.get("evidence") or {}
        self.agg: dict[str, Any] = self.ev.get("aggregates") or {}
        self.measure: dict[str, Any] = measures.get(str(self.ev.get("measure")), {})
        self.p = fmt_p(insight.get("pValue"))

    @property
    def what(self) -> str:
        """The measure in prose, without a unit suffix that `value` spells out."""
        text = str(self.measure.get("label") or self.ev.get("measure") or "the measure")
        return re.sub(r"\s*\((hours|days)\)$", "", text) if self.is_duration else text

    @property
    def is_duration(self) -> bool:
        return self.measure.get("kind") == "duration" or self.ev.get("measureKind") == "duration"

    @property
    def noun(self) -> str:
        """What one row is, in the plural ("tickets"), for counts; the label otherwise."""
        return str(self.measure.get("noun") or self.measure.get("label") or "rows")

    @property
    def dim(self) -> str:
        return label(str(self.ev.get("dimension") or ""))

    @property
    def entity(self) -> str:
        """The category as prose names it ("June" for month 6, "hour 18")."""
        return category(str(self.ev.get("dimension") or ""), str(self.ev.get("entity")))

    def value(self, x: float | None) -> str:
        """A value of the measure: a duration in readable units, money with its symbol."""
        if self.is_duration:
            return readable_duration(x, self.measure.get("unit") or "hours")
        return fmt_num(x, self.measure.get("unit"), self.measure.get("symbol"))


def _category_outlier(f: _Facts) -> str:
    a = f.agg
    side = "above" if f.ev.get("direction") == "up" else "below"
    rel, sd = a.get("relativeDifference"), a.get("standardizedDifference")
    gap = fmt_pct(rel, signed=True) if rel is not None else f"{sd:+.1f} standard deviations"
    return (
        f"{f.entity} ({f.dim}) stands out on {f.what}: {f.value(a['mean'])} on average, {side} the "
        f"{f.value(a['meanOthers'])} of the rest ({gap}, {f.p})."
    )


def _segment_trend(f: _Facts) -> str:
    a = f.agg
    moving = "rising" if f.ev.get("direction") == "up" else "falling"
    what = f"share of {f.noun}" if f.ev.get("measureKind") == "count" else f.what
    others = fmt_pct(a["relativeChangeOthers"], signed=True)
    return (
        f"For {f.entity} ({f.dim}), {what} is {moving}: {fmt_pct(a['relativeChange'], signed=True)} over "
        f"{a['periods']} {f.ev['grain']}s, while the rest changed {others} ({f.p})."
    )


def _count_distribution(f: _Facts) -> str:
    a = f.agg
    count = f" ({fmt_num(a['count'])} of them)" if a.get("count") is not None else ""
    return (
        f"{f.entity} holds {fmt_pct(a['share'])} of all {f.noun}{count}, against "
        f"{fmt_pct(a['evenShare'])} for an even spread over the {a['categories']} {f.dim} values ({f.p})."
    )


def _drill_down(f: _Facts) -> str:
    d = f.ev["drillDown"]
    return (
        f"{f.entity} {f.noun} are concentrated in {label(str(d['dimension']))} {d['value']}: "
        f"{fmt_pct(d['share'])} of them, against {fmt_pct(d['shareElsewhere'])} elsewhere ({f.p})."
    )


def _text_terms(f: _Facts) -> str:
    terms = f.ev["terms"][:4]
    words = ", ".join(f"'{t['term']}' ({fmt_pct(t['share'])})" for t in terms)
    column = label(next(c for c in f.ev["columns"] if c != f.ev.get("dimension")))
    if f.ev.get("dimension"):
        return (
            f"The words that mark {f.entity} {f.noun} in {column} are {words} of them "
            f"({f.p} against the other {f.noun})."
        )
    return f"The most frequent words in {column} are {words} of all {f.noun}."


def _entity_trend(f: _Facts) -> str:
    a = f.agg
    grew = f.ev.get("direction") == "up"
    if f.ev.get("entity") is None:
        verb = "rose" if grew else "fell"
        return (
            f"{upper_first(f.what)} {verb} in {a['moved']} of {a['entities']} {f.dim} values, by a median "
            f"{fmt_pct(a['medianChange'], signed=True)} ({f.p})."
        )
    most = "grew most" if grew else "fell most"
    return (
        f"{f.entity} {most}: {f.what} went from {f.value(a['first'])} to {f.value(a['last'])} "
        f"({fmt_pct(a['change'], signed=True)}), while the median of the other {a['entities'] - 1} "
        f"{f.dim} values changed {fmt_pct(a['medianChangeOthers'], signed=True)} ({f.p})."
    )


def _repeats(f: _Facts) -> str:
    a = f.agg
    same = ", ".join(
        f"{label(str(x['column']))} {_shown(x['equals'], f)}" for x in f.ev["filters"][1:] if x.get("column")
    )
    chance = f"about {fmt_num(a['expected'])}" if a["expected"] >= 0.01 else "almost none"
    return (
        f"{f.entity} ({f.dim}) has {a['repeats']} identical records ({same}), where chance would give "
        f"{chance}: possible duplicates ({f.p})."
    )


def _bracket(f: _Facts) -> str:
    a = f.agg
    return (
        f"Rows with {label(str(a['bracketOf']))} {f.entity} average {f.value(a['meanAbove'])} of {f.what}, "
        f"{fmt_num(a['ratio'])}× the {f.value(a['meanBelow'])} of the others ({fmt_pct(a['shareAbove'])} of "
        f"rows are in the bracket; {f.p})."
    )


def _shown(value: Any, f: _Facts) -> str:
    return f.value(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


_TEMPLATES: dict[str, Callable[[_Facts], str | None]] = {
    "category_outlier": _category_outlier,
    "segment_trend": _segment_trend,
    "count_distribution": _count_distribution,
    "drill_down": _drill_down,
    "text_terms": _text_terms,
    "entity_trend": _entity_trend,
    "repeats": _repeats,
    "bracket": _bracket,
}


def readable_duration(x: float | None, unit: str = "hours") -> str:
    """A duration for people: `33.4` hours → `1 d 9 h`, `0.75` → `45 min`, `300` days → `300 days`."""
    if x is None or not math.isfinite(x):
        return "n/a"
    minutes = abs(x) * (60 if unit == "hours" else 1440 if unit == "days" else 1)
    sign = "−" if x < 0 else ""
    if minutes < 1:
        return f"{sign}{minutes * 60:.0f} s"
    if minutes < 60:
        return f"{sign}{minutes:.0f} min"
    hours = minutes / 60
    if hours < 24:
        h, m = divmod(round(minutes), 60)
        return f"{sign}{h} h" + (f" {m} min" if m and h < 10 else "")
    days = hours / 24
    if days < 14:
        d, h = divmod(round(hours), 24)
        return f"{sign}{d} d" + (f" {h} h" if h else "")
    return f"{sign}{days:,.0f} days" if days >= 100 else f"{sign}{days:.1f} days"


# --- the rest of the narrative ------------------------------------------------------


def _facts(file_info: dict[str, Any], kpis: list[dict[str, Any]]) -> str:
    """One bullet of plain facts: size, the main total, the date span."""
    parts = [f"{file_info['rows']:,} rows × {file_info['columns']} columns"]
    total = next((k for k in kpis if k["id"].startswith("total_")), None)
    if total:
        value = fmt_num(total["value"], total.get("unit"), total.get("symbol"))
        parts.append(f"{label(total['label']).lower()} {value}")
    span = next((k["value"] for k in kpis if k["id"] == "date_range"), None)
    if span:
        parts.append(f"dates {span['start']} to {span['end']}")
    return "; ".join(parts) + "."


def _headline(file_info: dict[str, Any], findings: list[dict[str, Any]]) -> str:
    facts = f"{file_info['name']}: {file_info['rows']:,} rows × {file_info['columns']} columns"
    if findings:
        return f"{facts}. Top finding: {findings[0]['title']}."
    return f"{facts}. No significant pattern found beyond the profile."


def _overview(
    file_info: dict[str, Any], kpis: list[dict[str, Any]], found: int, selection: dict[str, Any]
) -> str:
    parts = [f"The file holds {file_info['rows']:,} rows and {file_info['columns']} columns."]
    by_id = {k["id"]: k for k in kpis}
    total = next((k for k in kpis if k["id"].startswith("total_")), None)
    if total:
        value = fmt_num(total["value"], total.get("unit"), total.get("symbol"))
        parts.append(f"{upper_first(label(total['label']))} is {value}.")
    if "date_range" in by_id:
        rng = by_id["date_range"]["value"]
        parts.append(f"Dates run from {rng['start']} to {rng['end']}.")
    tested = selection.get("tested")
    if tested:
        passed = selection.get("passedFdr", 0)
        parts.append(
            f"{tested} statistical tests were run; {passed} passed the false-discovery-rate control "
            f"(q ≤ {selection.get('fdrQ', 0.05)}); {found} finding(s) are reported, "
            "ranked by impact × significance."
        )
    return " ".join(parts)
