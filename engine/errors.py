"""The one error tree of Sightline.

Every class maps onto one of the reference card's error codes (`code`), which is
what a failed job's status and error.json carry. Exceptions carry context
(`job_id`, `original_error`) and are chained with ``raise ... from``.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The card's error codes, as shown in `error` of a failed job."""

    TIMEOUT = "timeout"  # the job passed JOB_TIMEOUT_SECONDS
    PROCESSING_ERROR = "processing_error"  # the input or the analysis failed
    BLOB_UPLOAD_FAILED = "blob_upload_failed"  # storage failed after every retry
    WORKER_SHUTDOWN = "worker_shutdown"  # the worker stopped while it held the job
    LLM_FAILURE_FALLBACK = "llm_failure_fallback"  # never a job error: an `issues` entry


class SightlineError(Exception):
    """Base of every error Sightline raises on purpose."""

    code: ErrorCode = ErrorCode.PROCESSING_ERROR

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        original_error: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.job_id = job_id
        self.original_error = original_error


class InputError(SightlineError):
    """The uploaded file cannot be read as a table (empty, binary, too wide...)."""


class GoalError(InputError):
    """A goal that cannot be accepted: not text, or longer than MAX_GOAL_CHARS."""


class AnalysisError(SightlineError):
    """The analysis itself failed on a readable table."""


class MemoryLimitExceeded(SightlineError):
    """The job's work-horse needed more memory than MAX_JOB_MEMORY_MB allows."""


class StorageError(SightlineError):
    """A blob operation failed after every retry."""

    code = ErrorCode.BLOB_UPLOAD_FAILED


class DownloadError(SightlineError):
    """A `fileUrl` upload could not be fetched (refused, too big, unreachable)."""


class JobTimedOut(SightlineError):
    """The job passed its deadline (`timeoutAt`)."""

    code = ErrorCode.TIMEOUT


class WorkerShutdown(SightlineError):
    """The worker holding the job was stopped or died."""

    code = ErrorCode.WORKER_SHUTDOWN


class JobCancelled(SightlineError):
    """The job was cancelled by its user; not a failure, so it has no error code."""


class LLMError(SightlineError):
    """A call to the LLM provider failed; the narrative falls back, the job goes on.

    `kind` names the failure for the `llm_error:<kind>` fallback reason
    (`http_500`, `timeout`, `connection`, `empty`, ...); `retryable` says whether
    another attempt may help; `retry_after_s` carries a provider's Retry-After.
    """

    code = ErrorCode.LLM_FAILURE_FALLBACK

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        retryable: bool,
        retry_after_s: float | None = None,
        original_error: BaseException | None = None,
    ) -> None:
        super().__init__(message, original_error=original_error)
        self.kind = kind
        self.retryable = retryable
        self.retry_after_s = retry_after_s
