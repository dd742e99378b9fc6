"""Building the Gradio Blocks and wiring events to `Handlers`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from client import SightlineClient
from ui_gradio.app import (
    GOAL_PLACEHOLDER,
    MAX_GOAL_CHARS,
    MAX_INSIGHTS,
    MAX_OVERVIEW,
    POLL_INTERVAL_S,
    Handlers,
    Page,
    Updates,
    guarded,
)


def _insight_cards() -> dict[str, Any]:
    """MAX_INSIGHTS hidden cards (text + chart); handlers fill and show as many as needed."""
    cards, texts, plots = [], [], []
    for slot in range(MAX_INSIGHTS):
        with gr.Group(visible=False, elem_id=f"insight-{slot + 1}") as card:
            texts.append(gr.Markdown())
            plots.append(gr.Plot(show_label=False))
        cards.append(card)
    return {"cards": cards, "card_texts": texts, "card_plots": plots}


def _result_box() -> tuple[gr.Column, dict[str, Any]]:
    """The completed-job view, hidden until a result arrives."""
    parts: dict[str, Any] = {}
    with gr.Column(visible=False, elem_id="result") as box:
        parts["answer"] = gr.Markdown(visible=False, elem_id="goal-answer")
        parts["old_notice"] = gr.Markdown(visible=False, elem_id="old-version")
        gr.Markdown("## Key figures")
        parts["kpis"] = gr.Markdown(elem_id="kpis")
        gr.Markdown("## Summary")
        parts["notice"] = gr.Markdown(visible=False, elem_id="fallback-notice")
        parts["narrative"] = gr.Markdown(elem_id="narrative")
        gr.Markdown("## Insights")
        parts.update(_insight_cards())
        gr.Markdown("## Overview")
        parts["overview"] = []
        for start in range(0, MAX_OVERVIEW, 2):
            with gr.Row():
                count = min(2, MAX_OVERVIEW - start)
                parts["overview"] += [
                    gr.Plot(show_label=False, visible=False, elem_id=f"overview-{start + n + 1}")
                    for n in range(count)
                ]
        with gr.Accordion("Column profile", open=False):
            parts["profile"] = gr.Dataframe(interactive=False, datatype="str", elem_id="profile")
        gr.Markdown("## Data preview")
        parts["preview"] = gr.Dataframe(interactive=False, datatype="str", elem_id="preview")
        with gr.Row():
            parts["download"] = gr.File(label="result.json", interactive=False, elem_id="download")
            parts["report"] = gr.File(label="HTML report", interactive=False, elem_id="report")
    return box, parts


def build_demo(client: SightlineClient) -> gr.Blocks:
    """The whole page for `client`'s API."""
    with gr.Blocks(title="Sightline") as demo:
        gr.Markdown(
            "# Sightline\nUpload a table; get its profile, ranked insights with charts and a narrative."
        )
        status = gr.Markdown(elem_id="status")
        with gr.Row():
            upload = gr.File(label="Table to analyse", type="filepath", elem_id="upload", scale=3)
            goal = gr.Textbox(
                label="Goal (optional)",
                placeholder=GOAL_PLACEHOLDER,
                info="What you want to know of the table: findings about it come first.",
                max_length=MAX_GOAL_CHARS,
                lines=3,
                elem_id="goal",
                scale=2,
            )
            with gr.Column(scale=2):
                url = gr.Textbox(label="…or a file URL", elem_id="file-url")
                analyse = gr.Button("Analyse", variant="primary", elem_id="analyse")
                cancel = gr.Button("Cancel job", variant="stop", elem_id="cancel")
        job_id = gr.Textbox(label="Job id", elem_id="job-id")
        progress = gr.HTML(elem_id="progress")
        timer = gr.Timer(POLL_INTERVAL_S, active=False)
        result_box, parts = _result_box()
        with gr.Column(visible=False, elem_id="error") as error_box:
            error_text = gr.Markdown(elem_id="error-text")
            error_doc = gr.JSON(label="error.json", elem_id="error-json", open=True)
        with gr.Accordion("Recent jobs", open=True):
            recent = gr.Dropdown(label="Reopen a job", choices=[], elem_id="recent")
            refresh = gr.Button("Refresh list", size="sm", elem_id="refresh")
        page = Page(
            job_id=job_id,
            status=status,
            progress=progress,
            timer=timer,
            result_box=result_box,
            error_box=error_box,
            error_text=error_text,
            error_doc=error_doc,
            recent=recent,
            **parts,
        )
        _wire(demo, client, page, [upload, url, goal], analyse, cancel, refresh)
    return demo


def _wire(
    demo: gr.Blocks,
    client: SightlineClient,
    page: Page,
    inputs: list[Any],
    analyse: gr.Button,
    cancel: gr.Button,
    refresh: gr.Button,
) -> None:
    handlers = Handlers(client, page)
    outputs = page.outputs()

    def guard(handler: Callable[..., Updates]) -> Callable[..., Updates]:
        return guarded(page, client.base_url, handler)

    analyse.click(guard(handlers.submit), inputs, outputs, api_name="submit")
    page.timer.tick(guard(handlers.poll), [page.job_id], outputs, api_name="poll", show_progress="hidden")
    cancel.click(guard(handlers.cancel), [page.job_id], outputs, api_name="cancel")
    page.recent.input(guard(handlers.open_job), [page.recent], outputs, api_name="open_recent")
    page.job_id.submit(guard(handlers.open_job), [page.job_id], outputs, api_name="open_job")
    refresh.click(guard(handlers.refresh), None, outputs, api_name="refresh")
    demo.load(guard(handlers.refresh), None, outputs, api_visibility="private")
