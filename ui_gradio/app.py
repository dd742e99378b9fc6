"""The Gradio page: upload, timer-driven progress, Cancel, result or error, recent jobs.

Handlers return dicts of component updates; every API failure becomes a plain
message in the status line instead of a traceback.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import gradio as gr

from client import (
    ApiUnavailable,
    CancelRejected,
    JobNotFound,
    ResultSchemaError,
    SightlineClient,
    SightlineError,
    UploadRejected,
)
from client.models import JobState, JobStatus
from client.report import build_report_html
from client.view import build_view, escape_markdown
from ui_gradio import render

MAX_INSIGHTS = 12
MAX_OVERVIEW = 4  # over time, distribution, top categories, map
POLL_INTERVAL_S = 1.0
RECENT_LIMIT = 20
MAX_GOAL_CHARS = 500  # the API's limit; it refuses longer goals with a clear message
GOAL_PLACEHOLDER = "e.g. resolution time by agent; is one agent overloaded?"
Updates = dict[Any, Any]

CSS = """
.sl-bar { height: 14px; background: #e5e7eb; border-radius: 7px; overflow: hidden; }
.sl-fill { height: 100%; background: #2563eb; transition: width .4s; }
.sl-label { margin-top: 4px; font-size: .95em; }
#fallback-notice { border-left: 4px solid #d97706; padding-left: 10px; background: #fffbeb; }
#goal-answer { border-left: 4px solid #2563eb; padding: 4px 12px; background: #eff6ff; }
#old-version { border-left: 4px solid #64748b; padding-left: 10px; background: #f8fafc; }
"""


@dataclass
class Page:
    """The components handlers read and update."""

    job_id: gr.Textbox
    status: gr.Markdown
    progress: gr.HTML
    timer: gr.Timer
    result_box: gr.Column
    answer: gr.Markdown
    old_notice: gr.Markdown
    kpis: gr.Markdown
    notice: gr.Markdown
    narrative: gr.Markdown
    profile: gr.Dataframe
    preview: gr.Dataframe
    download: gr.File
    report: gr.File
    error_box: gr.Column
    error_text: gr.Markdown
    error_doc: gr.JSON
    recent: gr.Dropdown
    cards: list[gr.Group]
    card_texts: list[gr.Markdown]
    card_plots: list[gr.Plot]
    overview: list[gr.Plot]

    def outputs(self) -> list[Any]:
        """Every component a handler may update, in a fixed order."""
        out: list[Any] = []
        for f in fields(self):
            value = getattr(self, f.name)
            out.extend(value if isinstance(value, list) else [value])
        return out


class Handlers:
    """Event handlers bound to one client and one page."""

    def __init__(self, client: SightlineClient, page: Page) -> None:
        self.client = client
        self.page = page
        self.download_dir = Path(tempfile.mkdtemp(prefix="sightline_gradio_"))

    # --- events ---------------------------------------------------------------------

    def submit(self, file_path: str | None, url: str, goal: str | None = None) -> Updates:
        """Upload the chosen file (or URL) with the goal, if any, and start polling."""
        p = self.page
        if not file_path and not (url or "").strip():
            return {p.status: "Choose a file (or give a URL) first."}
        wanted = (goal or "").strip() or None
        try:
            if file_path:
                job = self.client.upload(Path(file_path), goal=wanted)
            else:
                job = self.client.upload_url(url.strip(), url.strip().rsplit("/", 1)[-1] or None, goal=wanted)
        except UploadRejected as exc:
            return {p.status: f"**Upload rejected** (HTTP {exc.status_code}): {escape_markdown(exc.message)}"}
        return {**self._cleared(), **self._running(self.client.status(job.job_id)), p.job_id: job.job_id}

    def poll(self, job_id: str) -> Updates:
        """One timer tick: redraw progress, or show the outcome and stop the timer."""
        if not job_id:
            return {self.page.timer: gr.Timer(active=False)}
        status = self.client.status(job_id.strip())
        return self._running(status) if not status.is_terminal else self._terminal(status)

    def cancel(self, job_id: str) -> Updates:
        """Cancel the job on the server, then show its final state."""
        p = self.page
        if not job_id:
            return {p.status: "No job to cancel."}
        try:
            self.client.cancel(job_id.strip())
        except CancelRejected as exc:
            gr.Info(f"Too late to cancel: the job is already {exc.status}.")
        return self._terminal(self.client.status(job_id.strip()))

    def open_job(self, job_id: str | None) -> Updates:
        """Show a job picked from the recent list (or typed in)."""
        if not job_id:
            return {}
        status = self.client.status(job_id.strip())
        base = {**self._cleared(), self.page.job_id: status.job_id}
        return {**base, **(self._terminal(status) if status.is_terminal else self._running(status))}

    def refresh(self) -> Updates:
        """Health line and recent jobs, on load and on demand."""
        health = self.client.health()
        line = f"API `{self.client.base_url}` · {health.status} · {health.workers} worker(s)"
        return {self.page.status: line, **self._recent()}

    def _recent(self) -> Updates:
        jobs = self.client.jobs(limit=RECENT_LIMIT)
        choices = [(f"{j.file_name or '?'} · {j.status} · {j.job_id}", j.job_id) for j in jobs]
        return {self.page.recent: gr.Dropdown(choices=choices, value=None)}

    # --- views ----------------------------------------------------------------------

    def _running(self, status: JobStatus) -> Updates:
        p = self.page
        return {
            p.status: render.status_markdown(status),
            p.progress: render.progress_html(status),
            p.timer: gr.Timer(active=True),
        }

    def _cleared(self) -> Updates:
        p = self.page
        hidden = {card: gr.Group(visible=False) for card in p.cards}
        return {p.result_box: gr.Column(visible=False), p.error_box: gr.Column(visible=False), **hidden}

    def _terminal(self, status: JobStatus) -> Updates:
        p = self.page
        base = {
            p.timer: gr.Timer(active=False),
            p.status: render.status_markdown(status),
            p.progress: render.progress_html(status),
        }
        try:
            doc: dict[str, Any] | None = self.client.result(status.job_id)
        except JobNotFound:
            doc = None
        if status.status == JobState.COMPLETED and doc is not None:
            try:
                return {**base, **self._result(status, doc), **self._recent()}
            except ResultSchemaError as exc:
                return {**base, **self._unreadable(exc, doc), **self._recent()}
        return {**base, **self._failure(status, doc), **self._recent()}

    def _failure(self, status: JobStatus, doc: dict[str, Any] | None) -> Updates:
        p = self.page
        if status.status == JobState.CANCELLED:
            when = escape_markdown(status.cancelled_at or "?")
            text = f"### Job cancelled\n\nCancelled at {when}; it produced no result."
        else:
            code = status.error or (doc or {}).get("error") or "unknown"
            text = render.failure_markdown(
                str(code), status.error_message or (doc or {}).get("message") or ""
            )
        return {
            p.result_box: gr.Column(visible=False),
            p.error_box: gr.Column(visible=True),
            p.error_text: text,
            p.error_doc: doc if doc is not None else {"note": "The API has no document for this job."},
        }

    def _unreadable(self, exc: ResultSchemaError, doc: dict[str, Any]) -> Updates:
        p = self.page
        text = (
            "### Result cannot be shown\n\nIt does not follow the result schema this page reads "
            f"(versions 1 and 2). {escape_markdown(exc)}"
        )
        return {
            p.result_box: gr.Column(visible=False),
            p.error_box: gr.Column(visible=True),
            p.error_text: text,
            p.error_doc: doc,
        }

    def _result(self, status: JobStatus, doc: dict[str, Any]) -> Updates:
        p = self.page
        view = build_view(doc)
        old = view.old_version_notice()
        updates: Updates = {
            p.error_box: gr.Column(visible=False),
            p.result_box: gr.Column(visible=True),
            p.answer: gr.Markdown(render.answer_markdown(view.goal), visible=view.goal is not None),
            p.old_notice: gr.Markdown(escape_markdown(old or ""), visible=old is not None),
            p.kpis: render.kpi_markdown(view),
            p.notice: gr.Markdown(render.fallback_notice(view.narrative), visible=view.narrative.is_fallback),
            p.narrative: render.narrative_markdown(view.narrative),
            p.profile: render.text_frame(view.profile),
            p.preview: render.text_frame(view.preview),
            p.download: self._write_json(status.job_id, doc),
            p.report: self._write_report(status.job_id, doc),
        }
        overview = list(view.overview_charts().values())
        for slot, plot in enumerate(p.overview):
            fig = render.figure(overview[slot]) if slot < len(overview) else None
            updates[plot] = gr.Plot(fig, visible=fig is not None)
        for slot, card in enumerate(p.cards):
            insight = view.insights[slot] if slot < len(view.insights) else None
            updates[card] = gr.Group(visible=insight is not None)
            if insight is not None:
                text = render.insight_markdown(slot + 1, insight, view.sentence(insight))
                updates[p.card_texts[slot]] = text
                fig = render.figure(view.chart_for(insight))
                updates[p.card_plots[slot]] = gr.Plot(fig, visible=fig is not None)
        return updates

    def _write_report(self, job_id: str, doc: dict[str, Any]) -> str:
        path = self.download_dir / f"{job_id}_report.html"
        path.write_text(build_report_html(doc, job_id), encoding="utf-8")
        return str(path)

    def _write_json(self, job_id: str, doc: dict[str, Any]) -> str:
        path = self.download_dir / f"{job_id}_result.json"
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        return str(path)


def guarded(page: Page, base_url: str, handler: Callable[..., Updates]) -> Callable[..., Updates]:
    """`handler` with API failures turned into a plain status line (no traceback)."""

    def run(*args: Any) -> Updates:
        try:
            return handler(*args)
        except ApiUnavailable:
            down = f"**API unreachable.** The Sightline API at {base_url} is not reachable: is it running?"
            return {page.status: down}
        except JobNotFound as exc:
            return {
                page.status: f"Job `{exc.job_id}` is unknown to the API.",
                page.timer: gr.Timer(active=False),
            }
        except SightlineError as exc:
            return {page.status: f"The API answered with an error: {escape_markdown(exc)}"}

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run
