"""The downloadable HTML report: self-contained, answer first, and inert for hostile data."""

from __future__ import annotations

from typing import Any

from client.report import build_report_html

HOSTILE = "<script>window.__pwned=1</script>"


def test_report_embeds_plotly_once_and_escapes_data(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["plain"]
    doc["insights"][0]["title"] = HOSTILE
    doc["narrative"]["insightTexts"][0]["text"] = "[x](javascript:1)"
    doc["cleanedPreview"]["rows"][0][0] = HOSTILE
    page = build_report_html(doc, "job_x")
    assert page.startswith("<!DOCTYPE html>")
    assert HOSTILE not in page and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert page.count("plotly.js v") == 1  # the library, inlined once for offline viewing
    assert page.count('class="plotly-graph-div"') == len(doc["charts"])


def test_report_opens_with_the_goal_and_its_answer(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["goal"]
    doc["goal"]["text"] = f"resolution time by agent {HOSTILE}"
    page = build_report_html(doc, "job_x")
    answer = page.index('class="answer"')
    assert answer < page.index('class="kpis"') < page.index("<h2>Insights</h2>")
    assert HOSTILE not in page and "resolution time by agent &lt;script&gt;" in page


def test_a_version_1_report_says_so(docs: dict[str, dict[str, Any]]) -> None:
    page = build_report_html(docs["v1"], "job_x")
    assert "result schema version 1" in page and 'class="answer"' not in page
