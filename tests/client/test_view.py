"""Reading result.json strictly into a view, and escaping data-derived text for Markdown."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from client import ResultSchemaError
from client.view import build_view, escape_markdown, readable_duration
from tests.client.conftest import TICKET_GOAL


def test_the_goal_and_its_answer_come_with_the_view(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["goal"]
    view = build_view(doc)
    goal = view.goal
    assert goal is not None and goal.text == TICKET_GOAL and goal.matched
    assert goal.headline() == "Answer"
    assert goal.answer is not None and goal.answer.insight_ids[0] == "ins_1"
    assert goal.answer_text() == doc["narrative"]["answer"]["text"]
    assert view.insights[0].goal_match and view.insights[0].id == "ins_1"


def test_a_goal_that_names_nothing_says_so(docs: dict[str, dict[str, Any]]) -> None:
    goal = build_view(docs["nothing"]).goal
    assert goal is not None and not goal.matched
    assert goal.headline() == "Your goal matched nothing in this table"
    assert "names nothing in this table" in goal.answer_text()


def test_no_goal_no_answer(docs: dict[str, dict[str, Any]]) -> None:
    view = build_view(docs["plain"])
    assert view.goal is None and view.narrative.answer is None
    assert view.old_version_notice() is None


def test_insights_keep_the_documents_ranking_and_their_charts(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["goal"]
    view = build_view(doc)
    assert [i.id for i in view.insights] == [i["id"] for i in doc["insights"]]  # never re-sorted by score
    by_id = {c["id"]: c for c in doc["charts"]}
    for insight in view.insights:
        if insight.chart_id:
            assert view.chart_for(insight) == by_id[insight.chart_id]["figure"]
    overview = [c["id"] for c in doc["charts"] if c["insightId"] is None]
    assert list(view.overview_charts()) == overview
    kinds = {c.kind for c in view.charts.values()}
    assert {"nested_bar", "multiline"} & kinds


def test_sentences_come_from_the_narrative(docs: dict[str, dict[str, Any]]) -> None:
    view = build_view(docs["goal"])
    first = view.insights[0]
    assert view.sentence(first) == docs["goal"]["narrative"]["insightTexts"][0]["text"]
    assert " h" in view.sentence(first)  # a duration in readable units, not "33.39 (hours)"
    assert first.about().startswith("opened_at→closed_at · assigned_to")


def test_kpis_with_units_and_durations(docs: dict[str, dict[str, Any]]) -> None:
    cards = {c.label: c.value for c in build_view(docs["goal"]).kpi_cards()}
    assert cards["Data quality score"].endswith("/ 100 (A)") or "/ 100 (" in cards["Data quality score"]
    median = next(v for k, v in cards.items() if k.startswith("Median time from opened to closed"))
    assert median.endswith(" h") or " d " in median or median.endswith(" min")
    assert not any(k.endswith("(hours)") for k in cards)


def test_fallback_narrative_with_its_reason(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["plain"]
    doc["narrative"].update(source="fallback", reason="missing_api_key")
    doc["issues"].append({"code": "llm_failure_fallback", "reason": "missing_api_key", "message": "m"})
    narrative = build_view(doc).narrative
    assert narrative.is_fallback and narrative.reason == "missing_api_key"
    assert narrative.notice().endswith("Why: m (reason: missing_api_key)")
    assert narrative.bullets == doc["narrative"]["summary"]


def test_llm_narrative_is_not_a_fallback(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["plain"]
    doc["narrative"] = {"source": "llm", "summary": ["One.", "Two."], "model": "m"}
    narrative = build_view(doc).narrative
    assert not narrative.is_fallback and narrative.bullets == ["One.", "Two."]


def test_a_version_1_result_renders_with_a_notice(docs: dict[str, dict[str, Any]]) -> None:
    view = build_view(docs["v1"])
    assert view.schema_version == 1 and view.goal is None and view.semantics is None
    notice = view.old_version_notice()
    assert notice is not None and "schema version 1" in notice
    assert view.insights and view.kpi_cards()


def test_a_document_off_its_schema_is_a_clear_error(docs: dict[str, dict[str, Any]]) -> None:
    doc = copy.deepcopy(docs["goal"])
    doc["charts"] = {c["id"]: c for c in doc["charts"]}  # the old "dict of charts" shape: no longer guessed
    with pytest.raises(ResultSchemaError, match="charts"):
        build_view(doc)
    with pytest.raises(ResultSchemaError, match="schemaVersion"):
        build_view({"jobId": "job_x"})


def test_readable_durations() -> None:
    assert readable_duration(33.39) == "1 d 9 h"
    assert readable_duration(0.75) == "45 min"
    assert readable_duration(3.5) == "3 h 30 min"
    assert readable_duration(14.1) == "14 h"
    assert readable_duration(300, "days") == "300 days"
    assert readable_duration(-2, "days") == "−2 d"
    assert readable_duration(None) == "n/a"


def test_escape_markdown_neutralises_links_html_and_directives() -> None:
    raw = "<script>alert(1)</script> [click](javascript:alert(1)) **b** :red[x] $x$\nnext"
    escaped = escape_markdown(raw)
    assert "<script>" not in escaped
    assert "[click](" not in escaped
    assert "\n" not in escaped
    assert escaped.replace("\\", "") == raw.replace("\n", " ")
