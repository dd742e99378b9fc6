"""How a job ends: one terminal state, with its result.json or error.json.

The record's compare-and-set is the commit point. A result is staged before the
job is marked `completed` and published after; an error document is written
after the job is marked `failed` or `cancelled`. Whoever loses a race (a cancel
against a completion, a timeout against a crash) writes nothing. A crash between
the commit and the document leaves the job in the unsealed set, where the
reaper finishes the job's paperwork (`seal`).
"""

from __future__ import annotations

import logging
from typing import Any

from engine import clock, metrics
from engine.constants import ERROR_DOC, RESULT_DOC
from engine.errors import ErrorCode, StorageError
from engine.jobs.status import JobStatus
from engine.jobs.store import JobRecord, JobStore
from engine.storage import BlobStore

log = logging.getLogger("sightline.jobs")


def error_document(record: JobRecord) -> dict[str, Any]:
    """The card's error.json for a failed (or cancelled) job record."""
    status = record.get("status")
    message = record.get("errorMessage") or (
        "Job was cancelled by the user" if status == JobStatus.CANCELLED.value else "Job failed"
    )
    return {
        "jobId": record["jobId"],
        "status": status,
        "error": record.get("error") or ("cancelled" if status == JobStatus.CANCELLED.value else None),
        "message": message,
        "timestamp": record.get("finishedAt") or clock.iso(),
    }


def _observe_duration(record: JobRecord | None) -> None:
    """Upload-to-end time of a job that just ended, by final status."""
    if record and record.get("finishedAt"):
        elapsed = clock.parse_iso(record["finishedAt"]) - clock.parse_iso(record["createdAt"])
        metrics.observe("job_duration_seconds", max(0.0, elapsed), status=str(record["status"]))


class Lifecycle:
    """Terminal transitions together with their documents."""

    def __init__(self, store: JobStore, blobs: BlobStore) -> None:
        self.store = store
        self.blobs = blobs

    def complete(self, job_id: str, doc: dict[str, Any]) -> bool:
        """Store the result and mark the job completed; False if it had already ended.

        Raises StorageError when the result cannot be staged; the caller fails
        the job with `blob_upload_failed`.
        """
        self.blobs.stage_doc(job_id, RESULT_DOC, doc)
        won, record = self.store.transition(
            job_id,
            JobStatus.COMPLETED,
            progress=1.0,
            stage=None,
            resultUrl=self.blobs.doc_url(job_id, RESULT_DOC),
        )
        if not won:
            self.blobs.discard_staged(job_id, RESULT_DOC)
            return False
        try:
            self.blobs.publish_doc(job_id, RESULT_DOC)
            self.store.seal(job_id)
        except StorageError as exc:  # staged and committed: `seal` (worker, reaper, reader) finishes it
            log.warning("Job %s: result.json not yet in place (%s); will retry", job_id, exc.message)
        else:
            self.blobs.discard_staged(job_id, RESULT_DOC)  # after the seal: readers need not wait for it
        _observe_duration(record)
        return True

    def fail(self, job_id: str, code: ErrorCode, message: str) -> bool:
        """Mark the job failed with one of the card's codes and write error.json."""
        won, record = self.store.transition(
            job_id,
            JobStatus.FAILED,
            error=code.value,
            errorMessage=message,
            resultUrl=self.blobs.doc_url(job_id, ERROR_DOC),
        )
        if won and record is not None:
            self.blobs.discard_staged(job_id, RESULT_DOC)
            self._write_error_doc(record)
            _observe_duration(record)
        return won

    def cancel(self, job_id: str) -> tuple[bool, JobRecord | None]:
        """Mark the job cancelled; returns (won, record as it now is or was found)."""
        won, record = self.store.transition(
            job_id,
            JobStatus.CANCELLED,
            cancelledAt=clock.iso(),
            resultUrl=self.blobs.doc_url(job_id, ERROR_DOC),
        )
        if won and record is not None:
            self._write_error_doc(record)
            _observe_duration(record)
        return won, record

    def seal(self, job_id: str, record: JobRecord | None = None) -> None:
        """Put a terminal job's document in place if a crash left it missing (worker, reaper).

        `record` saves a read when the caller has just read the job; a job already
        sealed costs one Redis read. A storage failure is logged and the job stays
        unsealed: the reaper tries again.
        """
        if self.store.is_unsealed(job_id):
            self._settle(job_id, record, tidy=True)

    def make_readable(self, job_id: str, record: JobRecord) -> None:
        """Before a reader is shown this unsealed terminal job: its document in place.

        Its writer may be putting the document there at this moment, or have died
        doing so; both may publish, which is idempotent. Tidying (the staged copy)
        is left to the writer or the reaper, so the reader waits for no more than it must.
        """
        self._settle(job_id, record, tidy=False)

    def _settle(self, job_id: str, record: JobRecord | None, *, tidy: bool) -> None:
        try:
            self._seal(job_id, record, tidy=tidy)
        except StorageError as exc:
            log.warning("Job %s: its document is not in place yet (%s); will retry", job_id, exc.message)

    def _seal(self, job_id: str, record: JobRecord | None, *, tidy: bool) -> None:
        record = record if record is not None else self.store.get(job_id)
        if record is None:
            self.store.seal(job_id)
            return
        status = record.get("status")
        if status == JobStatus.COMPLETED.value:
            # Copies the staged result into place, or finds it there already.
            if not self.blobs.publish_doc(job_id, RESULT_DOC):
                log.error("Job %s is completed but its result.json is lost", job_id)
            self.store.seal(job_id)
        elif status in (JobStatus.FAILED.value, JobStatus.CANCELLED.value):
            if self.blobs.has_doc(job_id, ERROR_DOC):
                self.store.seal(job_id)
            else:
                self._write_error_doc(record)
        if tidy:
            self.blobs.discard_staged(job_id, RESULT_DOC)

    def _write_error_doc(self, record: JobRecord) -> None:
        job_id = record["jobId"]
        try:
            self.blobs.write_doc(job_id, ERROR_DOC, error_document(record))
        except StorageError as exc:
            log.error("Could not write error.json for job %s: %s", job_id, exc)
            return
        self.store.seal(job_id)
