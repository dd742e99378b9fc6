"""The storage interface: uploads and job documents, with the card's retries.

Layout (both backends): `uploads/<jobId>/<safe name>` and `results/<jobId>/result.json`
or `error.json`. Every operation retries with the card's backoff and logs
`Save file <name> for job <jobId>: Attempt n/N` (reads: `Read file ...`); after the
last attempt, or at once for an error no retry can fix (a missing bucket, a
refused credential), it raises StorageError (code `blob_upload_failed`).

A result document is first *staged* under the attempt's fencing token
(`.result.json.<token>.staged`, not a result.json) and only *published* under its
name after the job record says `completed` by that attempt, so a job that lost
the race to a cancel never has a result.json, and a late attempt can never put
its result where the winner's goes. Publishing is idempotent: whoever comes
second (the worker, or a reader sealing the job) finds the document in place.
Backends implement the primitives below; this class holds the rules.
"""

from __future__ import annotations

import functools
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from engine import metrics
from engine.config import Settings
from engine.constants import JOB_ID_PATTERN, RESULT_DOC
from engine.errors import StorageError
from engine.jobs.ids import is_valid_job_id
from engine.resilience import BackoffPolicy, retry_call
from engine.storage.faults import FaultInjector
from engine.storage.names import safe_file_name
from engine.storage.stream import NotRetryable, Readable

T = TypeVar("T")
log = logging.getLogger("sightline.storage")

UPLOADS = "uploads"
RESULTS = "results"


@dataclass(frozen=True)
class StorageHealth:
    """What /api/health shows about storage."""

    backend: str  # "file" or "s3"
    url: str  # where it stores (no credentials)
    reachable: bool
    message: str | None = None


