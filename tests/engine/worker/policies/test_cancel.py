"""Cancel policy: a job that ended elsewhere, or that another attempt holds, stops the horse."""

from __future__ import annotations

from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs.attempts import Attempt
from engine.worker.policies import Verdict, cancel
from tests.engine.worker.policies.conftest import running, tick


def test_a_running_job_goes_on(ctx: EngineContext) -> None:
    assert cancel.Watch(ctx).watch(tick(ctx, running(ctx))) is Verdict.GO_ON


def test_cancelled_or_failed_elsewhere_stops_the_horse(ctx: EngineContext) -> None:
    cancelled, failed = running(ctx), running(ctx)
    ctx.lifecycle.cancel(cancelled.job_id)
    ctx.lifecycle.fail(failed.job_id, ErrorCode.WORKER_SHUTDOWN, "reaped", token=failed.token)
    for attempt in (cancelled, failed):
        assert cancel.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.STOP


def test_a_job_completed_by_its_own_horse_is_left_alone(ctx: EngineContext) -> None:
    attempt = running(ctx)
    assert ctx.lifecycle.complete(attempt.job_id, {"rows": 1}, token=attempt.token)
    assert cancel.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.LEAVE


def test_another_attempts_job_stops_the_horse(ctx: EngineContext) -> None:
    attempt = running(ctx)
    stale = Attempt(attempt.job_id, attempt.token - 1)  # an attempt that was given up on
    assert cancel.Watch(ctx).watch(tick(ctx, stale)) is Verdict.STOP


def test_a_vanished_record_stops_the_horse(ctx: EngineContext) -> None:
    attempt = running(ctx)
    ctx.redis.delete(f"job:{attempt.job_id}")
    assert cancel.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.STOP
