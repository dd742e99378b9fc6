"""Liveness policy (reaper): silent attempts fail, lost deliveries go back to the queue once."""

from __future__ import annotations

from engine.constants import RQ_QUEUE_KEY
from engine.context import EngineContext
from engine.jobs import JobStatus
from engine.jobs.attempts import claim
from engine.worker.policies import OpenJob, liveness
from tests.engine.worker.policies.conftest import Clock, running


def _open(
    ctx: EngineContext, job_id: str, now: Clock, *, queued: bool = False, between: bool = False
) -> OpenJob:
    record = ctx.store.get(job_id)
    assert record is not None
    ids = frozenset({job_id})
    return OpenJob(ctx, record, now.now, ids if queued else frozenset(), ids if between else frozenset())


def test_a_silent_processing_attempt_fails_with_worker_shutdown(ctx: EngineContext, now: Clock) -> None:
    attempt = running(ctx)
    now.advance(4.9)
    assert not liveness.reap(_open(ctx, attempt.job_id, now))
    now.advance(0.2)
    assert liveness.reap(_open(ctx, attempt.job_id, now))
    record = ctx.store.get(attempt.job_id)
    assert record is not None and (record["status"], record["error"]) == ("failed", "worker_shutdown")
    assert "sightline-test" in record["errorMessage"]


def test_a_silent_claim_goes_back_to_the_queue_as_a_new_attempt(ctx: EngineContext, now: Clock) -> None:
    attempt = running(ctx, start=False)
    now.advance(5.1)
    seen = _open(ctx, attempt.job_id, now)
    assert liveness.reap(seen)
    assert not liveness.reap(seen), "the same attempt is re-queued once, however many sweeps saw it"
    record = ctx.store.get(attempt.job_id)
    assert record is not None and (record["status"], record["attempt"], record["token"]) == (
        "submitted",
        2,
        None,
    )
    assert ctx.redis.lrange(RQ_QUEUE_KEY, 0, -1) == [attempt.job_id.encode()]
    again, _ = claim(ctx.store, attempt.job_id, "sightline-other")
    assert again is not None and again.token == 2


def test_a_job_waiting_in_the_queue_is_left_alone(ctx: EngineContext, now: Clock) -> None:
    attempt = running(ctx, start=False)
    ctx.store.change(attempt.job_id, {"token": None}, when={JobStatus.SUBMITTED})  # as if never claimed
    now.advance(3600)
    assert not liveness.reap(_open(ctx, attempt.job_id, now, queued=True))
