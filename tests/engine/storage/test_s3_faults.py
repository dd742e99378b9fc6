"""S3 misbehaving: 500s, throttling, slow answers, refused connections, a bucket that disappears.

The store talks to moto through `S3FaultProxy`, which injects the faults on the
wire. botocore's own retries are off, so every attempt the proxy sees is one of
the card's attempts, with its log line.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.constants import RESULT_DOC
from engine.errors import StorageError
from engine.jobs import new_job_id
from engine.storage import BlobStore, open_blob_store
from engine.supervisor.valkey import free_port
from tests.engine.storage.conftest import OneWayStream, s3_settings
from tests.fakes.s3_proxy import S3FaultProxy
from tests.support.moto import MotoServer

MakeStore = Callable[..., BlobStore]


@pytest.fixture
def proxy(moto_server: MotoServer) -> Iterator[S3FaultProxy]:
    proxy = S3FaultProxy(moto_server.url).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def bucket(moto_server: MotoServer) -> str:
    return moto_server.new_bucket()


@pytest.fixture
def make_store(moto_server: MotoServer, proxy: S3FaultProxy, bucket: str, tmp_path: Path) -> MakeStore:
    def make(**env: object) -> BlobStore:
        return open_blob_store(s3_settings(tmp_path, moto_server, bucket, endpoint=proxy.url, **env))

    return make


def attempt_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Attempt" in r.getMessage()]


def test_500s_are_retried_by_the_cards_loop_and_not_by_botocore(
    make_store: MakeStore, proxy: S3FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    store, job_id = make_store(), new_job_id()
    proxy.fail(times=2, status=500, code="InternalError", method="PUT")
    with caplog.at_level(logging.INFO):
        store.stage_doc(job_id, RESULT_DOC, {"ok": 1})
    assert [outcome for _, _, outcome in proxy.seen("PUT")] == ["fail 500", "fail 500", "pass"]
    assert attempt_lines(caplog) == [
        f"Save file result.json for job {job_id}: Attempt {n}/3" for n in (1, 2, 3)
    ]
    assert store.publish_doc(job_id, RESULT_DOC) and store.read_doc(job_id, RESULT_DOC) == {"ok": 1}


def test_throttling_is_retried(make_store: MakeStore, proxy: S3FaultProxy) -> None:
    store, job_id = make_store(), new_job_id()
    proxy.fail(times=1, status=503, code="SlowDown", method="PUT")
    store.save_upload(job_id, "test.csv", OneWayStream(b"a,b\n1,2\n"))
    assert [outcome for _, _, outcome in proxy.seen("PUT")] == ["fail 503", "pass"]


def test_500s_past_the_last_attempt_are_blob_upload_failed(
    make_store: MakeStore, proxy: S3FaultProxy
) -> None:
    store, job_id = make_store(), new_job_id()
    proxy.fail(times=3, status=500, method="PUT")
    with pytest.raises(StorageError) as caught:
        store.save_upload(job_id, "test.csv", io.BytesIO(b"x"))
    assert caught.value.code.value == "blob_upload_failed"
    assert "after 3 attempts" in caught.value.message and "InternalError" in caught.value.message
    assert len(proxy.seen("PUT")) == 3


def test_a_slow_answer_past_the_read_timeout_is_retried(
    make_store: MakeStore, proxy: S3FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    store, job_id = make_store(S3_READ_TIMEOUT_SECONDS=0.5), new_job_id()
    proxy.delay(seconds=5.0, times=1, method="PUT")
    with caplog.at_level(logging.INFO):
        store.write_doc(job_id, "error.json", {"error": "timeout"})
    assert attempt_lines(caplog) == [f"Save file error.json for job {job_id}: Attempt {n}/3" for n in (1, 2)]
    assert store.read_doc(job_id, "error.json") == {"error": "timeout"}


def test_a_slow_answer_within_the_timeout_is_only_slow(make_store: MakeStore, proxy: S3FaultProxy) -> None:
    store, job_id = make_store(S3_READ_TIMEOUT_SECONDS=10), new_job_id()
    proxy.delay(seconds=0.3, times=1, method="PUT")
    store.write_doc(job_id, "error.json", {"error": "timeout"})
    assert [outcome for _, _, outcome in proxy.seen("PUT")] == ["delay 0.3s"]


def test_reads_are_retried_too(make_store: MakeStore, proxy: S3FaultProxy) -> None:
    store, job_id = make_store(), new_job_id()
    store.write_doc(job_id, "error.json", {"n": 1})
    proxy.fail(times=2, status=500, method="GET")
    assert store.read_doc(job_id, "error.json") == {"n": 1}
    assert len(proxy.seen("GET")) == 3


def test_one_failing_part_of_a_multipart_upload_is_retried_alone(
    make_store: MakeStore, proxy: S3FaultProxy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, job_id = make_store(), new_job_id()
    data = b"0123456789abcdef" * (11 * 1024 * 1024 // 16)  # 11 MB: parts of 5, 5 and 1 MB
    proxy.fail(times=1, status=500, method="PUT", path="partNumber=2")
    with caplog.at_level(logging.INFO):
        store.save_upload(job_id, "big.csv", OneWayStream(data, piece=512 * 1024))
    parts = [path.split("partNumber=")[1].split("&")[0] for _, path, _ in proxy.seen("PUT", "partNumber=")]
    assert parts == ["1", "2", "2", "3"]
    assert f"Save file big.csv for job {job_id} (part 2): Attempt 2/3" in attempt_lines(caplog)
    local = store.fetch_upload(job_id, "big.csv", tmp_path / "scratch" / job_id)
    assert local is not None and local.read_bytes() == data


def test_a_multipart_upload_that_gives_up_is_aborted(
    make_store: MakeStore, proxy: S3FaultProxy, moto_server: MotoServer, bucket: str
) -> None:
    store, job_id = make_store(), new_job_id()
    proxy.fail(times=3, status=500, method="PUT", path="partNumber=2")
    with pytest.raises(StorageError, match=r"after 3 attempts"):
        store.save_upload(job_id, "big.csv", OneWayStream(b"z" * (11 * 1024 * 1024)))
    assert moto_server.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert moto_server.keys(bucket) == []


def test_a_bucket_that_disappears(make_store: MakeStore, moto_server: MotoServer, bucket: str) -> None:
    store, job_id = make_store(), new_job_id()
    store.save_upload(job_id, "a.csv", io.BytesIO(b"a\n1\n"))
    store.write_doc(job_id, "error.json", {"n": 1})
    moto_server.delete_bucket(bucket)
    with pytest.raises(StorageError, match=r"NoSuchBucket.*not retried"):
        store.stage_doc(job_id, RESULT_DOC, {"ok": 1})
    with pytest.raises(StorageError, match="NoSuchBucket"):
        store.read_doc(job_id, "error.json")
    with pytest.raises(StorageError, match="NoSuchBucket"):
        store.fetch_upload(job_id, "a.csv", Path("/nonexistent"))
    health = store.check()
    assert not health.reachable and health.message == f"bucket {bucket!r} does not exist"


def test_nobody_listening_is_retried_then_fails(tmp_path: Path, moto_server: MotoServer) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    store = open_blob_store(s3_settings(tmp_path, moto_server, "nowhere", endpoint=closed))
    with pytest.raises(StorageError, match="after 3 attempts"):
        store.write_doc(new_job_id(), "error.json", {"n": 1})
    assert not store.check().reachable


def test_warm_up_prepares_the_client_without_sending_anything(
    make_store: MakeStore, proxy: S3FaultProxy, tmp_path: Path
) -> None:
    """A worker warms its S3 client before forking: no request leaves, and afterwards
    every call reaches the store again (the local answers are gone)."""
    store, job_id = make_store(), new_job_id()
    store.warm_up()
    assert proxy.requests == []
    store.save_upload(job_id, "a.csv", io.BytesIO(b"x,y\n1,2\n"))
    assert store.fetch_upload(job_id, "a.csv", tmp_path / "scratch").read_bytes() == b"x,y\n1,2\n"  # type: ignore[union-attr]
    assert store.read_doc(job_id, RESULT_DOC) is None
    assert [method for method, _, _ in proxy.requests] == ["PUT", "GET", "GET"]
