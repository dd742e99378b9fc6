"""The reaper re-queues a lost job once per attempt, and finds jobs lost between dequeue and start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine import clock
from engine.constants import RQ_QUEUE_KEY
from engine.context import EngineContext
from engine.jobs import new_job_id, queue
from engine.worker.reaper import Reaper

INTERMEDIATE_KEY = f"{RQ_QUEUE_KEY}:intermediate"
LONG = {"JOB_TIMEOUT_SECONDS": 86_400, "WORKER_HEARTBEAT_TIMEOUT_SECONDS": 5}


class Clock:
    """The server's time (`clock.pinned_s`), moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = clock.now_s()
        monkeypatch.setattr(clock, "pinned_s", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_overlapping_sweeps_requeue_a_lost_job_once(
    make_ctx: Callable[..., EngineContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(**LONG)
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")  # the API died before queueing it: RQ never had it
    Clock(monkeypatch).advance(3600)
    enqueued: list[str] = []
    real_enqueue = queue.enqueue

    def enqueue(connection: Any, settings: Any, jid: str) -> Any:
        enqueued.append(jid)
        if len(enqueued) == 1:
            Reaper(make_ctx(**LONG)).sweep()  # a second reaper's sweep overlaps the first one
        return real_enqueue(connection, settings, jid)

    monkeypatch.setattr(queue, "enqueue", enqueue)
    Reaper(ctx).sweep()
    assert enqueued == [job_id]
    assert ctx.redis.lrange(RQ_QUEUE_KEY, 0, -1) == [job_id.encode()]


def test_a_job_stuck_between_dequeue_and_start_is_requeued_within_the_heartbeat_bound(
    make_ctx: Callable[..., EngineContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(**LONG)
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")
    queue.enqueue(ctx.redis, ctx.settings, job_id)
    now = Clock(monkeypatch)
    now.advance(600)  # it waited long in the queue; that alone is no sign of loss
    assert Reaper(ctx).sweep() == 0
    ctx.redis.lmove(RQ_QUEUE_KEY, INTERMEDIATE_KEY, "LEFT", "RIGHT")  # popped by a worker that then died
    assert Reaper(ctx).sweep() == 0, "a worker may still be about to start it"
    now.advance(ctx.settings.worker_heartbeat_timeout_s + 0.1)
    assert Reaper(ctx).sweep() == 1
    assert ctx.redis.lrange(RQ_QUEUE_KEY, 0, -1) == [job_id.encode()]
    assert ctx.redis.llen(INTERMEDIATE_KEY) == 0
    record = ctx.store.get(job_id)
    assert record is not None and record["status"] == "submitted"
    now.advance(3600)
    assert Reaper(ctx).sweep() == 0, "back in the queue: waiting, not lost"
