"""Reading result.json defensively, and escaping data-derived text for Markdown."""

from __future__ import annotations

from typing import Any

from client.view import build_view, escape_markdown

FIGURE = {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {"title": {"text": "t"}}}


def result_doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schemaVersion": 1,
        "fileInfo": {"name": "s.csv", "rows": 7, "columns": 8},
        "schema": [{"name": "units", "type": "integer", "missing": 1, "top": [{"value": 12, "count": 1}]}],
        "kpis": [{"label": "Revenue", "value": 1140.79}, {"name": "Rows", "value": 7}],
        "insights": [
            {"id": "i2", "type": "trend", "title": "Low", "text": "t", "score": 0.2, "chart": "c2"},
            {"id": "i1", "type": "outlier", "title": "High", "text": "t", "score": 0.9, "chart": "c1"},
        ],
        "charts": {"c1": FIGURE, "c2": {"figure": FIGURE}, "overview": FIGURE},
        "narrative": {"source": "llm", "summary": ["One.", "Two."]},
        "qualityScore": 0.87,
        "cleanedPreview": [{"units": 12, "customer": "Acme"}],
        "issues": [],
    }
    doc.update(overrides)
    return doc


def test_insights_are_ranked_by_score_with_their_charts() -> None:
    view = build_view(result_doc())
    assert [i.id for i in view.insights] == ["i1", "i2"]
    assert view.chart_for(view.insights[0]) == FIGURE
    assert view.chart_for(view.insights[1]) == FIGURE
    assert list(view.overview_charts()) == ["overview"]


def test_charts_as_a_list_with_ids() -> None:
    view = build_view(result_doc(charts=[{"id": "c1", "figure": FIGURE}, {"id": "c2", **FIGURE}]))
    assert set(view.charts) == {"c1", "c2"}


def test_kpis_quality_profile_and_preview() -> None:
    view = build_view(result_doc())
    assert [(k.label, k.value) for k in view.kpis] == [("Revenue", "1,140.79"), ("Rows", "7")]
    assert view.quality_score == 87
    assert view.profile[0]["top"] == "value: 12, count: 1"
    assert view.preview == [{"units": 12, "customer": "Acme"}]


def test_kpis_as_a_dict_and_profile_keyed_by_column() -> None:
    view = build_view(result_doc(kpis={"Total": 3}, schema={"columns": {"a": {"type": "numeric"}}}))
    assert [(k.label, k.value) for k in view.kpis] == [("Total", "3")]
    assert view.profile == [{"name": "a", "type": "numeric"}]


def test_llm_narrative_is_not_a_fallback() -> None:
    narrative = build_view(result_doc()).narrative
    assert not narrative.is_fallback
    assert narrative.bullets == ["One.", "Two."]


def test_template_narrative_is_a_fallback_with_its_reason() -> None:
    doc = result_doc(
        narrative={"source": "template", "summary": ["x"]},
        issues=[{"code": "llm_failure_fallback", "message": "m", "reason": "no_api_key"}],
    )
    narrative = build_view(doc).narrative
    assert narrative.is_fallback
    assert narrative.reason == "no_api_key"
    assert narrative.notice().endswith("Why: m (reason: no_api_key)")


def test_fallback_issue_alone_marks_the_fallback() -> None:
    doc = result_doc(issues=[{"code": "llm_failure_fallback", "message": "LLM timed out"}])
    doc["narrative"] = {"summary": ["x"]}
    narrative = build_view(doc).narrative
    assert narrative.is_fallback
    assert narrative.reason_message == "LLM timed out"
    assert "LLM timed out" in narrative.notice()


def test_a_sparse_document_does_not_break_the_view() -> None:
    view = build_view({"jobId": "job_x"})
    assert view.insights == [] and view.charts == {} and view.kpis == []
    assert view.quality_score is None


def test_escape_markdown_neutralises_links_html_and_directives() -> None:
    raw = "<script>alert(1)</script> [click](javascript:alert(1)) **b** :red[x] $x$\nnext"
    escaped = escape_markdown(raw)
    assert "<script>" not in escaped
    assert "[click](" not in escaped
    assert "\n" not in escaped
    assert escaped.replace("\\", "") == raw.replace("\n", " ")


def test_schema_v1_shapes_preview_columns_rows_and_quality_dict() -> None:
    doc = result_doc(
        cleanedPreview={"columns": ["a", "b"], "rows": [[1, "x"], [2, None]], "totalRows": 2},
        qualityScore={"score": 91, "grade": "A", "deductions": [{"points": 8.9, "message": "gaps"}]},
        kpis=[{"id": "rows", "label": "Rows", "value": 7.0}, {"id": "quality_score", "value": 91}],
        narrative={"source": "fallback", "headline": "H", "paragraphs": ["P"], "caveats": ["C"]},
    )
    view = build_view(doc)
    assert view.preview == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    assert (view.quality_score, view.quality_grade) == (91, "A")
    assert view.quality_deductions == ["-8.90 points: gaps"]
    cards = [(k.label, k.value) for k in view.kpi_cards()]
    assert cards == [("Data quality score", "91 / 100 (A)"), ("Rows", "7")]
    assert view.narrative.headline == "H" and view.narrative.paragraphs == ["P"]
    assert view.narrative.caveats == ["C"] and view.narrative.is_fallback


def test_kpi_units() -> None:
    kpis = [{"label": "Done", "value": 91.07, "unit": "percent"}, {"label": "Sum", "value": 5, "symbol": "$"}]
    assert [k.value for k in build_view(result_doc(kpis=kpis)).kpis] == ["91.07%", "$5"]
