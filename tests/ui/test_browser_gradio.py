"""The Gradio page in real Chromium against a live stack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import (
    HOSTILE_VALUES,
    PANEL_GOAL,
    TICKET_GOAL,
    UiServer,
    assert_inert,
    screenshot,
)

pytestmark = pytest.mark.browser
RESULT_TIMEOUT_MS = 60_000
RENDER_TIMEOUT_MS = 60_000
JOB_ID = re.compile(r"^job_")


def submit(page: Page, server: UiServer, path: Path, goal: str | None = None) -> None:
    page.goto(server.url)
    upload = page.locator("#upload input[type=file]")
    try:  # Gradio's front end is a large bundle: on a loaded 2-core machine its first render can be slow
        expect(upload).to_be_attached(timeout=RENDER_TIMEOUT_MS)
    except AssertionError as exc:
        log = server.log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"the Gradio page never rendered its upload box; its log ends:\n{log}") from exc
    upload.set_input_files(str(path))
    # The file name shows while uploading; the download link only once the upload is done.
    expect(page.locator('#upload [data-testid="download-link"]')).to_be_visible(timeout=20_000)
    if goal:
        page.locator("#goal textarea").fill(goal)
    page.locator("#analyse").click()
    expect(page.locator("#job-id textarea, #job-id input").first).to_have_value(JOB_ID, timeout=20_000)


def test_upload_progress_then_insights_with_a_drawn_chart(
    page: Page, gradio_server: UiServer, sales_demo: Path
) -> None:
    submit(page, gradio_server, sales_demo)
    expect(page.locator("#progress .sl-progress")).to_be_visible(timeout=20_000)
    chart = page.locator("#insight-1 .js-plotly-plot .main-svg").first
    expect(chart).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    assert page.locator("#insight-1 .js-plotly-plot .trace").count() >= 1
    expect(page.locator("#fallback-notice")).to_contain_text("Fallback narrative.")
    expect(page.locator("#kpis")).to_contain_text("Data quality score")
    expect(page.locator("#status")).to_contain_text("completed")
    screenshot(page, "gradio_result")


def test_cancel_a_slow_job(page: Page, gradio_slow_server: UiServer, sales_demo: Path) -> None:
    submit(page, gradio_slow_server, sales_demo)
    expect(page.locator("#progress")).to_contain_text("Reading the file", timeout=20_000)
    screenshot(page, "gradio_progress")
    page.locator("#cancel").click()
    expect(page.locator("#error-text")).to_contain_text("Job cancelled", timeout=20_000)
    expect(page.locator("#status")).to_contain_text("cancelled")
    screenshot(page, "gradio_cancelled")


def test_failing_file_shows_code_message_and_error_json(
    page: Page, gradio_server: UiServer, failing_csv: Path
) -> None:
    submit(page, gradio_server, failing_csv)
    error_text = page.locator("#error-text")
    expect(error_text).to_contain_text("processing_error", timeout=RESULT_TIMEOUT_MS)
    expect(error_text).to_contain_text("Message:")
    expect(page.locator("#error-json")).to_contain_text('"failed"')
    screenshot(page, "gradio_failed")


def test_hostile_cells_stay_inert(page: Page, gradio_server: UiServer, hostile_csv: Path) -> None:
    submit(page, gradio_server, hostile_csv)
    expect(page.locator("#preview")).to_contain_text("<script>", timeout=RESULT_TIMEOUT_MS)
    expect(page.locator("#result").get_by_text(HOSTILE_VALUES[1], exact=False).first).to_be_visible()
    expect(page.locator("#result").get_by_text(HOSTILE_VALUES[0], exact=False).first).to_be_visible()
    assert_inert(page)


def test_api_down_is_a_plain_message(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    from engine.supervisor.valkey import free_port
    from tests.ui.conftest import start_ui

    server = start_ui("gradio", f"http://127.0.0.1:{free_port()}", tmp_path_factory.mktemp("down"))
    try:
        page.goto(server.url)
        expect(page.locator("#status")).to_contain_text("is not reachable", timeout=20_000)
    finally:
        server.stop()


def _answer_first(page: Page) -> None:
    """The goal's answer is above everything else of the result: KPIs, summary, insights."""
    top = page.locator("#goal-answer").bounding_box()
    assert top is not None
    for other in ("#kpis", "#narrative", "#insight-1"):
        box = page.locator(other).first.bounding_box()
        assert box is not None and top["y"] < box["y"], other


def test_a_goal_is_answered_first_on_a_ticket_table(
    page: Page, gradio_server: UiServer, ticket_table: Path
) -> None:
    submit(page, gradio_server, ticket_table, TICKET_GOAL)
    answer = page.locator("#goal-answer")
    expect(answer).to_contain_text(f"Your goal: {TICKET_GOAL}", timeout=RESULT_TIMEOUT_MS)
    expect(answer).to_contain_text("Fred Luddy")
    expect(page.locator("#status")).to_contain_text(f"goal: {TICKET_GOAL}")
    expect(page.locator("#insight-1").first).to_contain_text("answers your goal")
    expect(page.locator("#insight-1 .js-plotly-plot .main-svg").first).to_be_visible(
        timeout=RESULT_TIMEOUT_MS
    )
    _answer_first(page)
    expect(page.locator("#kpis")).to_contain_text(" h")  # durations in hours and minutes, not "(hours)"
    screenshot(page, "gradio_goal_tickets")


def test_a_goal_on_a_panel_table_shows_highlighted_lines(
    page: Page, gradio_server: UiServer, panel_table: Path
) -> None:
    submit(page, gradio_server, panel_table, PANEL_GOAL)
    answer = page.locator("#goal-answer")
    expect(answer).to_contain_text(f"Your goal: {PANEL_GOAL}", timeout=RESULT_TIMEOUT_MS)
    chart = page.locator("#insight-1 .js-plotly-plot").first
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    assert chart.locator(".scatterlayer .trace").count() >= 3
    _answer_first(page)
    screenshot(page, "gradio_goal_panel")


def test_coordinates_are_drawn_on_a_map_without_internet(
    page: Page, gradio_server: UiServer, map_table: Path
) -> None:
    submit(page, gradio_server, map_table)
    chart = page.locator(".js-plotly-plot", has=page.locator(".scattergeo"))
    expect(chart.locator(".scattergeo .point").first).to_be_attached(timeout=RESULT_TIMEOUT_MS)
    assert chart.locator(".land").count() >= 1  # the shipped world map, not a CDN's
    screenshot(page, "gradio_map")
