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
from client.view import GoalView, Insight, Narrative, ResultView, escape_markdown

KPIS_PER_ROW = 6
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
        label = STAGE_LABELS.get(status.stage or "", status.stage or "Waiting in the queue")
    return (
        f'<div class="sl-progress" data-status="{html.escape(status.status)}">'
        f'<div class="sl-bar"><div class="sl-fill" style="width:{pct:.0f}%"></div></div>'
        f'<div class="sl-label">{html.escape(label)} — {pct:.0f} %</div></div>'
    )


def status_markdown(status: JobStatus) -> str:
    """One line naming the job, its file and its status."""
    name = f" · {escape_markdown(status.file_name)}" if status.file_name else ""
    goal = f" · goal: {escape_markdown(status.goal)}" if status.goal else ""
    return f"**Job** `{status.job_id}`{name} · status **{escape_markdown(status.status)}**{goal}"


def kpi_markdown(view: ResultView) -> str:
    """KPI cards as a Markdown table, quality score first, then the quality deductions."""
    cards = view.kpi_cards()
    if not cards:
        return "_No KPIs in this result._"
    tables = []
    for start in range(0, len(cards), KPIS_PER_ROW):
        row = cards[start : start + KPIS_PER_ROW]
        head = " | ".join(escape_markdown(card.label) for card in row)
        values = " | ".join(f"**{escape_markdown(card.value)}**" for card in row)
        tables.append(f"| {head} |\n|{'---|' * len(row)}\n| {values} |")
    table = "\n\n".join(tables)
    if view.quality_deductions:
        table += "\n\nQuality deductions: " + escape_markdown("; ".join(view.quality_deductions))
    return table


def fallback_notice(narrative: Narrative) -> str:
    """The visible notice that the narrative was written by templates, and why."""
    return f"**Fallback narrative.** {escape_markdown(narrative.notice())}"


def narrative_markdown(narrative: Narrative) -> str:
    """Headline, bullets and paragraphs, escaped."""
    parts = [f"**{escape_markdown(narrative.headline)}**"] if narrative.headline else []
    if narrative.bullets:
        parts.append("\n".join(f"- {escape_markdown(b)}" for b in narrative.bullets))
    parts += [escape_markdown(p) for p in narrative.paragraphs]
    parts += [f"_Keep in mind: {escape_markdown(c)}_" for c in narrative.caveats]
    return "\n\n".join(parts) or "_No narrative in this result._"


def answer_markdown(goal: GoalView | None) -> str:
    """The goal and its answer, shown first in the result."""
    if goal is None:
        return ""
    cited = ""
    if goal.answer is not None and goal.answer.insight_ids:
        cited = " " + escape_markdown(f"[{', '.join(goal.answer.insight_ids)}]")
    return (
        f"**Your goal:** {escape_markdown(goal.text)}\n\n"
        f"**{escape_markdown(goal.headline())}.** {escape_markdown(goal.answer_text())}{cited}"
    )


def insight_markdown(rank: int, insight: Insight, sentence: str) -> str:
    """One insight card's text: title (marked when it answers the goal), sentence, what it is about."""
    badge = " · <small>answers your goal</small>" if insight.goal_match else ""
    about = f" · {html.escape(insight.about())}" if insight.about() else ""
    return (
        f"### {rank}. {escape_markdown(insight.title)}{badge}\n\n{escape_markdown(sentence)}\n\n"
        f"<small>{html.escape(insight.type)}{about} · {html.escape(insight.id)} · "
        f"score {insight.score:.2f}</small>"
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
    frame = pd.DataFrame(rows, dtype=object)
    return frame.map(lambda v: "" if v is None or v != v else str(v)) if not frame.empty else frame


def failure_markdown(code: str, message: str) -> str:
    """Error code and message of a failed job."""
    safe_code = code.replace("`", "'")
    return f"### Job failed\n\n**Error code:** `{safe_code}`\n\n**Message:** {escape_markdown(message)}"
