"""Gradio page logic through `gradio_client`, against the served page and a live stack."""

from __future__ import annotations

import json
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from tests.support.results import assert_valid
from tests.support.stack import Stack
from tests.ui.conftest import TICKET_GOAL, UiServer, v1_job
from ui_gradio.app import MAX_INSIGHTS, MAX_OVERVIEW, Page

LAYOUT_FIELDS = {"result_box", "error_box", "cards"}  # layout blocks are not API outputs


def output_names() -> list[str]:
    """Names of the API outputs of every handler, in order."""
    names: list[str] = []
    for f in fields(Page):
        if f.name in LAYOUT_FIELDS:
            continue
        if f.name in ("card_texts", "card_plots"):
            names += [f"{f.name}{n}" for n in range(MAX_INSIGHTS)]
        elif f.name == "overview":
            names += [f"overview{n}" for n in range(MAX_OVERVIEW)]
        else:
            names.append(f.name)
    return names


def call(client: Client, api_name: str, *args: Any) -> dict[str, Any]:
    return dict(zip(output_names(), client.predict(*args, api_name=api_name), strict=True))


def value(out: Any) -> Any:
    """A component's value whether it came back bare or inside an update dict."""
    return out.get("value") if isinstance(out, dict) and out.get("__type__") == "update" else out


def poll_to_end(client: Client, job_id: str, timeout_s: float = 60) -> dict[str, Any]:
    """Call /poll as the page's timer would until the timer is switched off."""
    deadline = time.monotonic() + timeout_s
    while True:
        out = call(client, "/poll", job_id)
        if isinstance(out["timer"], dict) and out["timer"].get("active") is False:
            return out
        assert time.monotonic() < deadline, out["status"]


@pytest.fixture
def gradio(gradio_server: UiServer) -> Client:
    return Client(gradio_server.url, verbose=False)


def test_upload_then_poll_shows_insights_charts_and_fallback_notice(gradio: Client, sales_demo: Path) -> None:
    started = call(gradio, "/submit", handle_file(str(sales_demo)), "", "")
    job_id = started["job_id"]
    assert job_id.startswith("job_") and started["timer"]["active"] is True
    assert 'class="sl-progress"' in started["progress"]
    out = poll_to_end(gradio, job_id)
    assert "status **completed**" in value(out["status"]), out["status"]
    notice = out["notice"]
    assert notice["visible"] is True and "Fallback narrative" in notice["value"]
    plots = [value(out[f"card_plots{n}"]) for n in range(MAX_INSIGHTS)]
    plots += [value(out[f"overview{n}"]) for n in range(MAX_OVERVIEW)]
    assert any(isinstance(p, dict) and p.get("type") == "plotly" for p in plots)
    assert "Data quality score" in value(out["kpis"])
    download = out["download"]
    doc = json.loads(Path(download).read_text())
    assert doc["jobId"] == job_id and doc["goal"] is None
    assert_valid(doc)
    assert "Fallback narrative." in Path(out["report"]).read_text()


def test_failing_file_shows_code_message_and_error_document(gradio: Client, failing_csv: Path) -> None:
    job_id = call(gradio, "/submit", handle_file(str(failing_csv)), "", "")["job_id"]
    out = poll_to_end(gradio, job_id)
    assert "`processing_error`" in value(out["error_text"]) and "**Message:**" in value(out["error_text"])
    doc = value(out["error_doc"])
    assert doc["status"] == "failed" and doc["error"] == "processing_error" and doc["message"]


def test_cancel_button_cancels_on_the_server(
    gradio_slow_server: UiServer, slow_stack: Stack, sales_demo: Path
) -> None:
    client = Client(gradio_slow_server.url, verbose=False)
    job_id = call(client, "/submit", handle_file(str(sales_demo)), "", "")["job_id"]
    out = call(client, "/cancel", job_id)
    assert slow_stack.status(job_id)["status"] == "cancelled"
    assert out["timer"]["active"] is False
    assert "Job cancelled" in value(out["error_text"])


def test_recent_jobs_list_and_reopen(gradio: Client, ui_stack: Stack, sales_demo: Path) -> None:
    job_id = ui_stack.upload(sales_demo)
    ui_stack.wait_for(job_id)
    listed = call(gradio, "/refresh")["recent"]
    assert any(job_id == choice[1] for choice in listed["choices"])
    out = call(gradio, "/open_job", job_id)
    assert value(out["job_id"]) == job_id and out["timer"]["active"] is False


def test_rejected_upload_and_unknown_job_are_plain_messages(gradio: Client, tmp_path: Path) -> None:
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00")
    assert "Upload rejected" in value(call(gradio, "/submit", handle_file(str(exe)), "", "")["status"])
    assert "unknown to the API" in value(call(gradio, "/open_job", "job_nope")["status"])


def test_a_goal_travels_to_the_job_and_its_answer_comes_first(
    gradio: Client, ui_stack: Stack, ticket_table: Path
) -> None:
    started = call(gradio, "/submit", handle_file(str(ticket_table)), "", TICKET_GOAL)
    job_id = started["job_id"]
    assert ui_stack.status(job_id)["goal"] == TICKET_GOAL
    out = poll_to_end(gradio, job_id)
    answer = out["answer"]
    assert answer["visible"] is True
    text = answer["value"].replace("\\", "")
    assert text.startswith(f"**Your goal:** {TICKET_GOAL}") and "Fred Luddy" in text and "[ins_1" in text
    assert "answers your goal" in value(out["card_texts0"])
    assert f"goal: {TICKET_GOAL}" in value(out["status"])
    doc = json.loads(Path(out["download"]).read_text())
    assert_valid(doc)


def test_a_version_1_result_still_renders(gradio: Client, ui_stack: Stack, sales_demo: Path) -> None:
    job_id = v1_job(ui_stack, sales_demo)
    out = call(gradio, "/open_job", job_id)
    notice = out["old_notice"]
    assert notice["visible"] is True and "result schema version 1" in notice["value"]
    assert out["answer"]["visible"] is False
    assert "Data quality score" in value(out["kpis"])


def test_a_result_off_the_schema_gets_a_clear_message(
    gradio: Client, ui_stack: Stack, sales_demo: Path
) -> None:
    job_id = ui_stack.upload(sales_demo)
    assert ui_stack.wait_for(job_id)["status"] == "completed"
    path = ui_stack.doc_path(job_id, "result.json")
    doc = json.loads(path.read_text())
    doc["schemaVersion"] = 3
    path.write_text(json.dumps(doc))
    out = call(gradio, "/open_job", job_id)
    text = value(out["error_text"])
    assert "Result cannot be shown" in text and "schemaVersion is 3" in text.replace("\\", "")
