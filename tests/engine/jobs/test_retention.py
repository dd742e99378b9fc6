"""JOB_RETENTION_DAYS: an old ended job goes away whole (record, index entries, files), young ones stay."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from engine import clock
from engine.constants import JOBS_INDEX_KEY, RESULT_DOC, job_key, owner_index_key
from engine.context import EngineContext
from engine.jobs import JobStatus, new_job_id
from engine.worker.reaper import Reaper

DAY_S = 86_400


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = clock.now_s()
        monkeypatch.setattr(clock, "pinned_s", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _ended_job(ctx: EngineContext, owner: str = "owner-a") -> str:
    job_id = new_job_id()
    ctx.blobs.save_upload(job_id, "t.csv", io.BytesIO(b"a,b\n1,2\n"))
    ctx.store.create(job_id, file_name="t.csv", owner=owner)
    ctx.redis.zadd(owner_index_key(owner), {job_id: clock.now_s()})
    assert ctx.store.transition(job_id, JobStatus.PROCESSING)[0]
    ctx.blobs.write_doc(job_id, RESULT_DOC, {"rows": 1})
    assert ctx.store.transition(job_id, JobStatus.COMPLETED)[0]
    ctx.store.seal(job_id)
    return job_id


def _traces(ctx: EngineContext, job_id: str, owner: str = "owner-a") -> dict[str, bool]:
    return {
        "record": ctx.redis.exists(job_key(job_id)) == 1,
        "index": ctx.redis.zscore(JOBS_INDEX_KEY, job_id) is not None,
        "owner index": ctx.redis.zscore(owner_index_key(owner), job_id) is not None,
        "upload": (ctx.settings.upload_dir / job_id).exists(),
        "results": (ctx.settings.results_dir / job_id).exists(),
    }


def test_retention_removes_an_old_job_whole_and_keeps_young_ones(
    make_ctx: Callable[..., EngineContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(JOB_RETENTION_DAYS=2)
    now = Clock(monkeypatch)
    old = _ended_job(ctx)
    now.advance(DAY_S)
    young = _ended_job(ctx)
    assert all(_traces(ctx, old).values()) and all(_traces(ctx, young).values())
    now.advance(DAY_S + 60)  # `old` is two days and a minute old, `young` one day
    Reaper(ctx).sweep()
    assert _traces(ctx, old) == dict.fromkeys(_traces(ctx, old), False)
    assert all(_traces(ctx, young).values())
    assert [r["jobId"] for r in ctx.store.recent(10, owner="owner-a")] == [young]


def test_a_crash_between_the_record_and_the_files_is_finished_by_the_next_sweep(
    make_ctx: Callable[..., EngineContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(JOB_RETENTION_DAYS=1)
    now = Clock(monkeypatch)
    old = _ended_job(ctx)
    now.advance(DAY_S + 60)
    retention = Reaper(ctx).retention

    def crash(job_id: str) -> None:
        raise KeyboardInterrupt("the process died here")

    monkeypatch.setattr(ctx.blobs, "delete_job", crash)
    with pytest.raises(KeyboardInterrupt):
        retention.sweep()
    traces = _traces(ctx, old)
    assert not traces["record"] and not traces["index"], "no reader finds the job any more"
    assert traces["upload"] and traces["results"]
    monkeypatch.undo()  # the process restarts (and its clock is real again: nothing else is due)
    assert Reaper(make_ctx(JOB_RETENTION_DAYS=1)).retention.sweep() == 0
    assert _traces(ctx, old) == dict.fromkeys(traces, False)


def test_open_jobs_are_never_removed(
    make_ctx: Callable[..., EngineContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(JOB_RETENTION_DAYS=1, JOB_TIMEOUT_SECONDS=10 * DAY_S)
    now = Clock(monkeypatch)
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="t.csv")
    now.advance(3 * DAY_S)
    assert Reaper(ctx).retention.sweep() == 0
    assert ctx.store.get(job_id) is not None


def test_zero_keeps_jobs_forever(
    make_ctx: Callable[..., EngineContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(JOB_RETENTION_DAYS=0)
    now = Clock(monkeypatch)
    old = _ended_job(ctx)
    now.advance(3650 * DAY_S)
    Reaper(ctx).sweep()
    assert all(_traces(ctx, old).values())
