"""Submitting a table and following its job live (progress, stage, Cancel)."""

from __future__ import annotations

import re

import streamlit as st

from client import ApiUnavailable, CancelRejected, SightlineClient, UploadRejected
from client.models import JobStatus
from client.view import escape_markdown

JOB_KEY = "job_id"
FOLLOW_KEY = "recent_follows_job"
JOB_ID_PATTERN = re.compile(r"job_[A-Za-z0-9_-]{1,64}")
POLL_INTERVAL_S = 1.0
MAX_GOAL_CHARS = 500  # the API's limit; it refuses longer goals with a clear message
GOAL_PLACEHOLDER = "e.g. resolution time by agent; is one agent overloaded?"
STAGE_LABELS = {
    "queued": "Waiting for a worker",
    "parsing": "Reading the file",
    "profiling": "Profiling columns",
    "insights": "Finding insights",
    "narrative": "Writing the narrative",
    "saving": "Saving the result",
}


def open_job(job_id: str) -> None:
    """Make `job_id` the job this session shows (and put it in the URL to survive reloads)."""
    st.session_state[JOB_KEY] = job_id
    st.query_params["job"] = job_id
    st.session_state[FOLLOW_KEY] = True  # the recent-jobs picker should select it on the next run


def close_job() -> None:
    """Go back to the empty upload form."""
    st.session_state.pop(JOB_KEY, None)
    st.query_params.pop("job", None)


def current_job() -> str | None:
    """The job this session shows, from session state or the URL (a well-formed id only)."""
    from_url = st.query_params.get("job", "")
    if JOB_KEY not in st.session_state and JOB_ID_PATTERN.fullmatch(from_url):
        st.session_state[JOB_KEY] = from_url
    return st.session_state.get(JOB_KEY)


def upload_form(client: SightlineClient) -> None:
    """The file uploader with the goal box beside it, and the Analyse button; submits through the API."""
    left, right = st.columns([3, 2])
    with left:
        uploaded = st.file_uploader(
            "Table to analyse (CSV, TSV, Excel, JSON, Parquet)",
            key="csv",
            help="The API decides what it accepts.",
        )
    with right:
        goal = st.text_area(
            "Goal (optional)",
            key="goal",
            max_chars=MAX_GOAL_CHARS,
            height=100,
            placeholder=GOAL_PLACEHOLDER,
            help="What you want to know of the table: findings about what it names come first, "
            "and the summary opens with the answer.",
        )
    with st.expander("…or analyse a file from a URL"):
        url = st.text_input("File URL", key="file_url", placeholder="https://example.com/sales.csv")
    if not st.button("Analyse", key="analyse", type="primary", disabled=not (uploaded or url)):
        return
    goal = (goal or "").strip() or None
    try:
        if uploaded is not None:
            job = client.upload(uploaded.getvalue(), uploaded.name, goal=goal)
        else:
            job = client.upload_url(url.strip(), url.strip().rsplit("/", 1)[-1] or None, goal=goal)
    except UploadRejected as exc:
        st.error(f"Upload rejected (HTTP {exc.status_code}): {escape_markdown(exc.message)}")
        if exc.job_id:
            st.caption(f"Job id: {exc.job_id}")
        return
    open_job(job.job_id)
    st.rerun()


def progress_text(status: JobStatus) -> str:
    """'Profiling columns — 40 %' style label for the progress bar."""
    label = STAGE_LABELS.get(status.stage or "", status.stage or status.status.capitalize())
    return f"{label} — {status.progress * 100:.0f} % ({status.status})"


@st.fragment(run_every=POLL_INTERVAL_S)
def live_progress(client: SightlineClient, job_id: str) -> None:
    """Redrawn every second while the job runs; hands over to the full page when it ends."""
    try:
        status = client.status(job_id)
    except ApiUnavailable:
        st.warning("Lost contact with the Sightline API; still trying…")
        return
    if status.is_terminal:
        st.rerun()
    st.progress(status.progress, text=progress_text(status))
    st.caption(f"Job {job_id} · {escape_markdown(status.file_name or '')}")
    if status.goal:
        st.caption(f"Goal: {escape_markdown(status.goal)}")
    if st.button("Cancel job", key="cancel", icon=":material/cancel:"):
        try:
            client.cancel(job_id)
        except CancelRejected as exc:
            st.info(f"Too late to cancel: the job is already {exc.status}.")
        st.rerun()
