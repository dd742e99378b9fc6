"""Exceptions raised by the Sightline client.

Every failure a caller may want to handle on its own has its own class, and each
carries the context a message or a retry decision needs (job id, HTTP status,
the server's own words). All derive from `SightlineError`.
"""

from __future__ import annotations

from typing import Any


class SightlineError(Exception):
    """Base of every error the client raises."""


class ApiUnavailable(SightlineError):
    """The API could not be reached (connection refused, DNS, timeout, gateway error)."""

    def __init__(self, base_url: str, detail: str) -> None:
        super().__init__(f"Sightline API at {base_url} is not reachable: {detail}")
        self.base_url = base_url
        self.detail = detail


class ApiError(SightlineError):
    """The API answered with an error status the client has no narrower class for."""

    def __init__(self, status_code: int, error: str, message: str, body: Any = None) -> None:
        super().__init__(f"HTTP {status_code}: {message or error}")
        self.status_code = status_code
        self.error = error
        self.message = message
        self.body = body


class Unauthorized(ApiError):
    """The API wants a valid key (HTTP 401/403): set `SIGHTLINE_API_KEY` or pass `api_key`."""


class JobNotFound(ApiError):
    """The API knows no job (or no document of the job) under this id (HTTP 404)."""

    def __init__(self, job_id: str, message: str = "", body: Any = None) -> None:
        super().__init__(404, "not_found", message or f"Job {job_id} not found", body)
        self.job_id = job_id


class UploadRejected(ApiError):
    """The API refused an upload: missing file, too large, unsupported, or storage failed.

    `status_code` and `message` are the server's; `job_id` is set when the server
    had already created a job record (storage failure, HTTP 503).
    """

    def __init__(
        self, status_code: int, error: str, message: str, job_id: str | None = None, body: Any = None
    ) -> None:
        super().__init__(status_code, error, message, body)
        self.job_id = job_id


class CancelRejected(ApiError):
    """The job could not be cancelled because it already finished (HTTP 409)."""

    def __init__(self, job_id: str, status: str, message: str, body: Any = None) -> None:
        super().__init__(409, message, message, body)
        self.job_id = job_id
        self.status = status


class WaitTimeout(SightlineError):
    """The job was still running when the client's wait budget ran out.

    The job itself keeps running on the server; `last_status` is the last answer seen.
    """

    def __init__(self, job_id: str, waited_s: float, last_status: Any = None) -> None:
        super().__init__(f"Job {job_id} still not finished after {waited_s:.0f} s")
        self.job_id = job_id
        self.waited_s = waited_s
        self.last_status = last_status


class ResultSchemaError(SightlineError):
    """A result.json that does not follow the result schema its `schemaVersion` names.

    `problems` lists where and why (e.g. `insights.0.evidence.measure: Field required`);
    `version` is the document's schemaVersion as found.
    """

    def __init__(self, problems: list[str], version: Any = None) -> None:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        super().__init__(f"The result document does not follow the result schema: {shown}")
        self.problems = problems
        self.version = version
