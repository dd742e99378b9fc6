"""The commit protocol on S3: a cancelled job never has a result.json, and a reader
never sees a terminal status before its document, even when the writer dies or S3
fails between the commit and the document."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.constants import ERROR_DOC, JOBS_UNSEALED_KEY, RESULT_DOC
from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs import JobStatus, new_job_id
from engine.jobs.attempts import Attempt, claim
from engine.storage.s3 import S3BlobStore
from engine.supervisor.valkey import EmbeddedValkey
from tests.engine.storage.conftest import s3_settings
from tests.fakes.s3_proxy import S3FaultProxy
from tests.support.moto import MotoServer
from tests.support.stack import claim_db, release_db


@pytest.fixture
def proxy(moto_server: MotoServer) -> Iterator[S3FaultProxy]:
    proxy = S3FaultProxy(moto_server.url).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def ctx(
    redis_server: EmbeddedValkey, moto_server: MotoServer, proxy: S3FaultProxy, tmp_path: Path
) -> Iterator[EngineContext]:
    db = claim_db()
    url = f"redis://127.0.0.1:{redis_server.port}/{db}"
    bucket = moto_server.new_bucket()
    context = EngineContext.create(
        s3_settings(tmp_path, moto_server, bucket, endpoint=proxy.url, redis_url=url)
    )
    context.redis.flushdb()
    yield context
    context.redis.close()
    release_db(db)


def stored(ctx: EngineContext, job_id: str) -> set[str]:
    blobs = ctx.blobs
    assert isinstance(blobs, S3BlobStore)
    folder = blobs.key("results", job_id, "") + "/"
    answer = blobs.client.list_objects_v2(Bucket=blobs.bucket, Prefix=folder)
    return {obj["Key"][len(folder) :] for obj in answer.get("Contents", [])}


def processing_job(ctx: EngineContext) -> Attempt:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")
    attempt, _ = claim(ctx.store, job_id, "sightline-test")
    assert attempt is not None
    assert ctx.store.transition(job_id, JobStatus.PROCESSING, token=attempt.token)[0]
    return attempt


def test_cancel_against_completion_on_s3(ctx: EngineContext) -> None:
    """Whoever wins, the job ends once; a cancelled job never has a result.json, staged or not."""
    outcomes = {"completed": 0, "cancelled": 0}
    for _ in range(40):
        attempt = processing_job(ctx)
        job_id = attempt.job_id
        barrier = threading.Barrier(2)

        def complete(attempt: Attempt = attempt, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            ctx.lifecycle.complete(attempt.job_id, {"ok": True}, token=attempt.token)

        def cancel(job_id: str = job_id, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            ctx.lifecycle.cancel(job_id)

        threads = [threading.Thread(target=complete), threading.Thread(target=cancel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        record = ctx.store.get(job_id)
        assert record is not None
        outcomes[record["status"]] += 1
        expected = {RESULT_DOC} if record["status"] == "completed" else {ERROR_DOC}
        assert stored(ctx, job_id) == expected, record["status"]
        assert record["resultUrl"] == ctx.blobs.doc_url(job_id, expected.pop())
    assert sum(outcomes.values()) == 40


def test_a_reader_never_sees_completed_before_the_result(ctx: EngineContext) -> None:
    attempt = processing_job(ctx)
    job_id = attempt.job_id
    ctx.blobs.stage_doc(job_id, RESULT_DOC, {"ok": 1}, attempt.token)
    ctx.store.transition(job_id, JobStatus.COMPLETED, token=attempt.token)  # ... and the writer dies here
    assert stored(ctx, job_id) == {f".result.json.{attempt.token}.staged"}
    record = ctx.reader.status(job_id)
    assert record is not None and record["status"] == "completed"
    assert RESULT_DOC in stored(ctx, job_id), "the reader put the document in place first"
    assert ctx.redis.zscore(JOBS_UNSEALED_KEY, job_id) is None


def test_s3_failing_after_the_commit_leaves_the_job_to_be_sealed(
    ctx: EngineContext, proxy: S3FaultProxy
) -> None:
    attempt = processing_job(ctx)
    job_id = attempt.job_id
    proxy.fail(times=3, status=500, method="PUT", path=f"{job_id}/result.json")  # the copy
    assert ctx.lifecycle.complete(job_id, {"ok": 2}, token=attempt.token), "committed: completed"
    assert ctx.redis.zscore(JOBS_UNSEALED_KEY, job_id) is not None
    assert stored(ctx, job_id) == {f".result.json.{attempt.token}.staged"}
    record = ctx.reader.status(job_id)  # S3 answers again
    assert record is not None and record["status"] == "completed"
    assert ctx.blobs.read_doc(job_id, RESULT_DOC) == {"ok": 2}
    assert ctx.redis.zscore(JOBS_UNSEALED_KEY, job_id) is None


def test_a_failed_job_whose_error_json_could_not_be_written_gets_it_later(
    ctx: EngineContext, proxy: S3FaultProxy
) -> None:
    attempt = processing_job(ctx)
    job_id = attempt.job_id
    proxy.fail(times=3, status=503, code="SlowDown", method="PUT", path=f"{job_id}/error.json")
    assert ctx.lifecycle.fail(job_id, ErrorCode.TIMEOUT, "too slow", token=attempt.token)
    assert stored(ctx, job_id) == set()
    ctx.lifecycle.seal(job_id)  # what the reaper does
    doc = ctx.blobs.read_doc(job_id, ERROR_DOC)
    assert doc is not None and doc["error"] == "timeout"
    assert ctx.redis.zscore(JOBS_UNSEALED_KEY, job_id) is None
