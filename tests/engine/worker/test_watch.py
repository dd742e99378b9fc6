"""The horse watch after an exit: it closes only its own attempt's job, and tells a memory death as one."""

from __future__ import annotations

import io
import signal
from collections.abc import Callable

from engine.context import EngineContext
from engine.jobs import JobStatus, new_job_id
from engine.jobs.attempts import Attempt, claim
from engine.worker.policies import memory as memory_policy
from engine.worker.watch import HorseHandle, HorseWatch
from tests.engine.worker.policies.conftest import FakeWorker

KILLED_BY_SIGABRT = signal.SIGABRT  # a wait status: killed by that signal, no core


def _started(ctx: EngineContext) -> Attempt:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="big.csv")
    attempt, _ = claim(ctx.store, job_id, "sightline-test")
    assert attempt is not None
    assert ctx.store.transition(job_id, JobStatus.PROCESSING, token=attempt.token)[0]
    return attempt


def _watch(ctx: EngineContext, attempt: Attempt) -> HorseWatch:
    return HorseWatch(ctx, FakeWorker(), HorseHandle(), 0, attempt.job_id, attempt)


def test_a_horse_that_exits_leaving_its_own_job_open_fails_it(make_ctx: Callable[..., EngineContext]) -> None:
    ctx = make_ctx()
    attempt = _started(ctx)
    _watch(ctx, attempt).after_exit(0)
    record = ctx.store.get(attempt.job_id)
    assert record is not None and (record["status"], record["error"]) == ("failed", "processing_error")
    assert "ended unexpectedly (exit code 0)" in record["errorMessage"]


def test_a_job_another_attempt_holds_is_not_this_watchs_to_close(
    make_ctx: Callable[..., EngineContext],
) -> None:
    """The loser of a duplicate delivery exits 0; the winner's running job stays running."""
    ctx = make_ctx()
    attempt = _started(ctx)
    _watch(ctx, Attempt(attempt.job_id, attempt.token + 1)).after_exit(0)
    _watch(ctx, Attempt(attempt.job_id, attempt.token - 1)).after_exit(0)
    assert ctx.store.get(attempt.job_id)["status"] == "processing"  # type: ignore[index]


def test_a_horse_aborted_on_its_way_to_the_memory_cap_fails_with_the_limit_and_size(
    make_ctx: Callable[..., EngineContext],
) -> None:
    ctx = make_ctx(MAX_JOB_MEMORY_MB=100)
    attempt = _started(ctx)
    ctx.blobs.save_upload(attempt.job_id, "big.csv", io.BytesIO(b"x" * (5 * 1024 * 1024)))
    watch = _watch(ctx, attempt)
    policy = next(p for p in watch.policies if isinstance(p, memory_policy.Watch))
    policy.peak = 70 * 1024 * 1024  # the last look saw 70 MB; the allocator then hit the hard ceiling
    watch.after_exit(KILLED_BY_SIGABRT)
    message = ctx.store.get(attempt.job_id)["errorMessage"]  # type: ignore[index]
    assert "MAX_JOB_MEMORY_MB=100" in message and "5.0 MB" in message and "signal 6" in message, message


def test_a_plain_rq_job_leaves_nothing_to_close(make_ctx: Callable[..., EngineContext]) -> None:
    """A job that is not Sightline's (RQ's own id, no attempt, no record) does not stop the worker."""
    ctx = make_ctx()
    rq_job_id = "f723f47b-d184-4a10-bf97-7592f5cb2cc0"
    HorseWatch(ctx, FakeWorker(), HorseHandle(), 0, rq_job_id, None).after_exit(0)
