"""How jobs end: documents follow the winner of every race."""

from __future__ import annotations

import threading

from engine.constants import ERROR_DOC, JOBS_UNSEALED_KEY, RESULT_DOC
from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs import JobStatus, new_job_id


def _processing_job(ctx: EngineContext) -> str:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")
    assert ctx.store.transition(job_id, JobStatus.PROCESSING)[0]
    return job_id


def test_completed_job_has_result_and_no_error(ctx: EngineContext) -> None:
    job_id = _processing_job(ctx)
    assert ctx.lifecycle.complete(job_id, {"rows": 7}, token=None)
    record = ctx.store.get(job_id)
    assert record and record["status"] == "completed" and record["progress"] == 1.0
    assert record["resultUrl"].endswith(f"/{job_id}/result.json")
    assert ctx.blobs.read_doc(job_id, RESULT_DOC) == {"rows": 7}
    assert not ctx.blobs.has_doc(job_id, ERROR_DOC)
    assert ctx.redis.zscore(JOBS_UNSEALED_KEY, job_id) is None


def test_failed_job_has_the_cards_error_json(ctx: EngineContext) -> None:
    job_id = _processing_job(ctx)
    assert ctx.lifecycle.fail(job_id, ErrorCode.TIMEOUT, "Job exceeded maximum processing time", token=None)
    doc = ctx.blobs.read_doc(job_id, ERROR_DOC)
    assert doc is not None
    assert set(doc) == {"jobId", "status", "error", "message", "timestamp"}
    assert (doc["jobId"], doc["status"], doc["error"]) == (job_id, "failed", "timeout")
    assert not ctx.lifecycle.fail(job_id, ErrorCode.PROCESSING_ERROR, "again", token=None), (
        "terminal is absorbing"
    )


def test_cancel_against_completion_200_times(ctx: EngineContext) -> None:
    """Whoever wins, the job ends once, and a cancelled job never has a result.json."""
    outcomes = {"completed": 0, "cancelled": 0}
    for _ in range(200):
        job_id = _processing_job(ctx)
        barrier = threading.Barrier(2)

        def complete(job_id: str = job_id, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            ctx.lifecycle.complete(job_id, {"ok": True}, token=None)

        def cancel(job_id: str = job_id, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            ctx.lifecycle.cancel(job_id)

        threads = [threading.Thread(target=complete), threading.Thread(target=cancel)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        record = ctx.store.get(job_id)
        assert record is not None
        status = record["status"]
        outcomes[status] += 1
        has_result = ctx.blobs.has_doc(job_id, RESULT_DOC)
        assert has_result == (status == "completed"), (status, has_result)
        assert ctx.blobs.has_doc(job_id, ERROR_DOC) == (status == "cancelled")
        assert not list(ctx.blobs.doc_path(job_id, "x").parent.glob(".*staged"))
    assert sum(outcomes.values()) == 200


def test_seal_repairs_a_crash_between_commit_and_document(ctx: EngineContext) -> None:
    job_id = _processing_job(ctx)
    ctx.blobs.stage_doc(job_id, RESULT_DOC, {"ok": 1})
    ctx.store.transition(job_id, JobStatus.COMPLETED)  # ... and the writer dies here
    assert not ctx.blobs.has_doc(job_id, RESULT_DOC)
    ctx.lifecycle.seal(job_id)
    assert ctx.blobs.read_doc(job_id, RESULT_DOC) == {"ok": 1}
    failed = _processing_job(ctx)
    ctx.store.transition(failed, JobStatus.FAILED, error="worker_shutdown", errorMessage="gone")
    ctx.lifecycle.seal(failed)
    doc = ctx.blobs.read_doc(failed, ERROR_DOC)
    assert doc is not None and doc["error"] == "worker_shutdown"
