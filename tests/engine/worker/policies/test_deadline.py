"""Deadline policy: past timeoutAt the job fails with timeout, in the watch and (later) in the reaper."""

from __future__ import annotations

import logging

import pytest

from engine.context import EngineContext
from engine.worker.policies import OpenJob, Verdict, deadline
from tests.engine.worker.policies.conftest import Clock, running, tick


def test_before_the_deadline_nothing_happens(ctx: EngineContext, now: Clock) -> None:
    attempt = running(ctx)
    now.advance(59.9)
    assert deadline.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.GO_ON


def test_at_the_deadline_the_watch_fails_the_job_with_the_cards_lines(
    ctx: EngineContext, now: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    attempt = running(ctx)
    now.advance(60)
    with caplog.at_level(logging.WARNING):
        assert deadline.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.STOP
    record = ctx.store.get(attempt.job_id)
    assert record is not None and (record["status"], record["error"]) == ("failed", "timeout")
    assert "JOB_TIMEOUT_SECONDS=60" in record["errorMessage"]
    assert f"Job {attempt.job_id} has timed out" in caplog.messages
    assert f"Job {attempt.job_id} timed out during parsing." in caplog.messages


def test_the_reaper_waits_out_the_grace_first(ctx: EngineContext, now: Clock) -> None:
    attempt = running(ctx)
    now.advance(60 + ctx.settings.reaper_timeout_grace_s - 0.1)

    def job() -> OpenJob:
        record = ctx.store.get(attempt.job_id)
        assert record is not None
        return OpenJob(ctx, record, now.now, frozenset(), frozenset())

    assert not deadline.reap(job())
    now.advance(0.2)
    assert deadline.reap(job())
    assert ctx.store.get(attempt.job_id)["error"] == "timeout"  # type: ignore[index]
