"""Deliveries through real workers: a duplicate never fails a healthy job, a lost one is found."""

from __future__ import annotations

from pathlib import Path

from engine.config import Settings
from engine.constants import RQ_QUEUE_KEY
from engine.jobs import queue
from tests.support.stack import Stack, poll

INTERMEDIATE_KEY = f"{RQ_QUEUE_KEY}:intermediate"  # where RQ keeps a job between dequeue and start


def _settings(live: Stack) -> Settings:
    return Settings(_env_file=None, REDIS_URL=live.redis_url)  # type: ignore[call-arg]


def _documents(live: Stack, job_id: str) -> list[str]:
    folder = live.results_dir / job_id
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_duplicate_delivery_of_a_running_job_leaves_it_running(
    make_stack: object, sales_demo: Path
) -> None:
    live: Stack = make_stack(env={"SIMULATED_SLOW_PROCESSING_SECONDS": "4"}, workers=2)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    live.wait_for(job_id, ("processing",), timeout_s=30)
    queue.enqueue(live.redis, _settings(live), job_id)  # the same job, delivered a second time
    poll(lambda: live.redis.llen(RQ_QUEUE_KEY), lambda n: n == 0, 20)  # the idle worker took the copy
    final = live.wait_for(job_id, timeout_s=60)
    assert final["status"] == "completed", final
    assert _documents(live, job_id) == ["result.json"]


def test_two_copies_taken_at_once_end_the_job_once(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(workers=2)  # type: ignore[operator]
    for _ in range(10):
        job_id = live.upload(sales_demo)
        queue.enqueue(live.redis, _settings(live), job_id)  # a second copy right behind the first
        final = live.wait_for(job_id, timeout_s=60)
        assert final["status"] == "completed", final
        assert _documents(live, job_id) == ["result.json"]


def test_a_job_lost_between_dequeue_and_start_is_queued_again(make_stack: object, sales_demo: Path) -> None:
    env = {"WORKER_HEARTBEAT_TIMEOUT_SECONDS": "3", "JOB_TIMEOUT_SECONDS": "300"}
    live: Stack = make_stack(env=env, workers=0)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    # A worker popped the job (RQ moved it to its intermediate list) and died before starting it.
    assert live.redis.lmove(RQ_QUEUE_KEY, INTERMEDIATE_KEY, "LEFT", "RIGHT") == job_id.encode()
    live.start_worker()
    live.wait_ready(1)
    final = live.wait_for(
        job_id, timeout_s=45
    )  # heartbeat bound (3 s) + sweeps, far below the 300 s deadline
    assert final["status"] == "completed", final
    assert _documents(live, job_id) == ["result.json"]
    assert f"Job {job_id} was lost" in live.worker_logs()
    assert live.redis.lpos(INTERMEDIATE_KEY, job_id) is None
