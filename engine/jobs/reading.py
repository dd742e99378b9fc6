"""What readers see of jobs: a terminal status only once its document is readable.

The worker commits a job's end first and puts its document in place just after;
a reader that came in between would see `completed` or `failed` with nothing at
`resultUrl`. So a reader that finds an ended job still unsealed seals it itself
(publishes the staged result, writes error.json) before answering, which is
idempotent against the writer doing the same. If storage refuses, the job is shown
as still finishing (`processing`, stage `saving`) until the document is in place.

Ended and sealed records never change again, so they are served from a small
per-process cache; open jobs are always read from Redis.
"""

from __future__ import annotations

from engine.jobs.ended_cache import EndedJobCache
from engine.jobs.lifecycle import Lifecycle
from engine.jobs.status import TERMINAL, JobStatus, Stage
from engine.jobs.store import JobRecord, JobStore


def finishing_view(record: JobRecord) -> JobRecord:
    """An ended job whose document is not readable yet, shown as not yet ended."""
    shown = JobStatus.PROCESSING if record.get("startedAt") else JobStatus.SUBMITTED
    return {**record, "status": shown.value, "stage": Stage.SAVING.value, "resultUrl": None, "error": None,
            "errorMessage": None, "finishedAt": None, "cancelledAt": None}  # fmt: skip


class JobReader:
    """Job records for the status endpoint, the job list and the document endpoint."""

    def __init__(self, store: JobStore, lifecycle: Lifecycle) -> None:
        self.store = store
        self.lifecycle = lifecycle
        self._ended = EndedJobCache()

    def status(self, job_id: str) -> JobRecord | None:
        """The job as a reader may see it (None: no such job)."""
        cached = self._ended.get(job_id)
        if cached is not None:
            return cached
        record, sealed = self.store.get_with_seal(job_id)
        return None if record is None else self._shown(record, sealed)

    def recent(self, limit: int, owner: str | None = None) -> list[JobRecord]:
        """Newest first (only `owner`'s jobs when given), each as `status` would show it."""
        records = self.store.recent(limit, owner)
        ended = [r["jobId"] for r in records if JobStatus(r["status"]) in TERMINAL]
        unsealed = self.store.unsealed_among(ended)
        return [self._shown(r, r["jobId"] not in unsealed) for r in records]

    def _shown(self, record: JobRecord, sealed: bool) -> JobRecord:
        if JobStatus(record["status"]) not in TERMINAL:
            return record
        if not sealed and not self.lifecycle.seal(record["jobId"], record, tidy=False):
            return finishing_view(record)
        self._ended.put(record["jobId"], record)
        return record
