"""Policies alone: a real job record in Redis, a stand-in for the worker, ticks built by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from engine import clock
from engine.context import EngineContext
from engine.jobs import JobStatus, new_job_id
from engine.jobs.attempts import Attempt, claim
from engine.worker.policies import Tick


@dataclass
class FakeWorker:
    """What a policy may use of the worker: its stop signal and RQ's heartbeats."""

    shutdown_signal: int | None = None
    rq_beats: list[Any] = field(default_factory=list)
    job: Any = "rq-job"

    def get_current_job(self) -> Any:
        return self.job

    def maintain_heartbeats(self, job: Any) -> None:
        self.rq_beats.append(job)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = clock.now_s()
        monkeypatch.setattr(clock, "pinned_s", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def ctx(make_ctx: Callable[..., EngineContext]) -> EngineContext:
    return make_ctx(JOB_TIMEOUT_SECONDS=60, WORKER_HEARTBEAT_TIMEOUT_SECONDS=5, MAX_JOB_MEMORY_MB=100)


def running(ctx: EngineContext, *, start: bool = True) -> Attempt:
    """A job claimed by a worker (and started by its horse, unless start=False)."""
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="t.csv")
    attempt, _ = claim(ctx.store, job_id, "sightline-test")
    assert attempt is not None
    if start:
        assert ctx.store.transition(job_id, JobStatus.PROCESSING, token=attempt.token, startedAt=clock.iso())[
            0
        ]
    return attempt


def tick(ctx: EngineContext, attempt: Attempt, worker: FakeWorker | None = None, pid: int = 1) -> Tick:
    return Tick(
        ctx=ctx,
        worker=worker or FakeWorker(),
        job_id=attempt.job_id,
        attempt=attempt,
        record=ctx.store.get(attempt.job_id),
        horse_pid=pid,
        now=clock.server_now(ctx.redis),
    )
