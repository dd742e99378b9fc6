"""The card's Python `poll_job_status`, used as written (only the base URL adjusted)."""

from __future__ import annotations

import time
from pathlib import Path

import requests

from tests.support.stack import Stack

BASE = {"url": ""}


def poll_job_status(job_id, max_wait_seconds=600):  # type: ignore[no-untyped-def]
    delays = [1, 2, 4, 8, 15]  # seconds
    attempt = 0
    start_time = time.time()

    while time.time() - start_time < max_wait_seconds:
        response = requests.get(f"{BASE['url']}/api/job-status/{job_id}")
        data = response.json()

        # Terminal states
        if data["status"] in ["completed", "failed", "cancelled"]:
            return data

        # Exponential backoff
        delay = delays[min(attempt, len(delays) - 1)]
        time.sleep(delay)
        attempt += 1

    raise TimeoutError("Job polling timeout")


def test_cards_poll_job_status_works_against_sightline(stack: Stack, sales_demo: Path) -> None:
    BASE["url"] = stack.api_url
    response = requests.post(
        f"{stack.api_url}/api/upload", files={"file": ("sales_demo.csv", sales_demo.read_bytes())}, timeout=10
    )
    data = poll_job_status(response.json()["jobId"], max_wait_seconds=60)
    assert data["status"] == "completed"
    assert data["resultUrl"].endswith("result.json")
