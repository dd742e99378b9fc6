"""Cancel and timeout against real workers: the card's answers and log lines."""

from __future__ import annotations

import time
from pathlib import Path

import requests

from tests.support.stack import Stack, poll

SLOW = {"SIMULATED_SLOW_PROCESSING_SECONDS": "30"}


def test_cancel_during_processing_stops_the_job_and_leaves_no_result(
    make_stack: object, sales_demo: Path
) -> None:
    live: Stack = make_stack(env=SLOW, workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    live.wait_for(job_id, ("processing",), timeout_s=20)
    response = live.cancel(job_id)
    assert response.status_code == 200
    body = response.json()
    assert body["jobId"] == job_id and body["status"] == "cancelled" and body["cancelledAt"]
    status = live.status(job_id)
    assert status["status"] == "cancelled" and status["cancelledAt"] == body["cancelledAt"]
    poll(live.worker_logs, lambda text: f"Job {job_id} was cancelled during parsing." in text, 10)
    assert not live.doc_path(job_id, "result.json").exists()
    assert live.doc_path(job_id, "error.json").exists()
    # The only worker is free again at once: a second job starts well before the first's 30 s are up.
    asked = time.monotonic()
    second = live.upload(sales_demo)
    live.wait_for(second, ("processing",), timeout_s=15)
    assert time.monotonic() - asked < 15
    live.cancel(second)


def test_cancel_twice_says_already_cancelled(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(env=SLOW, workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    first = live.cancel(job_id).json()
    again = requests.post(f"{live.api_url}/api/cancel", json={"jobId": job_id}, timeout=10)
    assert again.status_code == 200
    assert again.json() == {
        "jobId": job_id,
        "status": "cancelled",
        "message": "Job was already cancelled",
        "cancelledAt": first["cancelledAt"],
    }


def test_cancel_before_start_is_skipped_by_the_worker(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(env=SLOW, workers=1)  # type: ignore[operator]
    busy = live.upload(sales_demo)  # occupies the only worker
    live.wait_for(busy, ("processing",), timeout_s=20)
    queued = live.upload(sales_demo)
    assert live.status(queued)["status"] == "submitted"
    assert live.cancel(queued).status_code == 200
    live.cancel(busy)
    poll(live.worker_logs, lambda t: f"Job {queued} was cancelled before processing. Skipping." in t, 20)
    assert live.status(queued)["status"] == "cancelled"
    assert not live.doc_path(queued, "result.json").exists()


def test_cancel_completed_job_is_409_with_the_cards_body(stack: Stack, sales_demo: Path) -> None:
    job_id = stack.upload(sales_demo)
    assert stack.wait_for(job_id)["status"] == "completed"
    response = stack.cancel(job_id)
    assert response.status_code == 409
    assert response.json() == {
        "error": "Cannot cancel job with status 'completed'",
        "jobId": job_id,
        "status": "completed",
    }


def test_timeout_fails_the_job_on_time_with_error_json(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(env={**SLOW, "JOB_TIMEOUT_SECONDS": "3"}, workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    final = live.wait_for(job_id, timeout_s=15)
    seen_at = time.time()
    assert final["status"] == "failed" and final["error"] == "timeout", final
    deadline = _epoch(final["timeoutAt"])
    assert _epoch(final["finishedAt"]) - deadline < 2.0, "failed within 2 s of the deadline"
    assert seen_at - deadline < 2.5
    assert final["resultUrl"].endswith(f"{job_id}/error.json")
    error = requests.get(f"{live.api_url}/api/jobs/{job_id}/result", timeout=10).json()
    assert (
        error["status"] == "failed"
        and error["error"] == "timeout"
        and "JOB_TIMEOUT_SECONDS" in error["message"]
    )
    logs = poll(live.worker_logs, lambda t: f"Job {job_id} timed out during parsing." in t, 5)
    assert f"Job {job_id} has timed out" in logs
    assert not live.doc_path(job_id, "result.json").exists()


def test_timeout_stops_a_horse_stuck_in_one_long_c_call(make_stack: object, tmp_path: Path) -> None:
    """A regex with catastrophic backtracking holds the GIL inside C; only a kill stops it."""
    live: Stack = make_stack(  # type: ignore[operator]
        env={
            "JOB_TIMEOUT_SECONDS": "3",
            "SIMULATED_SLOW_PROCESSING_SECONDS": "1",
            "SIMULATED_SLOW_MODE": "c_call",
        },
        workers=1,
    )
    job_id = live.upload(data=b"a,b\n1,2\n", name="stuck.csv")
    final = live.wait_for(job_id, timeout_s=15)
    assert final["status"] == "failed" and final["error"] == "timeout", final
    assert _epoch(final["finishedAt"]) - _epoch(final["timeoutAt"]) < 2.0


def _epoch(text: str) -> float:
    from engine.clock import parse_iso

    return parse_iso(text)
