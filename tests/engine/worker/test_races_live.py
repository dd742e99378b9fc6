"""Cancel racing completion through the real API and workers, 200 times."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import requests

from tests.support.stack import Stack, poll


def test_cancel_racing_completion_never_leaves_a_cancelled_job_with_a_result(
    stack: Stack, sales_demo: Path
) -> None:
    payload = sales_demo.read_bytes()
    rng = random.Random(7)
    job_ids: list[str] = []
    answers: dict[str, int] = {}
    session = requests.Session()

    def cancel_later(job_id: str, delay: float) -> None:
        threading.Event().wait(delay)
        answers[job_id] = requests.post(
            f"{stack.api_url}/api/cancel", params={"jobId": job_id}, timeout=30
        ).status_code

    threads = []
    with session:
        for _ in range(200):
            response = session.post(
                f"{stack.api_url}/api/upload", files={"file": ("s.csv", payload)}, timeout=30
            )
            job_id = response.json()["jobId"]
            job_ids.append(job_id)
            thread = threading.Thread(target=cancel_later, args=(job_id, rng.uniform(0, 0.3)))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()

    def statuses() -> list[str]:
        return [stack.status(j)["status"] for j in job_ids]

    final = poll(statuses, lambda s: all(x in ("completed", "cancelled", "failed") for x in s), 120, 0.2)
    counts = {s: final.count(s) for s in set(final)}
    assert "failed" not in counts, counts
    for job_id, status in zip(job_ids, final, strict=True):
        has_result = stack.doc_path(job_id, "result.json").exists()
        assert has_result == (status == "completed"), (job_id, status)
        assert answers[job_id] == (200 if status == "cancelled" else 409), (job_id, status, answers[job_id])
    # Nothing changes afterwards: terminal states are absorbing.
    assert statuses() == final
    print(f"race outcome over 200 jobs: {counts}")
