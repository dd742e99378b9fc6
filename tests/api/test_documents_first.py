"""Whenever a reader sees a terminal status, its document is already readable at resultUrl.

In-process: the API app and the engine share one Redis database and storage folder, as
the API and a worker do. A writer thread is slowed down at the document step, and a
reader polls the API as fast as it can.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from engine.constants import RESULT_DOC
from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs import JobStatus, new_job_id
from engine.storage import BlobStore
from tests.support.stack import TERMINAL, poll

SLOW_WRITER = "slow-writer"


@pytest.fixture
def slow_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Document writes of the thread named `slow-writer` take half a second."""
    for name in ("write_doc", "stage_doc", "publish_doc"):
        real = getattr(BlobStore, name)

        def slow(self: BlobStore, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if threading.current_thread().name == SLOW_WRITER:
                time.sleep(0.5)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(BlobStore, name, slow)


@pytest.fixture
def api(make_ctx: Callable[..., EngineContext]) -> Iterator[FlaskClient]:
    app = create_app(settings=make_ctx().settings)
    yield app.test_client()


def _processing_job(ctx: EngineContext) -> str:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")
    assert ctx.store.transition(job_id, JobStatus.PROCESSING)[0]
    return job_id


def _first_terminal_sight(read: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """Poll until the status is terminal; say whether its document existed at that moment."""
    seen: dict[str, Any] = {}

    def fetch() -> dict[str, Any]:
        body = read()
        if body["status"] in TERMINAL and not seen:
            seen.update(body, _doc_there=Path(body["resultUrl"][len("file://") :]).exists())
        return body

    poll(fetch, lambda b: b["status"] in TERMINAL, 20, 0.001)
    return seen, bool(seen.pop("_doc_there"))


def _ends_in_background(action: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=action, name=SLOW_WRITER)
    thread.start()
    return thread


@pytest.mark.usefixtures("slow_documents")
def test_failed_is_shown_only_once_error_json_is_readable(
    make_ctx: Callable[..., EngineContext], api: FlaskClient
) -> None:
    ctx = make_ctx()
    job_id = _processing_job(ctx)
    writer = _ends_in_background(
        lambda: ctx.lifecycle.fail(job_id, ErrorCode.PROCESSING_ERROR, "bad table", token=None)
    )
    seen, doc_there = _first_terminal_sight(lambda: api.get(f"/api/job-status/{job_id}").get_json())
    writer.join()
    assert seen["status"] == "failed"
    assert doc_there, "the status said failed before error.json existed"


@pytest.mark.usefixtures("slow_documents")
def test_completed_is_shown_only_once_result_json_is_readable(
    make_ctx: Callable[..., EngineContext], api: FlaskClient
) -> None:
    ctx = make_ctx()
    job_id = _processing_job(ctx)
    writer = _ends_in_background(lambda: ctx.lifecycle.complete(job_id, {"rows": 7}, token=None))
    seen, doc_there = _first_terminal_sight(lambda: api.get(f"/api/job-status/{job_id}").get_json())
    writer.join()
    assert seen["status"] == "completed"
    assert doc_there, "the status said completed before result.json existed"


@pytest.mark.usefixtures("slow_documents")
def test_the_job_list_keeps_the_same_promise(
    make_ctx: Callable[..., EngineContext], api: FlaskClient
) -> None:
    ctx = make_ctx()
    job_id = _processing_job(ctx)
    writer = _ends_in_background(
        lambda: ctx.lifecycle.fail(job_id, ErrorCode.TIMEOUT, "too slow", token=None)
    )
    seen, doc_there = _first_terminal_sight(lambda: api.get("/api/jobs?limit=5").get_json()["jobs"][0])
    writer.join()
    assert seen["jobId"] == job_id and seen["status"] == "failed"
    assert doc_there, "the job list said failed before error.json existed"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_reading_the_result_while_the_worker_publishes_it_is_no_retry(
    make_ctx: Callable[..., EngineContext], api: FlaskClient
) -> None:
    """The /result endpoint's seal and the worker's publish meet: neither sees a failure."""
    worker = make_ctx()
    lines = _Lines()
    watched = [logging.getLogger(name) for name in ("sightline.retry", "sightline.jobs", "sightline.api")]
    for logger in watched:
        logger.addHandler(lines)
        logger.setLevel(logging.DEBUG)
    try:
        for _ in range(150):
            job_id = _processing_job(worker)
            worker.blobs.stage_doc(job_id, RESULT_DOC, {"rows": 7})
            url = worker.blobs.doc_url(job_id, RESULT_DOC)
            assert worker.store.transition(job_id, JobStatus.COMPLETED, resultUrl=url)[0]
            lines.lines.clear()  # from here on, nothing is retried or missing
            answers: list[Any] = []
            barrier = threading.Barrier(2)

            def publish(job_id: str = job_id, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                worker.blobs.publish_doc(job_id, RESULT_DOC)
                worker.store.seal(job_id)

            def read(
                job_id: str = job_id, barrier: threading.Barrier = barrier, answers: list[Any] = answers
            ) -> None:
                barrier.wait()
                answers.append(api.get(f"/api/jobs/{job_id}/result"))

            threads = [threading.Thread(target=publish), threading.Thread(target=read)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert answers[0].status_code == 200 and answers[0].get_json() == {"rows": 7}, answers[0].data
            problems = [line for line in lines.lines if "Attempt 2/" in line or "lost" in line]
            assert not problems, problems
    finally:
        for logger in watched:
            logger.removeHandler(lines)


def test_an_ended_job_whose_document_cannot_be_written_is_shown_as_still_finishing(
    make_ctx: Callable[..., EngineContext],
) -> None:
    broken = make_ctx(BLOB_FAULT_FAILURES="all", BLOB_FAULT_OPS="error")  # error.json can never be written
    job_id = new_job_id()
    broken.store.create(job_id, file_name="a.csv")
    assert broken.store.transition(job_id, JobStatus.PROCESSING, startedAt="2026-01-01T00:00:00.000Z")[0]
    assert broken.lifecycle.fail(job_id, ErrorCode.PROCESSING_ERROR, "bad table", token=None)
    assert broken.store.get(job_id)["status"] == "failed"  # type: ignore[index]
    api = create_app(settings=broken.settings).test_client()
    shown = api.get(f"/api/job-status/{job_id}").get_json()
    assert (shown["status"], shown["stage"], shown["resultUrl"]) == ("processing", "saving", None)
    assert api.get(f"/api/jobs/{job_id}/result").status_code == 409
    healed = create_app(settings=make_ctx().settings).test_client()  # storage works again
    shown = healed.get(f"/api/job-status/{job_id}").get_json()
    assert shown["status"] == "failed" and Path(shown["resultUrl"][len("file://") :]).exists()
