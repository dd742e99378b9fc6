"""The sidebar: where the API is, whether it is healthy, and recent jobs to reopen."""

from __future__ import annotations

import streamlit as st

from client import SightlineClient
from ui_streamlit.job_panel import FOLLOW_KEY, JOB_KEY, open_job

RECENT_LIMIT = 20


def sidebar(client: SightlineClient) -> None:
    """Health line and the recent-jobs picker (raises `ApiUnavailable` when the API is down)."""
    health = client.health()
    with st.sidebar:
        colour = "green" if health.status == "ok" else "orange"
        st.markdown(f":{colour}-badge[API {health.status}] `{client.base_url}` · {health.workers} worker(s)")
        st.subheader("Recent jobs")
        jobs = client.jobs(limit=RECENT_LIMIT)
        if not jobs:
            st.caption("No jobs yet.")
            return
        # Labels (not ids) are the options, so a status change redraws them in the browser.
        labels = {f"{j.file_name or '?'} · {j.status} · {j.job_id}": j.job_id for j in jobs}
        current = next((label for label, jid in labels.items() if jid == st.session_state.get(JOB_KEY)), None)
        follow = st.session_state.pop(FOLLOW_KEY, False)
        if current and (follow or st.session_state.get("recent") not in labels):
            st.session_state["recent"] = current  # select the job on show
        choice = st.selectbox("Job", list(labels), key="recent")
        if st.button("Open", key="open_job") and choice:
            open_job(labels[choice])
            st.rerun()
