"""Pure formatting for the Gradio page: Markdown and HTML built from client views.

Every data-derived string is escaped here (Markdown escapes or `html.escape`), so cell
values and narrative text reach the browser as inert text.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from client.models import JobStatus
from client.view import Narrative, ResultView, escape_markdown

STAGE_LABELS = {
    "queued": "Waiting for a worker",
    "parsing": "Reading the file",
    "profiling": "Profiling columns",
    "insights": "Finding insights",
    "narrative": "Writing the narrative",
    "saving": "Saving the result",
}


def progress_html(status: JobStatus) -> str:
    """A progress bar with the stage name and percentage (numbers and fixed labels only)."""
    pct = status.progress * 100
    if status.is_terminal:
        label = status.status.capitalize()
        pct = 100.0 if status.status == "completed" else pct
    else:
        label = STAGE_LABELS.get(status.stage or "", status.stage or status.status)
    return (
        f'<div class="sl-progress" data-status="{html.escape(status.status)}">'
        f'<div class="sl-bar"><div class="sl-fill" style="width:{pct:.0f}%"></div></div>'
        f'<div class="sl-label">{html.escape(label)} — {pct:.0f} % ({html.escape(status.status)})</div></div>'
    )


def status_markdown(status: JobStatus) -> str:
    """One line naming the job, its file and its status."""
    name = escape_markdown(status.file_name or "")
    return f"**Job** `{status.job_id}` · {name} · status **{escape_markdown(status.status)}**"


def kpi_markdown(view: ResultView) -> str:
    """KPI cards as a Markdown table, quality score first."""
    cells = [(k.label, k.value) for k in view.kpis]
    if view.quality_score is not None:
        cells.insert(0, ("Data quality score", f"{view.quality_score:.0f} / 100"))
    if not cells:
        return "_No KPIs in this result._"
    head = " | ".join(escape_markdown(label) for label, _ in cells)
    values = " | ".join(f"**{escape_markdown(value)}**" for _, value in cells)
    return f"| {head} |\n|{'---|' * len(cells)}\n| {values} |"


def fallback_notice(narrative: Narrative) -> str:
    """The visible notice that the narrative was written by templates, and why."""
    why = escape_markdown(narrative.reason or "no language model was used")
    return (
        f"**Fallback narrative.** Written from the computed insights by templates, not by the "
        f"language model ({escape_markdown(narrative.source)}). Why: {why}"
    )


def narrative_markdown(narrative: Narrative) -> str:
    """The narrative bullets, escaped."""
    if not narrative.bullets:
        return "_No narrative in this result._"
    return "\n".join(f"- {escape_markdown(b)}" for b in narrative.bullets)


def insight_markdown(rank: int, title: str, text: str, kind: str, score: float) -> str:
    """One insight card's text."""
    return (
        f"### {rank}. {escape_markdown(title)}\n\n{escape_markdown(text)}\n\n"
        f"<small>{html.escape(kind)} · score {score:.2f}</small>"
    )


def figure(fig_json: dict[str, Any] | None) -> go.Figure | None:
    """A plotly Figure from result.json's figure JSON, or None when absent or invalid."""
    if not fig_json:
        return None
    try:
        return go.Figure(fig_json)
    except ValueError:
        return None


def text_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as an all-text DataFrame (shown with datatype "str": never Markdown or HTML)."""
    frame = pd.DataFrame(rows)
    return frame.map(lambda v: "" if v is None else str(v)) if not frame.empty else frame


def failure_markdown(code: str, message: str) -> str:
    """Error code and message of a failed job."""
    safe_code = code.replace("`", "'")
    return f"### Job failed\n\n**Error code:** `{safe_code}`\n\n**Message:** {escape_markdown(message)}"
