"""The shared client and the cached documents of finished jobs.

The client is one per API URL per server process (`st.cache_resource`). Documents of
terminal jobs never change, so they are cached (`st.cache_data`); a job's status is
never cached.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from client import JobNotFound, SightlineClient, load_config


def api_url() -> str:
    """The API base URL this page talks to (`API_URL`)."""
    return load_config().api_url


@st.cache_resource(show_spinner=False)
def get_client(base_url: str) -> SightlineClient:
    """The process-wide client for `base_url`."""
    cfg = load_config()
    return SightlineClient(base_url, cfg.api_key, cfg.timeout_s, max_wait_s=cfg.max_wait_s)


def job_document(base_url: str, job_id: str) -> dict[str, Any] | None:
    """result.json or error.json of a terminal job, or None when it has none (not cached)."""
    try:
        return _cached_document(base_url, job_id)
    except JobNotFound:
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_document(base_url: str, job_id: str) -> dict[str, Any]:
    """Documents of terminal jobs never change; a missing one raises and is not cached."""
    return get_client(base_url).result(job_id)
