"""Shutdown policy: a stop signal fails the job (worker_shutdown) and stops the horse."""

from __future__ import annotations

import signal

from engine.context import EngineContext
from engine.worker.policies import Verdict, shutdown
from tests.engine.worker.policies.conftest import FakeWorker, running, tick


def test_no_signal_no_action(ctx: EngineContext) -> None:
    attempt = running(ctx)
    assert shutdown.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.GO_ON
    assert ctx.store.get(attempt.job_id)["status"] == "processing"  # type: ignore[index]


def test_a_stop_signal_fails_the_job_and_stops_the_horse(ctx: EngineContext) -> None:
    attempt = running(ctx)
    worker = FakeWorker(shutdown_signal=signal.SIGTERM)
    assert shutdown.Watch(ctx).watch(tick(ctx, attempt, worker)) is Verdict.STOP
    record = ctx.store.get(attempt.job_id)
    assert record is not None and (record["status"], record["error"]) == ("failed", "worker_shutdown")
    assert "signal 15" in record["errorMessage"]
    assert ctx.blobs.has_doc(attempt.job_id, "error.json")
