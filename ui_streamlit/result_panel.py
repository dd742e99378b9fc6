"""Showing a finished job: the result of a completed one, the error of a failed one."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from client import ResultSchemaError
from client.geo import assets_script
from client.models import JobState, JobStatus
from client.report import build_report_html
from client.view import GoalView, ResultView, build_view, chart_title, escape_markdown
from ui_streamlit.services import job_document
from ui_streamlit.tables import to_frame

KPI_COLUMNS = 4
LONG_VALUE = 14  # longer KPI values would be cut off in a card; they go in a caption


def show_terminal(base_url: str, status: JobStatus) -> None:
    """Dispatch on the terminal status."""
    doc = job_document(base_url, status.job_id)
    if status.status == JobState.COMPLETED and doc is not None:
        try:
            view = build_view(doc)
        except ResultSchemaError as exc:
            show_unreadable(exc, doc, status)
            return
        show_result(view, doc, status)
        st.download_button(
            "Download HTML report",
            lambda: build_report_html(doc, status.job_id),
            f"{status.job_id}_report.html",
            "text/html",
            key="download_report",
            on_click="ignore",
        )
    elif status.status == JobState.CANCELLED:
        st.warning(
            f"Job {status.job_id} was cancelled at {status.cancelled_at or '?'}; it produced no result."
        )
        if doc:
            st.subheader("error.json")
            st.json(doc, expanded=True)
    else:
        show_failure(status, doc)


def show_unreadable(exc: ResultSchemaError, doc: dict[str, Any], status: JobStatus) -> None:
    """A result document this page cannot read: say why, and offer the document itself."""
    st.error(
        "This result cannot be shown: it does not follow the result schema this page reads "
        f"(versions 1 and 2). {escape_markdown(exc)}"
    )
    _download_json(doc, f"{status.job_id}_result.json", "Download result.json", "download_result")


def show_failure(status: JobStatus, doc: dict[str, Any] | None) -> None:
    """Error code, message and the error.json document of a failed job."""
    code = str(status.error or (doc or {}).get("error") or "unknown").replace("`", "'")
    message = status.error_message or (doc or {}).get("message") or ""
    st.error(f"Job failed — error code `{code}`")
    st.markdown(f"**Message:** {escape_markdown(message)}")
    st.subheader("error.json")
    if doc is None:
        st.info("The API has no error document for this job.")
        return
    st.json(doc, expanded=True)
    _download_json(doc, f"{status.job_id}_error.json", "Download error.json", "download_error")


def show_result(view: ResultView, doc: dict[str, Any], status: JobStatus) -> None:
    """KPIs and quality, narrative, ranked insights with charts, profile, preview, download."""
    info = view.file_info
    if any(c.kind == "map" for c in view.charts.values()):
        # our own fixed asset (the world map), never data: lets plotly draw maps offline
        st.html(assets_script(), unsafe_allow_javascript=True)
    if view.goal is not None:
        _answer(view.goal)
    st.success(
        f"Analysed {escape_markdown(info.get('name') or status.file_name or '')}: "
        f"{info.get('rows', '?')} rows × {info.get('columns', '?')} columns"
    )
    old = view.old_version_notice()
    if old:
        st.info(escape_markdown(old), icon=":material/history:")
    _kpis(view)
    _narrative(view)
    _insights(view)
    with st.expander("Column profile", expanded=False):
        st.dataframe(to_frame(view.profile), key="profile_table", hide_index=True)
    st.subheader("Data preview")
    st.dataframe(to_frame(view.preview), key="preview_table", hide_index=True)
    if view.issues:
        with st.expander(f"Issues ({len(view.issues)})"):
            st.dataframe(to_frame(view.issues), key="issues_table", hide_index=True)
    _download_json(doc, f"{status.job_id}_result.json", "Download result.json", "download_result")


def _answer(goal: GoalView) -> None:
    """The goal and its answer, first on the page."""
    with st.container(border=True, key="goal_answer"):
        st.markdown(f"**Your goal:** {escape_markdown(goal.text)}")
        cited = ""
        if goal.answer is not None and goal.answer.insight_ids:
            cited = " " + escape_markdown(f"[{', '.join(goal.answer.insight_ids)}]")
        text = f"**{escape_markdown(goal.headline())}.** {escape_markdown(goal.answer_text())}{cited}"
        if not goal.matched or goal.answer is None or not goal.answer.insight_ids:
            st.warning(text, icon=":material/help:")
        else:
            st.info(text, icon=":material/target:")


def _kpis(view: ResultView) -> None:
    cards = [c for c in view.kpi_cards() if len(c.value) <= LONG_VALUE]
    for start in range(0, len(cards), KPI_COLUMNS):
        for column, card in zip(st.columns(KPI_COLUMNS), cards[start : start + KPI_COLUMNS], strict=False):
            column.container(border=True).metric(escape_markdown(card.label), card.value)
    notes = [f"{c.label}: {c.value}" for c in view.kpi_cards() if len(c.value) > LONG_VALUE]
    notes += [f"Quality deductions: {'; '.join(view.quality_deductions)}"] if view.quality_deductions else []
    for note in notes:
        st.caption(escape_markdown(note))


def _narrative(view: ResultView) -> None:
    st.subheader("Summary")
    narrative = view.narrative
    if narrative.is_fallback:
        st.warning(f"**Fallback narrative.** {escape_markdown(narrative.notice())}", icon=":material/info:")
    if narrative.headline:
        st.markdown(f"**{escape_markdown(narrative.headline)}**")
    if narrative.bullets:
        st.markdown("\n".join(f"- {escape_markdown(b)}" for b in narrative.bullets))
    for paragraph in narrative.paragraphs:
        st.markdown(escape_markdown(paragraph))
    for caveat in narrative.caveats:
        st.caption(f"Keep in mind: {escape_markdown(caveat)}")
    if not (narrative.headline or narrative.bullets or narrative.paragraphs):
        st.caption("No narrative in this result.")


def _insights(view: ResultView) -> None:
    st.subheader(f"Insights ({len(view.insights)})")
    for rank, insight in enumerate(view.insights, start=1):
        with st.container(border=True, key=f"insight_{rank}"):
            badge = " :blue-badge[answers your goal]" if insight.goal_match else ""
            st.markdown(f"**{rank}. {escape_markdown(insight.title)}**{badge}")
            st.markdown(escape_markdown(view.sentence(insight)))
            about = f" · {escape_markdown(insight.about())}" if insight.about() else ""
            st.caption(f"{escape_markdown(insight.type)}{about} · {insight.id} · score {insight.score:.2f}")
            _chart(view.chart_for(insight), f"chart_{rank}")
    others = view.overview_charts()
    if others:
        st.subheader("Overview")
        tabs = st.tabs([escape_markdown(chart_title(fig, cid)) for cid, fig in others.items()])
        for n, (tab, figure) in enumerate(zip(tabs, others.values(), strict=True), start=1):
            with tab:
                _chart(figure, f"overview_{n}")


def _chart(figure: dict[str, Any] | None, key: str) -> None:
    if not figure:
        return
    try:
        fig = go.Figure(figure)
    except ValueError:
        st.caption("This chart could not be drawn.")
        return
    st.plotly_chart(fig, key=key, config={"displaylogo": False})


def _download_json(doc: dict[str, Any], file_name: str, label: str, key: str) -> None:
    st.download_button(
        label,
        json.dumps(doc, indent=2, ensure_ascii=False),
        file_name,
        "application/json",
        key=key,
        on_click="ignore",
    )
