"""One clock: workers whose wall clocks are a minute off still judge time right.

One worker runs 60 s ahead and one 60 s behind (Debian's libfaketime); the API
and Valkey keep the true time. Every judgement of time (deadlines, heartbeats,
the reaper's verdict that a worker is dead) is made on the Redis server's clock,
so neither skew shows: jobs whose timeout is longer than their work complete, a
SIGKILLed worker's job is closed within the heartbeat bound, and a job that runs
past its deadline fails with `timeout` within 2 s of it. Times are measured on
the test's own (true) clock.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from engine.clock import parse_iso
from engine.constants import job_key
from tests.support.skewed_worker import libfaketime, skew_env
from tests.support.stack import Stack, poll

pytestmark = pytest.mark.skipif(
    libfaketime() is None, reason="needs Debian's faketime/libfaketime (apt-get install faketime)"
)

SKEWED = "tests.support.skewed_worker"
AHEAD, BEHIND = "+60s", "-60s"
HEARTBEAT_TIMEOUT_S, REAPER_INTERVAL_S = 4.0, 1.0
ENV = {
    "WORKER_HEARTBEAT_TIMEOUT_SECONDS": str(HEARTBEAT_TIMEOUT_S),
    "REAPER_INTERVAL_SECONDS": str(REAPER_INTERVAL_S),
}


def _skewed_stack(make_stack: Callable[..., Stack], **env: str) -> Stack:
    live = make_stack(env={**ENV, **env}, workers=0)
    live.start_worker(skew_env(AHEAD), module=SKEWED)
    live.start_worker(skew_env(BEHIND), module=SKEWED)
    live.wait_ready(2)
    return live


def _record(live: Stack, job_id: str) -> dict[str, object]:
    raw = live.redis.get(job_key(job_id))
    assert raw is not None
    return dict(json.loads(raw))


def _busy_worker(live: Stack) -> psutil.Process:
    """The one worker process with a horse."""

    def busy() -> list[psutil.Process]:
        return [
            psutil.Process(p.pid)
            for p in live.workers
            if p.poll() is None and psutil.Process(p.pid).children()
        ]

    return poll(busy, lambda found: len(found) == 1, 10)[0]  # type: ignore[no-any-return]


def _one_job_per_worker(live: Stack, sales_demo: Path) -> list[str]:
    """Two jobs, each held by a different skewed worker."""
    jobs = []
    for _ in range(2):
        job_id = live.upload(sales_demo)
        live.wait_for(job_id, ("processing",), timeout_s=20)
        jobs.append(job_id)
    workers = {_record(live, j)["workerName"] for j in jobs}
    assert len(workers) == 2, workers
    return jobs


def test_jobs_with_time_to_spare_complete_on_skewed_workers(
    make_stack: Callable[..., Stack], sales_demo: Path
) -> None:
    live = _skewed_stack(make_stack, JOB_TIMEOUT_SECONDS="20", SIMULATED_SLOW_PROCESSING_SECONDS="6")
    jobs = _one_job_per_worker(live, sales_demo)
    for job_id in jobs:
        final = live.wait_for(job_id, timeout_s=40)
        assert final["status"] == "completed", (final, live.worker_logs())


def test_a_killed_skewed_worker_is_reaped_within_the_heartbeat_bound(
    make_stack: Callable[..., Stack], sales_demo: Path
) -> None:
    """The worker ahead reaps the one behind, and the other way round (whichever takes the first job)."""
    live = _skewed_stack(make_stack, JOB_TIMEOUT_SECONDS="120", SIMULATED_SLOW_PROCESSING_SECONDS="60")
    first = live.upload(sales_demo)
    live.wait_for(first, ("processing",), timeout_s=20)
    victim = _busy_worker(live)
    victim_skew = victim.environ()["FAKETIME"]
    _kill_and_time_the_reaping(live, victim, first)
    second = live.upload(sales_demo)  # only the survivor is left to take it
    live.wait_for(second, ("processing",), timeout_s=20)
    survivor = _busy_worker(live)
    assert survivor.environ()["FAKETIME"] != victim_skew
    live.start_worker(skew_env(victim_skew), module=SKEWED)  # its reaper, on the other skew
    log = live.logs_dir / f"worker-{len(live.workers)}.log"
    poll(lambda: log.read_text(errors="replace"), lambda text: "listening on" in text, 30, 0.1)
    _kill_and_time_the_reaping(live, survivor, second)


def _kill_and_time_the_reaping(live: Stack, victim: psutil.Process, job_id: str) -> None:
    bound_s = HEARTBEAT_TIMEOUT_S + REAPER_INTERVAL_S + 2.0  # + a busy machine's slack
    killed_at = time.monotonic()
    victim.send_signal(signal.SIGKILL)
    final = live.wait_for(job_id, timeout_s=bound_s + 60)
    took = time.monotonic() - killed_at
    assert final["status"] == "failed" and final["error"] == "worker_shutdown", final
    assert took >= HEARTBEAT_TIMEOUT_S - 1.5, (
        f"reaped {took:.1f}s after the kill: its heartbeat was not yet stale"
    )
    assert took <= bound_s, f"reaped {took:.1f}s after the kill (bound {bound_s}s)"


def test_a_job_past_its_deadline_times_out_on_time_on_skewed_workers(
    make_stack: Callable[..., Stack], sales_demo: Path
) -> None:
    live = _skewed_stack(make_stack, JOB_TIMEOUT_SECONDS="8", SIMULATED_SLOW_PROCESSING_SECONDS="60")
    jobs = _one_job_per_worker(live, sales_demo)
    for job_id in jobs:
        final = live.wait_for(job_id, timeout_s=30)
        seen_at = time.time()
        assert final["status"] == "failed" and final["error"] == "timeout", final
        deadline = parse_iso(final["timeoutAt"])
        assert 0 <= parse_iso(final["finishedAt"]) - deadline < 2.0, final
        assert seen_at - deadline > -0.5, "timed out early"
    for job_id in jobs:
        assert seen_at - parse_iso(live.status(job_id)["timeoutAt"]) < 3.0
