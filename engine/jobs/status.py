"""Job states, processing stages and the table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """The card's status values."""

    SUBMITTED = "submitted"  # queued, not yet picked up by a worker
    PROCESSING = "processing"  # a worker's work-horse is running it
    COMPLETED = "completed"  # result.json is in storage
    FAILED = "failed"  # error.json is in storage; `error` holds the card's code
    CANCELLED = "cancelled"  # stopped by its user; never leaves a result.json


TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})

# Which states a job may move *from* to reach each state. Checked inside the
# Redis transaction (see store.py), so terminal states are absorbing.
ALLOWED_FROM: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PROCESSING: frozenset({JobStatus.SUBMITTED}),
    JobStatus.COMPLETED: frozenset({JobStatus.PROCESSING}),
    JobStatus.FAILED: frozenset({JobStatus.SUBMITTED, JobStatus.PROCESSING}),
    JobStatus.CANCELLED: frozenset({JobStatus.SUBMITTED, JobStatus.PROCESSING}),
}


class Stage(StrEnum):
    """Where a job is in its pipeline; shown with `progress`."""

    QUEUED = "queued"
    PARSING = "parsing"
    PROFILING = "profiling"
    INSIGHTS = "insights"
    NARRATIVE = "narrative"
    SAVING = "saving"

    @property
    def phase(self) -> str:
        """`parsing` or `processing`: the word the card's log lines use."""
        return "parsing" if self in (Stage.QUEUED, Stage.PARSING) else "processing"


OPEN = frozenset({JobStatus.SUBMITTED, JobStatus.PROCESSING})  # a job that has not ended
