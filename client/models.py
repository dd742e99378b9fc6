"""Typed views of the API's JSON answers, read defensively (unknown fields are kept in `raw`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    """The card's job status values."""

    SUBMITTED = "submitted"  # queued, no worker has it yet
    PROCESSING = "processing"  # a worker is running it
    COMPLETED = "completed"  # result.json written
    FAILED = "failed"  # error.json written; see `error` and `errorMessage`
    CANCELLED = "cancelled"  # stopped by a user; never leaves a result.json


TERMINAL_STATES = frozenset({JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED})


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class JobStatus:
    """One answer of `GET /api/job-status/<id>` (or one entry of `/api/jobs`)."""

    job_id: str
    status: str
    progress: float = 0.0
    stage: str | None = None
    result_url: str | None = None
    error: str | None = None
    error_message: str | None = None
    file_name: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    cancelled_at: str | None = None
    goal: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobStatus:
        """Read a status document; missing fields get neutral defaults."""
        try:
            progress = float(data.get("progress") or 0.0)
        except (TypeError, ValueError):
            progress = 0.0
        return cls(
            job_id=str(data.get("jobId", "")),
            status=str(data.get("status", "")),
            progress=min(max(progress, 0.0), 1.0),
            stage=_opt_str(data.get("stage")),
            result_url=_opt_str(data.get("resultUrl")),
            error=_opt_str(data.get("error")),
            error_message=_opt_str(data.get("errorMessage")),
            file_name=_opt_str(data.get("fileName")),
            created_at=_opt_str(data.get("createdAt")),
            updated_at=_opt_str(data.get("updatedAt")),
            cancelled_at=_opt_str(data.get("cancelledAt")),
            goal=_opt_str(data.get("goal")),
            raw=dict(data),
        )

    @property
    def is_terminal(self) -> bool:
        """True once the job can no longer change (completed, failed or cancelled)."""
        return self.status in {s.value for s in TERMINAL_STATES}


@dataclass(frozen=True)
class CancelOutcome:
    """The answer of `POST /api/cancel` when the job is (now or already) cancelled."""

    job_id: str
    status: str
    cancelled_at: str | None
    already_cancelled: bool
    message: str | None = None


@dataclass(frozen=True)
class Health:
    """The answer of `GET /api/health`."""

    status: str
    redis: bool
    workers: int
    queue_length: int
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Health:
        """Read a health document defensively."""
        return cls(
            status=str(data.get("status", "unknown")),
            redis=bool(data.get("redis", False)),
            workers=int(data.get("workers") or 0),
            queue_length=int(data.get("queueLength") or 0),
            raw=dict(data),
        )
