"""The Streamlit page in real Chromium against a live stack."""

from __future__ import annotations

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


def submit(page: Page, server: UiServer, path: Path, goal: str | None = None) -> None:
    page.goto(server.url)
    page.locator(".st-key-csv input[type=file]").set_input_files(str(path))
    if goal:
        box = page.locator(".st-key-goal textarea")
        box.fill(goal)
        box.press("Control+Enter")  # commit the text before the click
        expect(page.get_by_text(f"{len(goal)}/500", exact=False)).to_be_visible()
    analyse = page.locator(".st-key-analyse button")
    expect(analyse).to_be_enabled(timeout=20_000)
    analyse.click()


def test_upload_progress_then_insights_with_a_drawn_chart(
    page: Page, streamlit_server: UiServer, sales_demo: Path
) -> None:
    submit(page, streamlit_server, sales_demo)
    chart = page.locator(".stPlotlyChart .js-plotly-plot .main-svg").first
    expect(chart).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    assert page.locator(".stPlotlyChart .js-plotly-plot .trace").count() >= 1
    expect(page.get_by_text("Insights (", exact=False)).to_be_visible()
    expect(page.get_by_text("Fallback narrative.", exact=False)).to_be_visible()
    expect(page.get_by_text("Data quality score", exact=True)).to_be_visible()
    expect(page.locator(".st-key-download_result button")).to_be_visible()
    screenshot(page, "streamlit_result", height=3000)


def test_cancel_a_slow_job(page: Page, streamlit_slow_server: UiServer, sales_demo: Path) -> None:
    submit(page, streamlit_slow_server, sales_demo)
    progress = page.locator('[data-testid="stProgress"]')
    expect(progress).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Reading the file", exact=False)).to_be_visible(timeout=20_000)
    screenshot(page, "streamlit_progress")
    page.locator(".st-key-cancel button").click()
    expect(page.get_by_text("was cancelled at", exact=False)).to_be_visible(timeout=20_000)
    expect(progress).to_have_count(0)
    screenshot(page, "streamlit_cancelled")


def test_failing_file_shows_code_message_and_error_json(
    page: Page, streamlit_server: UiServer, failing_csv: Path
) -> None:
    submit(page, streamlit_server, failing_csv)
    expect(page.get_by_text("Job failed — error code")).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    expect(page.locator("code", has_text="processing_error").first).to_be_visible()
    expect(page.get_by_text("Message:")).to_be_visible()
    expect(page.get_by_role("heading", name="error.json")).to_be_visible()
    expect(page.locator('[data-testid="stJson"]')).to_contain_text('"failed"')
    screenshot(page, "streamlit_failed")


def test_hostile_cells_stay_inert(page: Page, streamlit_server: UiServer, hostile_csv: Path) -> None:
    submit(page, streamlit_server, hostile_csv)
    expect(page.get_by_text("Data preview")).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    expect(page.locator(".stMarkdown").get_by_text(HOSTILE_VALUES[1], exact=False).first).to_be_visible()
    expect(page.locator(".stMarkdown").get_by_text(HOSTILE_VALUES[0], exact=False).first).to_be_visible()
    assert_inert(page)


def test_api_down_is_a_plain_message(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    from engine.supervisor.valkey import free_port
    from tests.ui.conftest import start_ui

    server = start_ui("streamlit", f"http://127.0.0.1:{free_port()}", tmp_path_factory.mktemp("down"))
    try:
        page.goto(server.url)
        expect(page.get_by_text("is not reachable", exact=False)).to_be_visible(timeout=20_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        server.stop()


def _answer_first(page: Page) -> None:
    """The goal's answer is above everything else of the result: banner, KPIs, summary, insights."""
    answer = page.locator(".st-key-goal_answer")
    top = answer.bounding_box()
    assert top is not None
    for other in ('[data-testid="stAlertContentSuccess"]', '[data-testid="stMetric"]', ".st-key-insight_1"):
        box = page.locator(other).first.bounding_box()
        assert box is not None and top["y"] < box["y"], other


def test_a_goal_is_answered_first_on_a_ticket_table(
    page: Page, streamlit_server: UiServer, ticket_table: Path
) -> None:
    submit(page, streamlit_server, ticket_table, TICKET_GOAL)
    answer = page.locator(".st-key-goal_answer")
    expect(answer).to_contain_text(f"Your goal: {TICKET_GOAL}", timeout=RESULT_TIMEOUT_MS)
    expect(answer).to_contain_text("Fred Luddy")
    expect(answer).to_contain_text("ins_1")
    expect(page.locator(".st-key-insight_1")).to_contain_text("answers your goal")
    expect(page.locator(".stPlotlyChart .js-plotly-plot .main-svg").first).to_be_visible(
        timeout=RESULT_TIMEOUT_MS
    )
    _answer_first(page)
    durations = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert any(v.endswith(" h") or " d " in v or v.endswith(" min") for v in durations), durations
    screenshot(page, "streamlit_goal_tickets", height=5200)


def test_a_goal_on_a_panel_table_shows_highlighted_lines(
    page: Page, streamlit_server: UiServer, panel_table: Path
) -> None:
    submit(page, streamlit_server, panel_table, PANEL_GOAL)
    answer = page.locator(".st-key-goal_answer")
    expect(answer).to_contain_text(f"Your goal: {PANEL_GOAL}", timeout=RESULT_TIMEOUT_MS)
    chart = page.locator(".st-key-insight_1 .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    assert chart.locator(".scatterlayer .trace").count() >= 3  # one line per city, one highlighted
    _answer_first(page)
    screenshot(page, "streamlit_goal_panel", height=5200)


def test_coordinates_are_drawn_on_a_map_without_internet(
    page: Page, streamlit_server: UiServer, map_table: Path
) -> None:
    submit(page, streamlit_server, map_table)
    tab = page.get_by_role("tab", name="Where the", exact=False)
    expect(tab).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    tab.click()
    chart = page.locator('[role="tabpanel"]:visible .js-plotly-plot')
    expect(chart.locator(".scattergeo .point").first).to_be_attached()
    assert chart.locator(".land").count() >= 1  # the shipped world map, not a CDN's
    screenshot(page, "streamlit_map", height=3200)
