"""The downloadable HTML report: self-contained, and inert for hostile data."""

from __future__ import annotations

from client.report import build_report_html
from tests.client.test_view import result_doc

HOSTILE = "<script>window.__pwned=1</script>"


def test_report_embeds_plotly_once_and_escapes_data() -> None:
    doc = result_doc(
        insights=[{"id": "i", "type": "t", "title": HOSTILE, "text": "[x](javascript:1)", "chart": "c1"}],
        cleanedPreview={"columns": ["a"], "rows": [[HOSTILE]]},
    )
    page = build_report_html(doc, "job_x")
    assert page.startswith("<!DOCTYPE html>")
    assert HOSTILE not in page and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert page.count("plotly.js v") == 1  # the library, inlined once for offline viewing
    assert page.count('class="plotly-graph-div"') == 3  # the insight's chart and two unreferenced ones
