"""Blob storage: layout, safe names, retries with injected faults."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from engine.errors import StorageError
from engine.jobs import new_job_id
from engine.storage import BlobStore, safe_file_name
from tests.engine.jobs.conftest import make_settings


def store(tmp_path: Path, **overrides: object) -> BlobStore:
    return BlobStore(make_settings("redis://unused", tmp_path, **overrides))


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/path/data.csv", "data.csv"),
        ("C:\\Users\\x\\report.xlsx", "report.xlsx"),
        ("na\x00me.csv", "name.csv"),
        ("..", "upload.csv"),
        ("", "upload.csv"),
        ("sales 2024 (final).csv", "sales 2024 _final_.csv"),
    ],
)
def test_safe_file_name(raw: str, safe: str) -> None:
    assert safe_file_name(raw) == safe


def test_upload_and_documents_land_in_their_roots(tmp_path: Path) -> None:
    blobs = store(tmp_path)
    job_id = new_job_id()
    path = blobs.save_upload(job_id, "../../evil.csv", io.BytesIO(b"a,b\n1,2\n"))
    assert path == tmp_path.resolve() / "tmp_uploads" / job_id / "evil.csv"
    assert blobs.upload_path(job_id) == path
    blobs.stage_doc(job_id, "result.json", {"ok": True})
    assert not blobs.has_doc(job_id, "result.json"), "staged documents are not visible"
    assert blobs.publish_doc(job_id, "result.json")
    assert blobs.read_doc(job_id, "result.json") == {"ok": True}
    assert (
        blobs.doc_url(job_id, "result.json")
        == (tmp_path.resolve() / "results" / job_id / "result.json").as_uri()
    )
    with pytest.raises(ValueError):
        blobs.save_upload("../x", "a.csv", io.BytesIO(b""))


def test_injected_faults_are_retried_with_the_cards_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blobs = store(tmp_path, BLOB_FAULT_FAILURES="2")
    job_id = new_job_id()
    with caplog.at_level(logging.INFO):
        blobs.save_upload(job_id, "test.csv", io.BytesIO(b"x"))
    lines = [r.getMessage() for r in caplog.records if "Attempt" in r.getMessage()]
    assert lines == [f"Save file test.csv for job {job_id}: Attempt {n}/3" for n in (1, 2, 3)]


def test_storage_error_after_the_last_attempt(tmp_path: Path) -> None:
    blobs = store(tmp_path, BLOB_FAULT_FAILURES="all", BLOB_FAULT_OPS="result")
    job_id = new_job_id()
    blobs.save_upload(job_id, "ok.csv", io.BytesIO(b"x"))  # uploads are not faulted here
    with pytest.raises(StorageError) as caught:
        blobs.stage_doc(job_id, "result.json", {"a": 1})
    assert caught.value.code.value == "blob_upload_failed"
    assert "3 attempts" in caught.value.message
