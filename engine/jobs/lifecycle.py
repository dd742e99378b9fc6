"""How a job ends: one terminal state, with its result.json or error.json.

The record's compare-and-set is the commit point, and only the attempt that holds
the job's fencing token may commit (the user's cancel and a deadline aside). A
result is staged under the attempt's token before the job is marked `completed`
and published after; an error document is written after the job is marked
`failed` or `cancelled`. Whoever loses a race (a cancel against a completion, a
timeout against a crash, a late attempt against the current one) writes nothing.

Between the commit and the document the job is *unsealed*. Readers never show an
unsealed terminal job as ended: they seal it first (`JobReader`), and the reaper
seals what a crashed writer left. Sealing is idempotent, so the writer, readers
and reapers may all do it at once.
"""

from __future__ import annotations

import logging
from typing import Any

from engine import clock, metrics
from engine.constants import ERROR_DOC, RESULT_DOC
from engine.errors import ErrorCode, StorageError
from engine.jobs.status import OPEN, JobStatus
from engine.jobs.store import ANY_HOLDER, AnyHolder, JobRecord, JobStore, Stale, Token, holder
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

    def complete(self, job_id: str, doc: dict[str, Any], *, token: Token) -> bool:
        """Store the result and mark the job completed by the attempt `token`.

        False if the job had already ended or another attempt holds it. Raises
        StorageError when the result cannot be staged; the caller fails the job
        with `blob_upload_failed`.
        """
        self.blobs.stage_doc(job_id, RESULT_DOC, doc, token)
        won, record = self.store.transition(
            job_id,
            JobStatus.COMPLETED,
            token=token,
            progress=1.0,
            stage=None,
            resultUrl=self.blobs.doc_url(job_id, RESULT_DOC),
        )
        if not won:
            self.blobs.discard_staged(job_id, RESULT_DOC, token)
            return False
        try:
            if self.blobs.publish_doc(job_id, RESULT_DOC, token):
                self.store.seal(job_id)
                self.blobs.discard_staged(job_id, RESULT_DOC, token)  # S3: the copy source stays till now
        except StorageError as exc:  # staged and committed: a reader or the reaper seals it
            log.warning("Job %s: result.json not yet in place (%s); will retry", job_id, exc.message)
        _observe_duration(record)
        return True

    def fail(self, job_id: str, code: ErrorCode, message: str, *, token: Token | AnyHolder) -> bool:
        """Mark the job failed with one of the card's codes and write error.json.

        `token` is the attempt that fails it (None: a job nobody holds yet).
        """
        return self._fail(job_id, code, message, token=token)

    def time_out(self, job_id: str, message: str, *, token: Token | AnyHolder, grace_s: float = 0.0) -> bool:
        """Fail the job with `timeout` if `timeoutAt` (plus `grace_s`) has passed, as the record judges."""
        return self._fail(job_id, ErrorCode.TIMEOUT, message, token=token, past_deadline_s=grace_s)

    def give_up(self, job_id: str, message: str, *, token: Token, stale: Stale) -> bool:
        """Fail the job with `worker_shutdown`, if the attempt `token` still holds it and has gone silent."""
        return self._fail(job_id, ErrorCode.WORKER_SHUTDOWN, message, token=token, stale=stale)

    def _fail(
        self,
        job_id: str,
        code: ErrorCode,
        message: str,
        *,
        token: Token | AnyHolder,
        past_deadline_s: float | None = None,
        stale: Stale | None = None,
    ) -> bool:
        patch = {
            "status": JobStatus.FAILED.value,
            "finishedAt": clock.NOW,
            "error": code.value,
            "errorMessage": message,
            "resultUrl": self.blobs.doc_url(job_id, ERROR_DOC),
        }
        result = self.store.change(
            job_id, patch, when=OPEN, token=token, past_deadline_s=past_deadline_s, stale=stale
        )
        if result.won and result.record is not None:
            if isinstance(token, int):
                self.blobs.discard_staged(job_id, RESULT_DOC, token)
            self._write_error_doc(result.record)
            _observe_duration(result.record)
        return result.won

    def cancel(self, job_id: str) -> tuple[bool, JobRecord | None]:
        """Mark the job cancelled (the user's call: whoever holds it); returns (won, record)."""
        won, record = self.store.transition(
            job_id,
            JobStatus.CANCELLED,
            token=ANY_HOLDER,
            cancelledAt=clock.NOW,
            resultUrl=self.blobs.doc_url(job_id, ERROR_DOC),
        )
        if won and record is not None:
            self._write_error_doc(record)
            _observe_duration(record)
        return won, record

    def seal(self, job_id: str, record: JobRecord | None = None, *, tidy: bool = True) -> bool:
        """Put a terminal job's document in place if it is missing; True when it is in place.

        `record` saves a read when the caller has just read the job. Idempotent and
        safe to run while the writer is still at it. A storage failure is logged and
        the job stays unsealed (False): readers show it as still finishing, the reaper
        tries again. `tidy=False` (readers) leaves the staged copy for the writer or
        retention to remove, so an answer waits for one storage request, not two.
        """
        try:
            return self._seal(job_id, record, tidy=tidy)
        except StorageError as exc:
            log.warning("Job %s: its document is not in place yet (%s); will retry", job_id, exc.message)
            return False

    def _seal(self, job_id: str, record: JobRecord | None, *, tidy: bool) -> bool:
        record = record if record is not None else self.store.get(job_id)
        if record is None:
            self.store.seal(job_id)
            return True
        status = record.get("status")
        if status == JobStatus.COMPLETED.value:
            if not self.blobs.publish_doc(job_id, RESULT_DOC, holder(record)):
                log.error("Job %s is completed but its result.json is lost", job_id)
            self.store.seal(job_id)
            if tidy:
                self.blobs.discard_staged(job_id, RESULT_DOC, holder(record))  # S3: the copy's source
            return True
        if status in (JobStatus.FAILED.value, JobStatus.CANCELLED.value):
            if self.blobs.has_doc(job_id, ERROR_DOC):
                self.store.seal(job_id)
                return True
            return self._write_error_doc(record)
        return False

    def _write_error_doc(self, record: JobRecord) -> bool:
        job_id = record["jobId"]
        try:
            self.blobs.write_doc(job_id, ERROR_DOC, error_document(record))
        except StorageError as exc:
            log.error("Could not write error.json for job %s: %s", job_id, exc)
            return False
        self.store.seal(job_id)
        return True
