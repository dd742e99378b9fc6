"""Heartbeat policy: beats for its own attempt only, at its interval, and keeps RQ's registries alive."""

from __future__ import annotations

from engine.context import EngineContext
from engine.jobs.attempts import Attempt
from engine.worker.policies import Verdict, heartbeat
from tests.engine.worker.policies.conftest import Clock, FakeWorker, running, tick


def test_beats_at_its_interval(ctx: EngineContext, now: Clock) -> None:
    attempt = running(ctx)
    policy, worker = heartbeat.Watch(ctx), FakeWorker()
    assert policy.watch(tick(ctx, attempt, worker)) is Verdict.GO_ON
    first = ctx.store.get(attempt.job_id)["heartbeatAt"]  # type: ignore[index]
    now.advance(0.5)
    policy.watch(tick(ctx, attempt, worker))
    assert ctx.store.get(attempt.job_id)["heartbeatAt"] == first, "not before the interval"  # type: ignore[index]
    now.advance(0.6)
    policy.watch(tick(ctx, attempt, worker))
    assert ctx.store.get(attempt.job_id)["heartbeatAt"] > first  # type: ignore[index,operator]
    assert worker.rq_beats == []
    now.advance(ctx.settings.rq_heartbeat_interval_s)
    policy.watch(tick(ctx, attempt, worker))
    assert worker.rq_beats == ["rq-job"]


def test_a_given_up_attempt_cannot_beat(ctx: EngineContext, now: Clock) -> None:
    attempt = running(ctx)
    before = ctx.store.get(attempt.job_id)["heartbeatAt"]  # type: ignore[index]
    now.advance(2)
    heartbeat.Watch(ctx).watch(tick(ctx, Attempt(attempt.job_id, attempt.token + 1)))
    assert ctx.store.get(attempt.job_id)["heartbeatAt"] == before  # type: ignore[index]
