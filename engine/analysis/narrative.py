"""The template narrative: a readable account built only from the computed insights.

Shape (documented in docs/result-schema.md): `source` ("template"), `headline`,
`summary` (bullets, each ending with the insight ids it cites, e.g. "[ins_1]"),
`paragraphs` (overview, findings, data quality), `insightTexts` (one sentence per
insight with its id) and `caveats`. A later LLM step may replace it (source
"llm") or keep it and mark it "fallback" with a `reason`.
"""

from __future__ import annotations

from typing import Any

from engine.analysis.fmt import fmt_num, label

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


def template_narrative(
    file_info: dict[str, Any],
    kpis: list[dict[str, Any]],
    insights: list[dict[str, Any]],
    quality: dict[str, Any],
    caveats: list[str],
    selection: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The narrative object of result.json, written from the insights by templates."""
    findings = [i for i in insights if i["type"] != "data_quality"]
    dq = [i for i in insights if i["type"] == "data_quality"]
    headline = _headline(file_info, kpis, findings)
    summary = [_facts(file_info, kpis)] + [f"{i['text']} [{i['id']}]" for i in findings[:5]]
    if not findings:
        summary.append(
            "No pattern in this data passed the significance and size thresholds; "
            "the profile and charts describe it as it is."
        )
    summary.append(
        f"Data quality scores {quality['score']}/100 (grade {quality['grade']})"
        + (f"; main issue: {dq[0]['text']} [{dq[0]['id']}]" if dq else ".")
    )
    paragraphs = [_overview(file_info, kpis, len(findings), selection or {})]
    groups: dict[str, list[dict[str, Any]]] = {}
    for i in findings:
        groups.setdefault(_GROUPS.get(i["type"], "other"), []).append(i)
    for name, items in groups.items():
        body = " ".join(f"{i['text']} [{i['id']}]" for i in items)
        paragraphs.append(f"Findings {name}: {body}")
    if quality["deductions"]:
        worst = sorted(quality["deductions"], key=lambda d: -float(d["points"]))[:3]
        paragraphs.append(f"Data quality: {quality['score']}/100. " + " ".join(d["message"] for d in worst))
    else:
        paragraphs.append("Data quality: 100/100; no missing, duplicate or unreadable values were found.")
    return {
        "source": "template",
        "headline": headline,
        "summary": summary,
        "paragraphs": paragraphs,
        "insightTexts": [{"insightId": i["id"], "text": i["text"]} for i in insights],
        "caveats": caveats,
    }


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


def _headline(file_info: dict[str, Any], kpis: list[dict[str, Any]], findings: list[dict[str, Any]]) -> str:
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
        parts.append(f"{label(total['label']).capitalize()} is {value}.")
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
