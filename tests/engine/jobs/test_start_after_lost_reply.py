"""A horse's start whose reply was lost in a Redis restart, with the worker's heartbeat in between.

The store recognises a resent change by its op id, but only the record's last one:
when the worker's heartbeat lands between the start and its resend, the resend
finds the job already processing under this attempt's token. The horse carries on
with it; it must not skip the job, which the worker would then fail as a horse that
"ended unexpectedly" (seen once in the chaos run).
"""

from __future__ import annotations

from collections.abc import Callable

from engine import clock
from engine.context import EngineContext
from engine.jobs import attempts
from engine.jobs.attempts import Attempt, claim
from engine.jobs.ids import new_job_id
from engine.jobs.status import JobStatus
from engine.pipeline import JobRun


def _started(ctx: EngineContext) -> Attempt:
    """A claimed job whose start (the horse's first send) was applied and its reply lost."""
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="t.csv")
    attempt, _ = claim(ctx.store, job_id, "sightline-test")
    assert attempt is not None
    assert ctx.store.transition(job_id, JobStatus.PROCESSING, token=attempt.token, startedAt=clock.NOW)[0]
    return attempt


def test_a_start_applied_before_a_lost_reply_carries_on(make_ctx: Callable[..., EngineContext]) -> None:
    ctx = make_ctx()
    attempt = _started(ctx)
    assert attempts.beat(ctx.store, attempt)  # the worker's heartbeat: a new op id on the record
    record = JobRun(ctx, attempt)._start()  # the resend
    assert record is not None and record["status"] == JobStatus.PROCESSING.value


def test_a_job_another_attempt_started_is_still_skipped(make_ctx: Callable[..., EngineContext]) -> None:
    ctx = make_ctx()
    attempt = _started(ctx)
    assert JobRun(ctx, Attempt(attempt.job_id, attempt.token + 1))._start() is None