class BlobStore(ABC):
    """Uploads and job documents; one subclass per backend (file, s3)."""

    backend: ClassVar[str]

    def __init__(self, settings: Settings, faults: FaultInjector | None = None) -> None:
        self.attempts = settings.blob_retry_attempts
        self.policy = BackoffPolicy.from_settings(settings)
        self.faults = faults or FaultInjector.from_settings(settings)

    # --- uploads -------------------------------------------------------------
    def save_upload(self, job_id: str, file_name: str, source: Readable) -> str:
        """Stream `source` into the job's upload folder; returns the upload's URL.

        `source` need not be seekable (the API hands over the request body as it
        arrives); it is read once, in chunks, never whole into memory.
        """
        name = safe_file_name(file_name)
        check_job_id(job_id)
        self._save_stream(job_id, name, source)
        return self._url(UPLOADS, job_id, name)

    def upload_size(self, job_id: str) -> int | None:
        """The stored upload's size in bytes (None when there is none): for messages, never retried."""
        check_job_id(job_id)
        name = self._find_upload(job_id)
        return self._size(UPLOADS, job_id, name) if name else None

    def delete_job(self, job_id: str) -> None:
        """Remove the job's upload and documents (retention); each removal retried as a write is."""
        check_job_id(job_id)
        for area in (UPLOADS, RESULTS):
            remove = functools.partial(self._delete_all, area, job_id)
            self._retry(
                None, f"Remove {area} of job {job_id}", job_id, area, "remove", remove, quiet_first=True
            )

    def fetch_upload(self, job_id: str, file_name: str | None, scratch: Path) -> Path | None:
        """A local file holding the job's upload (None when there is none).

        The file backend answers with the stored file itself; S3 streams the
        object into `scratch` (the worker's own folder for this job).
        """
        check_job_id(job_id)
        name = safe_file_name(file_name) if file_name else self._find_upload(job_id)
        if name is None:
            return None
        return self._read_retry(job_id, name, lambda: self._fetch(job_id, name, scratch))

    # --- documents -----------------------------------------------------------
    def doc_url(self, job_id: str, name: str) -> str:
        """The absolute `file://` or `s3://` URL a job's status shows as `resultUrl`."""
        check_job_id(job_id)
        return self._url(RESULTS, job_id, name)

    def stage_doc(self, job_id: str, name: str, doc: dict[str, Any], token: int | None = None) -> None:
        """Write the attempt's document next to its final place, not yet visible under `name`."""
        data = encode_doc(doc)
        staged = staged_name(name, token)
        self._save(_op_for(name), job_id, name, lambda: self._write(RESULTS, job_id, staged, data))

    def publish_doc(self, job_id: str, name: str, token: int | None = None) -> bool:
        """Put the attempt's staged document in place.

        True when the document is in place (now, or by someone before); False when
        neither it nor a staged copy is there. The staged copy may remain (S3
        copies it) until `discard_staged`.
        """
        # Not a write the fault injector simulates, so `completed` and result.json appear together.
        return self._save(None, job_id, name, lambda: self._promote(job_id, name, staged_name(name, token)))

    def discard_staged(self, job_id: str, name: str, token: int | None = None) -> None:
        """Remove the attempt's staged document if there is one; a failure is logged, never raised."""
        what = f"Remove staged {name} for job {job_id}"
        remove = functools.partial(self._delete, RESULTS, job_id, staged_name(name, token))
        try:
            self._retry(None, what, job_id, name, "remove", remove, quiet_first=True)
        except StorageError as exc:
            log.warning("Could not remove the staged %s of job %s: %s", name, job_id, exc.message)

    def write_doc(self, job_id: str, name: str, doc: dict[str, Any]) -> None:
        """Write a document straight into place (for documents no race can make wrong)."""
        data = encode_doc(doc)
        self._save(_op_for(name), job_id, name, lambda: self._write(RESULTS, job_id, name, data))

    def read_doc(self, job_id: str, name: str) -> dict[str, Any] | None:
        """The document, or None when it is not there."""
        data = self._read_retry(job_id, name, lambda: self._read(RESULTS, job_id, name))
        if data is None:
            return None
        loaded: dict[str, Any] = json.loads(data)
        return loaded

    def has_doc(self, job_id: str, name: str) -> bool:
        return self._read_retry(job_id, name, lambda: self._exists(RESULTS, job_id, name))

    def warm_up(self) -> None:  # noqa: B027 - a hook: most backends have nothing to load
        """Load now what every forked work-horse would otherwise load again (no I/O)."""

    @abstractmethod
    def check(self) -> StorageHealth:
        """Whether the store can be reached now (one quick request, no retries)."""

    # --- what a backend provides -------------------------------------------------
    @abstractmethod
    def _url(self, area: str, job_id: str, name: str) -> str: ...

    @abstractmethod
    def _save_stream(self, job_id: str, name: str, source: Readable) -> None:
        """Store an upload from a stream, retrying through `_save` as the stream allows."""

    @abstractmethod
    def _find_upload(self, job_id: str) -> str | None:
        """The name of the job's upload, looked up (for records that do not carry it)."""

    @abstractmethod
    def _fetch(self, job_id: str, name: str, scratch: Path) -> Path | None: ...

    @abstractmethod
    def _write(self, area: str, job_id: str, name: str, data: bytes) -> None:
        """Write an object whole: readers see all of it or nothing."""

    @abstractmethod
    def _read(self, area: str, job_id: str, name: str) -> bytes | None: ...

    @abstractmethod
    def _exists(self, area: str, job_id: str, name: str) -> bool: ...

    @abstractmethod
    def _promote(self, job_id: str, name: str, staged: str) -> bool:
        """Staged -> final (moved or copied); True when the final document is there afterwards."""

    @abstractmethod
    def _delete(self, area: str, job_id: str, name: str) -> None:
        """Remove an object; nothing to remove is fine."""

    @abstractmethod
    def _delete_all(self, area: str, job_id: str) -> None:
        """Remove everything a job has in one area; nothing there is fine."""

    @abstractmethod
    def _size(self, area: str, job_id: str, name: str) -> int | None: ...

    @abstractmethod
    def _is_transient(self, exc: BaseException) -> bool:
        """Whether another attempt may help (a 5xx, throttling, a timeout, an OSError)."""

    @abstractmethod
    def _is_storage_error(self, exc: BaseException) -> bool:
        """Whether `exc` is a failure of the store (as opposed to of the caller's stream)."""

    # --- retries -------------------------------------------------------------------
    def _save(self, op: str | None, job_id: str, name: str, action: Callable[[], T]) -> T:
        """A write, logged as the card's `Save file <name> for job <jobId>: Attempt n/N`."""
        return self._retry(op, f"Save file {name} for job {job_id}", job_id, name, "save", action)

    def _read_retry(self, job_id: str, name: str, action: Callable[[], T]) -> T:
        """A read: only its retries are logged (`Read file <name> for job <jobId>: Attempt 2/N`)."""
        what = f"Read file {name} for job {job_id}"
        return self._retry(None, what, job_id, name, "read", action, quiet_first=True)

    def _retry(
        self,
        op: str | None,
        what: str,
        job_id: str,
        name: str,
        verb: str,
        action: Callable[[], T],
        *,
        quiet_first: bool = False,
    ) -> T:
        """Run `action` with the card's attempts and backoff; StorageError when it gives up.

        `op` names the write the test-only fault injector may fail (`upload`,
        `result`, `error`); None for operations it never touches.
        """
        attempt = {"n": 0}

        def once() -> T:
            attempt["n"] += 1
            if attempt["n"] > 1:
                metrics.incr("blob_retries_total", op=op or verb)
            try:
                if op is not None:
                    self.faults.check(op, attempt["n"])
                return action()
            except NotRetryable:
                raise
            except Exception as exc:
                if self._is_storage_error(exc) and not self._is_transient(exc):
                    raise NotRetryable(exc) from exc
                raise

        try:
            return retry_call(
                once,
                what=what,
                attempts=self.attempts,
                policy=self.policy,
                retryable=self._is_transient,
                quiet_first=quiet_first,
            )
        except NotRetryable as wrapped:
            exc = wrapped.original
            raise StorageError(
                f"Could not {verb} {name}: {describe(exc)} (not retried)", job_id=job_id, original_error=exc
            ) from exc
        except Exception as exc:
            if not self._is_storage_error(exc):
                raise
            raise StorageError(
                f"Could not {verb} {name} after {attempt['n']} attempts: {describe(exc)}",
                job_id=job_id,
                original_error=exc,
            ) from exc


def staged_name(name: str, token: int | None = None) -> str:
    """The hidden name of a staged document: one per attempt, so attempts never share one."""
    return f".{name}.{token}.staged" if token is not None else f".{name}.staged"


def encode_doc(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _op_for(name: str) -> str:
    return "result" if name == RESULT_DOC else "error"


def check_job_id(job_id: str) -> None:
    if not is_valid_job_id(job_id):
        raise ValueError(f"not a job id (expected {JOB_ID_PATTERN}): {job_id[:80]!r}")
