"""Sightline in Streamlit: `python -m streamlit run ui_streamlit/app.py`.

The page only talks to the API through `client`; `API_URL` says where it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the project root.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from client import ApiUnavailable, JobNotFound, SightlineError  # noqa: E402
from ui_streamlit.job_panel import close_job, current_job, live_progress, upload_form  # noqa: E402
from ui_streamlit.result_panel import show_terminal  # noqa: E402
from ui_streamlit.services import api_url, get_client  # noqa: E402
from ui_streamlit.sidebar import sidebar  # noqa: E402


def main() -> None:
    """One page: upload form or the current job (live progress, then its result)."""
    st.set_page_config(page_title="Sightline", layout="wide")
    st.title("Sightline")
    st.caption("Upload a table; get its profile, ranked insights with charts and a short narrative.")
    base_url = api_url()
    client = get_client(base_url)
    try:
        sidebar(client)
        job_id = current_job()
        if job_id is None:
            upload_form(client)
            return
        if st.button("New analysis", key="new", icon=":material/add:"):
            close_job()
            st.rerun()
        status = client.status(job_id)
        st.subheader(f"Job {job_id}")
        if status.is_terminal:
            show_terminal(base_url, status)
        else:
            live_progress(client, job_id)
    except ApiUnavailable:
        st.error(
            f"The Sightline API at {base_url} is not reachable. Start it (`make serve`) "
            "or set API_URL, then reload this page."
        )
    except JobNotFound as exc:
        st.error(f"Job {exc.job_id} is unknown to the API.")
        close_job()
    except SightlineError as exc:
        st.error(f"The API answered with an error: {exc}")


main()
