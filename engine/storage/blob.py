"""Local blob storage: uploads under UPLOAD_DIR, job documents under RESULTS_DIR.

Layout: `UPLOAD_DIR/<jobId>/<safe name>` and `RESULTS_DIR/<jobId>/result.json`
or `error.json`. Every write retries with the card's backoff and logs
`Save file <name> for job <jobId>: Attempt n/N`; after the last attempt it
raises StorageError (code `blob_upload_failed`).

A result document is first *staged* under the attempt's token
(`.result.json.<token>.staged`) and only *published* (renamed into place) after
the job record says `completed` by that attempt, so a job that lost the race to a
cancel never shows a result.json, and a late attempt can never put its result
where the winner's goes. Publishing is idempotent: whoever comes second (the
worker, or a reader sealing the job) finds the document in place and is done.
Every write goes through a temporary file of its own, so writers of the same
document never mix their bytes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from engine import metrics
from engine.config import Settings
from engine.constants import JOB_ID_PATTERN, RESULT_DOC
from engine.errors import StorageError
from engine.jobs.ids import is_valid_job_id
from engine.resilience import BackoffPolicy, retry_call
from engine.storage.faults import FaultInjector
from engine.storage.names import safe_file_name

_COPY_CHUNK = 1024 * 1024


class BlobStore:
    """Uploads and job documents on the local file system."""

    def __init__(self, settings: Settings, faults: FaultInjector | None = None) -> None:
        self.upload_root = settings.upload_dir.resolve()
        self.results_root = settings.results_dir.resolve()
        self.attempts = settings.blob_retry_attempts
        self.policy = BackoffPolicy.from_settings(settings)
        self.faults = faults or FaultInjector.from_settings(settings)

    # --- uploads -------------------------------------------------------------
    def save_upload(self, job_id: str, file_name: str, source: IO[bytes]) -> Path:
        """Copy `source` (rewindable) to the job's upload folder; returns the path."""
        dest = self._job_dir(self.upload_root, job_id) / safe_file_name(file_name)

        def write() -> None:
            source.seek(0)
            with _atomic_writer(dest) as out:
                shutil.copyfileobj(source, out, _COPY_CHUNK)

        self._retry("upload", file_name, job_id, write)
        return dest

    def upload_path(self, job_id: str) -> Path | None:
        """The job's uploaded file, if it is there."""
        folder = self._job_dir(self.upload_root, job_id, create=False)
        if not folder.is_dir():
            return None
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        return files[0] if files else None

    # --- documents -----------------------------------------------------------
    def doc_path(self, job_id: str, name: str) -> Path:
        return self._job_dir(self.results_root, job_id, create=False) / name

    def doc_url(self, job_id: str, name: str) -> str:
        """The absolute `file://` URL a job's status shows as `resultUrl`."""
        return self.doc_path(job_id, name).as_uri()

    def stage_doc(self, job_id: str, name: str, doc: dict[str, Any], token: int | None = None) -> None:
        """Write the attempt's document next to its final place, not yet visible under `name`."""
        data = _encode(doc)
        staged = self._staged(job_id, name, token)

        def write() -> None:
            with _atomic_writer(staged) as out:
                out.write(data)

        self._retry(_op_for(name), name, job_id, write)

    def publish_doc(self, job_id: str, name: str, token: int | None = None) -> bool:
        """Move the attempt's staged document into place.

        True when the document is in place (moved now, or by someone before);
        False when nothing was staged and nothing is there.
        """
        staged = self._staged(job_id, name, token)
        final = self.doc_path(job_id, name)
        if not staged.exists():
            return final.exists()

        def move() -> None:
            try:
                os.replace(staged, final)
            except FileNotFoundError:
                if not final.exists():
                    raise _NothingStaged from None  # discarded meanwhile: not a storage fault

        # A rename within one folder: atomic, and not a write the fault injector
        # simulates, so `completed` and result.json appear together.
        try:
            self._retry(None, name, job_id, move)
        except _NothingStaged:
            return False
        return True

    def discard_staged(self, job_id: str, name: str, token: int | None = None) -> None:
        self._staged(job_id, name, token).unlink(missing_ok=True)

    def write_doc(self, job_id: str, name: str, doc: dict[str, Any]) -> None:
        """Write a document straight into place (one no race can make wrong: error.json).

        Writers of the same document write the same bytes, each through its own
        temporary file, so the last rename wins and the file is never partial.
        """
        data = _encode(doc)
        final = self.doc_path(job_id, name)

        def write() -> None:
            with _atomic_writer(final) as out:
                out.write(data)

        self._retry(_op_for(name), name, job_id, write)

    def delete_job(self, job_id: str) -> None:
        """Remove the job's upload and documents (retention)."""
        for root in (self.upload_root, self.results_root):
            shutil.rmtree(self._job_dir(root, job_id, create=False), ignore_errors=True)

    def read_doc(self, job_id: str, name: str) -> dict[str, Any] | None:
        path = self.doc_path(job_id, name)
        try:
            loaded: dict[str, Any] = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        return loaded

    def has_doc(self, job_id: str, name: str) -> bool:
        return self.doc_path(job_id, name).exists()

    # --- helpers ---------------------------------------------------------------
    def _staged(self, job_id: str, name: str, token: int | None) -> Path:
        suffix = f".{token}.staged" if token is not None else ".staged"
        return self._job_dir(self.results_root, job_id) / f".{name}{suffix}"

    def _job_dir(self, root: Path, job_id: str, create: bool = True) -> Path:
        if not is_valid_job_id(job_id):
            raise ValueError(f"not a job id (expected {JOB_ID_PATTERN}): {job_id[:80]!r}")
        folder = root / job_id
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _retry(self, op: str | None, name: str, job_id: str, action: Callable[[], None]) -> None:
        attempt = {"n": 0}

        def once() -> None:
            attempt["n"] += 1
            if attempt["n"] > 1:
                metrics.incr("blob_retries_total", op=op or "publish")
            if op is not None:
                self.faults.check(op, attempt["n"])
            action()

        try:
            retry_call(
                once,
                what=f"Save file {name} for job {job_id}",
                attempts=self.attempts,
                policy=self.policy,
                retryable=lambda exc: isinstance(exc, OSError),
            )
        except OSError as exc:
            raise StorageError(
                f"Could not save {name} after {self.attempts} attempts: {exc}",
                job_id=job_id,
                original_error=exc,
            ) from exc


class _NothingStaged(Exception):
    """The staged document is gone and nothing is in place (never retried)."""


def _op_for(name: str) -> str:
    return "result" if name == RESULT_DOC else "error"


def _encode(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


class _atomic_writer:
    """Write to a temporary file of this writer's own, then rename it over `path` on success."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")

    def __enter__(self) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.tmp, "wb")
        return self.handle

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.handle.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
