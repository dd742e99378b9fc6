"""Streamlit page logic with `AppTest`, against a live stack (no browser)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.supervisor.valkey import free_port
from tests.support.stack import REPO, Stack
from tests.ui.conftest import TICKET_GOAL, v1_job

APP = str(REPO / "ui_streamlit" / "app.py")
RUN_TIMEOUT_S = 30


def new_app(monkeypatch: pytest.MonkeyPatch, api_url: str) -> AppTest:
    monkeypatch.setenv("API_URL", api_url)
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
    return at.run()


def submit(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="csv").upload(path.name, path.read_bytes(), "text/csv")
    at.run()
    at.button(key="analyse").click()
    return at.run()


def run_until(at: AppTest, done, timeout_s: float = 60) -> AppTest:  # type: ignore[no-untyped-def]
    """Rerun the page (as the browser's fragment timer would) until `done(at)`."""
    deadline = time.monotonic() + timeout_s
    while not done(at):
        assert time.monotonic() < deadline, [e.value for e in at.markdown] + [e.value for e in at.error]
        at.run()
    return at


def finished(at: AppTest) -> bool:
    return not at.get("progress") and "job_id" in at.session_state


def texts(at: AppTest) -> str:
    kinds = ("markdown", "error", "warning", "success", "caption", "info")
    parts = [e.value for kind in kinds for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def test_upload_shows_result_with_charts_and_fallback_notice(
    ui_stack: Stack, sales_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = submit(new_app(monkeypatch, ui_stack.api_url), sales_demo)
    assert not at.exception
    run_until(at, finished)
    assert not at.exception and not at.error, texts(at)
    assert any("sales_demo.csv" in s.value.replace("\\", "") for s in at.success)
    assert at.get("plotly_chart"), "no plotly chart on the page"
    assert any("Fallback narrative" in w.value for w in at.warning)
    assert at.metric and at.metric[0].label == "Data quality score"
    assert at.selectbox(key="recent").value.endswith(at.session_state["job_id"])  # follows the new job
    assert at.dataframe  # preview (and profile)
    assert at.download_button(key="download_result")
    assert at.download_button(key="download_report")


def test_failed_job_shows_code_message_and_error_document(
    ui_stack: Stack, failing_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_until(submit(new_app(monkeypatch, ui_stack.api_url), failing_csv), finished)
    assert any("processing_error" in e.value for e in at.error)
    assert "**Message:**" in texts(at)
    doc = at.json[0].value
    assert '"status": "failed"' in doc.replace("'", '"') or '"failed"' in doc
    assert at.download_button(key="download_error")


def test_cancel_button_cancels_on_the_server(
    slow_stack: Stack, sales_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = submit(new_app(monkeypatch, slow_stack.api_url), sales_demo)
    job_id = at.session_state["job_id"]
    assert at.get("progress"), texts(at)
    at.button(key="cancel").click()
    at.run()
    assert slow_stack.status(job_id)["status"] == "cancelled"
    run_until(at, finished)
    assert any("was cancelled" in w.value for w in at.warning)


def test_recent_jobs_reopen(ui_stack: Stack, sales_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = ui_stack.upload(sales_demo)
    ui_stack.wait_for(job_id)
    at = new_app(monkeypatch, ui_stack.api_url)
    recent = at.selectbox(key="recent")
    recent.set_value(next(label for label in recent.options if label.endswith(job_id)))
    at.button(key="open_job").click()
    at.run()
    assert at.session_state["job_id"] == job_id
    assert any(job_id in h.value for h in at.subheader)


def test_rejected_upload_shows_the_servers_message(ui_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_app(monkeypatch, ui_stack.api_url)
    at.file_uploader(key="csv").upload("tool.exe", b"MZ\x90\x00", "application/octet-stream")
    at.run()
    at.button(key="analyse").click()
    at.run()
    assert any("Upload rejected (HTTP 415)" in e.value for e in at.error)


def test_api_down_is_a_plain_message(monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_app(monkeypatch, f"http://127.0.0.1:{free_port()}")
    assert not at.exception
    assert any("is not reachable" in e.value for e in at.error)


def test_hostile_cells_are_escaped(
    ui_stack: Stack, hostile_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_until(submit(new_app(monkeypatch, ui_stack.api_url), hostile_csv), finished)
    for block in at.markdown:
        assert "<script>" not in block.value and "](javascript:" not in block.value


def test_url_upload_refused_by_the_api_shows_why(ui_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_app(monkeypatch, ui_stack.api_url)
    at.text_input(key="file_url").input("ftp://example.com/sales.csv")
    at.run()
    at.button(key="analyse").click()
    at.run()
    assert any("Upload rejected (HTTP 400)" in e.value and "http or https" in e.value for e in at.error)


def test_a_goal_travels_to_the_job_and_its_answer_comes_first(
    ui_stack: Stack, ticket_table: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = new_app(monkeypatch, ui_stack.api_url)
    at.text_area(key="goal").input(TICKET_GOAL)
    at = run_until(submit(at, ticket_table), finished)
    assert not at.exception and not at.error, texts(at)
    assert ui_stack.status(at.session_state["job_id"])["goal"] == TICKET_GOAL
    blocks = [m.value.replace("\\", "") for m in at.main.markdown]
    assert blocks[0] == f"**Your goal:** {TICKET_GOAL}"  # first on the page
    answer = at.info[0].value.replace("\\", "")
    assert answer.startswith("**Answer.**") and "Fred Luddy" in answer and "[ins_1" in answer
    assert any("answers your goal" in b for b in blocks)


def test_a_version_1_result_still_renders(
    ui_stack: Stack, sales_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = v1_job(ui_stack, sales_demo)
    monkeypatch.setenv("API_URL", ui_stack.api_url)
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
    at.query_params["job"] = job_id
    at.run()
    assert not at.exception and not at.error, texts(at)
    assert any("result schema version 1" in i.value for i in at.info)
    assert at.metric and at.metric[0].label == "Data quality score"
    assert at.get("plotly_chart")


def test_a_result_off_the_schema_gets_a_clear_message(
    ui_stack: Stack, sales_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = ui_stack.upload(sales_demo)
    assert ui_stack.wait_for(job_id)["status"] == "completed"
    path = ui_stack.doc_path(job_id, "result.json")
    doc = json.loads(path.read_text())
    del doc["insights"][0]["evidence"]["measure"]
    path.write_text(json.dumps(doc))
    monkeypatch.setenv("API_URL", ui_stack.api_url)
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
    at.query_params["job"] = job_id
    at.run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")
    assert "This result cannot be shown" in message and "insights.0.evidence.measure" in message
    assert at.download_button(key="download_result")
