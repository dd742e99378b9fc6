"""One contract for every storage backend: the file system, and S3 on a real moto server.

`BlobStoreContract` holds the tests; each backend subclasses it and says how to
build a store and how to list what is really stored for a job (bypassing the
interface), so the suite can check that a staged result is never a result.json.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.config import Settings
from engine.constants import ERROR_DOC, RESULT_DOC
from engine.errors import StorageError
from engine.jobs import new_job_id
from engine.storage import BlobStore, FileBlobStore, open_blob_store
from engine.storage.s3 import S3BlobStore
from engine.storage.stream import SourceError
from tests.engine.storage.conftest import OneWayStream, file_settings, s3_settings
from tests.support.moto import MotoServer

MakeStore = Callable[..., BlobStore]
SALES = Path(__file__).resolve().parents[3] / "dev-samples" / "sales_demo.csv"


class BlobStoreContract:
    """What any BlobStore must do. Subclasses provide `make_store` and `stored_names`."""

    url_scheme: str

    @pytest.fixture
    def make_store(self) -> MakeStore:
        raise NotImplementedError

    def stored_names(self, store: BlobStore, area: str, job_id: str) -> set[str]:
        """Every object kept for the job in `area` (uploads/results), hidden ones included."""
        raise NotImplementedError

    # --- uploads -------------------------------------------------------------
    def test_upload_from_a_one_way_stream_comes_back_byte_for_byte(
        self, make_store: MakeStore, tmp_path: Path
    ) -> None:
        store, job_id = make_store(), new_job_id()
        data = SALES.read_bytes()
        url = store.save_upload(job_id, "sales_demo.csv", OneWayStream(data))
        assert url.startswith(f"{self.url_scheme}://") and url.endswith(f"/uploads/{job_id}/sales_demo.csv")
        local = store.fetch_upload(job_id, "sales_demo.csv", tmp_path / "scratch" / job_id)
        assert local is not None and local.read_bytes() == data

    def test_an_upload_larger_than_a_part_is_stored_whole(
        self, make_store: MakeStore, tmp_path: Path
    ) -> None:
        store, job_id = make_store(), new_job_id()
        data = bytes(range(256)) * (12 * 1024 * 1024 // 256 + 7)  # > 2 parts of 5 MB, not a multiple
        store.save_upload(job_id, "big.csv", OneWayStream(data, piece=256 * 1024))
        local = store.fetch_upload(job_id, "big.csv", tmp_path / "scratch" / job_id)
        assert local is not None and local.stat().st_size == len(data) and local.read_bytes() == data

    def test_upload_names_are_made_safe_and_found_without_the_name(
        self, make_store: MakeStore, tmp_path: Path
    ) -> None:
        store, job_id = make_store(), new_job_id()
        url = store.save_upload(job_id, "../../evil.csv", io.BytesIO(b"a,b\n1,2\n"))
        assert url.endswith(f"/uploads/{job_id}/evil.csv")
        assert self.stored_names(store, "uploads", job_id) == {"evil.csv"}
        local = store.fetch_upload(job_id, None, tmp_path / "scratch" / job_id)
        assert local is not None and local.read_bytes() == b"a,b\n1,2\n"

    def test_a_missing_upload_is_none(self, make_store: MakeStore, tmp_path: Path) -> None:
        store, job_id = make_store(), new_job_id()
        assert store.fetch_upload(job_id, "nothing.csv", tmp_path / job_id) is None
        assert store.fetch_upload(job_id, None, tmp_path / job_id) is None

    def test_job_ids_are_checked(self, make_store: MakeStore) -> None:
        store = make_store()
        with pytest.raises(ValueError):
            store.save_upload("../x", "a.csv", io.BytesIO(b""))
        with pytest.raises(ValueError):
            store.doc_url("job_../../etc", RESULT_DOC)

    # --- documents -----------------------------------------------------------
    def test_a_staged_result_is_not_a_result_json_until_published(self, make_store: MakeStore) -> None:
        store, job_id = make_store(), new_job_id()
        store.stage_doc(job_id, RESULT_DOC, {"ok": True, "text": "ünïcode"})
        assert not store.has_doc(job_id, RESULT_DOC)
        assert store.read_doc(job_id, RESULT_DOC) is None
        assert RESULT_DOC not in self.stored_names(store, "results", job_id)
        assert store.publish_doc(job_id, RESULT_DOC)
        assert store.read_doc(job_id, RESULT_DOC) == {"ok": True, "text": "ünïcode"}
        assert store.publish_doc(job_id, RESULT_DOC), "publishing again finds it in place"
        store.discard_staged(job_id, RESULT_DOC)
        assert self.stored_names(store, "results", job_id) == {RESULT_DOC}, "only the document is left"
        assert store.read_doc(job_id, RESULT_DOC) == {"ok": True, "text": "ünïcode"}

    def test_a_discarded_result_never_appears(self, make_store: MakeStore) -> None:
        store, job_id = make_store(), new_job_id()
        store.stage_doc(job_id, RESULT_DOC, {"ok": True})
        store.discard_staged(job_id, RESULT_DOC)
        store.discard_staged(job_id, RESULT_DOC)  # twice is fine
        assert not store.publish_doc(job_id, RESULT_DOC)
        assert self.stored_names(store, "results", job_id) == set()

    def test_two_publishers_of_one_result_both_succeed(self, make_store: MakeStore) -> None:
        """The worker and a reader's seal may publish at once: neither may report it lost."""
        store, job_id = make_store(), new_job_id()
        store.stage_doc(job_id, RESULT_DOC, {"n": 1})
        answers: list[bool] = []
        barrier = threading.Barrier(2)

        def publish() -> None:
            barrier.wait()
            answers.append(store.publish_doc(job_id, RESULT_DOC))

        threads = [threading.Thread(target=publish) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [True, True]
        assert store.read_doc(job_id, RESULT_DOC) == {"n": 1}

    def test_documents_round_trip_and_have_absolute_urls(self, make_store: MakeStore) -> None:
        store, job_id = make_store(), new_job_id()
        assert not store.has_doc(job_id, ERROR_DOC)
        store.write_doc(job_id, ERROR_DOC, {"jobId": job_id, "error": "timeout"})
        assert store.has_doc(job_id, ERROR_DOC)
        assert store.read_doc(job_id, ERROR_DOC) == {"jobId": job_id, "error": "timeout"}
        url = store.doc_url(job_id, ERROR_DOC)
        assert url.startswith(f"{self.url_scheme}://") and url.endswith(f"/results/{job_id}/error.json")

    def test_it_reports_itself_reachable(self, make_store: MakeStore) -> None:
        health = make_store().check()
        assert (health.backend, health.reachable) == (self.url_scheme, True), health

    # --- the card's retries ----------------------------------------------------
    def test_failed_attempts_are_retried_with_the_cards_log_line(
        self, make_store: MakeStore, caplog: pytest.LogCaptureFixture
    ) -> None:
        store, job_id = make_store(BLOB_FAULT_FAILURES="2", BLOB_FAULT_OPS="upload,result"), new_job_id()
        with caplog.at_level(logging.INFO):
            store.save_upload(job_id, "test.csv", OneWayStream(b"x,y\n1,2\n"))
            store.stage_doc(job_id, RESULT_DOC, {"a": 1})
        lines = [r.getMessage() for r in caplog.records if "Attempt" in r.getMessage()]
        assert lines == [
            *(f"Save file test.csv for job {job_id}: Attempt {n}/3" for n in (1, 2, 3)),
            *(f"Save file result.json for job {job_id}: Attempt {n}/3" for n in (1, 2, 3)),
        ]
        assert store.publish_doc(job_id, RESULT_DOC)

    def test_storage_error_after_the_last_attempt(self, make_store: MakeStore) -> None:
        store, job_id = make_store(BLOB_FAULT_FAILURES="all", BLOB_FAULT_OPS="result"), new_job_id()
        store.save_upload(job_id, "ok.csv", io.BytesIO(b"x"))  # uploads are not faulted here
        with pytest.raises(StorageError) as caught:
            store.stage_doc(job_id, RESULT_DOC, {"a": 1})
        assert caught.value.code.value == "blob_upload_failed"
        assert "3 attempts" in caught.value.message
        assert self.stored_names(store, "results", job_id) == set()


class TestFileBlobStore(BlobStoreContract):
    url_scheme = "file"

    @pytest.fixture
    def make_store(self, tmp_path: Path) -> MakeStore:
        return lambda **env: open_blob_store(file_settings(tmp_path, **env))

    def stored_names(self, store: BlobStore, area: str, job_id: str) -> set[str]:
        assert isinstance(store, FileBlobStore)
        root = store.upload_root if area == "uploads" else store.results_root
        folder = root / job_id
        return {p.name for p in folder.iterdir()} if folder.is_dir() else set()

    def test_the_upload_is_read_in_place(self, make_store: MakeStore, tmp_path: Path) -> None:
        store, job_id = make_store(), new_job_id()
        store.save_upload(job_id, "a.csv", io.BytesIO(b"a\n1\n"))
        local = store.fetch_upload(job_id, "a.csv", tmp_path / "scratch" / job_id)
        assert local == tmp_path.resolve() / "store" / "uploads" / job_id / "a.csv"
        assert not (tmp_path / "scratch").exists(), "one machine: no copy"

    def test_without_storage_url_the_folders_are_upload_dir_and_results_dir(self, tmp_path: Path) -> None:
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert (settings.upload_root, settings.results_root) == (Path("tmp_uploads"), Path("results"))
        store = open_blob_store(
            file_settings(tmp_path, STORAGE_URL="", UPLOAD_DIR=tmp_path / "u", RESULTS_DIR=tmp_path / "r")
        )
        assert isinstance(store, FileBlobStore)
        job_id = new_job_id()
        url = store.save_upload(job_id, "a.csv", io.BytesIO(b"x"))
        assert url == (tmp_path / "u" / job_id / "a.csv").as_uri()
        assert store.doc_url(job_id, RESULT_DOC) == (tmp_path / "r" / job_id / RESULT_DOC).as_uri()

    def test_a_one_way_stream_that_failed_midway_is_not_replayed(
        self, make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def disk_full(source: Any, target: Any, length: int = 0) -> None:
            target.write(source.read(4))
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("engine.storage.files.shutil.copyfileobj", disk_full)
        with pytest.raises(StorageError, match="cannot be read again"):
            make_store().save_upload(new_job_id(), "a.csv", OneWayStream(b"abcdefgh", piece=4))

    def test_a_source_that_breaks_is_not_a_storage_failure(self, make_store: MakeStore) -> None:
        class ClientGone(OneWayStream):
            def readinto(self, target: memoryview) -> int:  # type: ignore[override]
                if self.position >= 4:
                    raise ConnectionResetError("client went away")
                return super().readinto(target)

        with pytest.raises(SourceError):
            make_store().save_upload(new_job_id(), "a.csv", ClientGone(b"abcdefgh", piece=4))


class TestS3BlobStore(BlobStoreContract):
    url_scheme = "s3"

    @pytest.fixture
    def make_store(self, moto_server: MotoServer, tmp_path: Path) -> MakeStore:
        bucket = moto_server.new_bucket()
        return lambda **env: open_blob_store(s3_settings(tmp_path, moto_server, bucket, **env))

    def stored_names(self, store: BlobStore, area: str, job_id: str) -> set[str]:
        assert isinstance(store, S3BlobStore)
        folder = store.key(area, job_id, "") + "/"
        answer: dict[str, Any] = store.client.list_objects_v2(Bucket=store.bucket, Prefix=folder)
        return {obj["Key"][len(folder) :] for obj in answer.get("Contents", [])}

    def test_keys_and_urls_follow_the_prefix(self, make_store: MakeStore) -> None:
        store, job_id = make_store(), new_job_id()
        assert isinstance(store, S3BlobStore)
        assert store.doc_url(job_id, RESULT_DOC) == (
            f"s3://{store.bucket}/team/sightline/results/{job_id}/result.json"
        )

    def test_the_upload_is_copied_into_the_scratch_folder(
        self, make_store: MakeStore, tmp_path: Path
    ) -> None:
        store, job_id = make_store(), new_job_id()
        store.save_upload(job_id, "a.csv", io.BytesIO(b"a\n1\n"))
        scratch = tmp_path / "scratch" / job_id
        assert store.fetch_upload(job_id, "a.csv", scratch) == scratch / "a.csv"
        assert sorted(p.name for p in scratch.iterdir()) == ["a.csv"], "no partial file left"
