"""`SightlineClient`: the HTTP API of the reference card as typed Python calls."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import requests

from client.config import DEFAULT_MAX_WAIT_S, DEFAULT_TIMEOUT_S, ClientConfig, load_config
from client.errors import (
    ApiError,
    ApiUnavailable,
    CancelRejected,
    JobNotFound,
    Unauthorized,
    UploadRejected,
)
from client.models import CancelOutcome, Health, JobStatus
from client.polling import CARD_DELAYS_S, ProgressCallback, poll_until_terminal

UploadSource = str | Path | bytes | IO[bytes]
_GATEWAY_STATUSES = frozenset({502, 504})
DOCUMENT_RETRY_DELAYS_S = (0.05, 0.1, 0.2, 0.4, 0.8)


class SightlineClient:
    """A small, thread-safe client of the Sightline HTTP API.

    One instance may be shared by many threads (Streamlit sessions, Gradio handlers):
    each thread gets its own `requests.Session`.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        poll_delays_s: Sequence[float] = CARD_DELAYS_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_wait_s = max_wait_s
        self.poll_delays_s = tuple(poll_delays_s)
        self._sleep = sleep
        self._local = threading.local()

    @classmethod
    def from_config(cls, config: ClientConfig | None = None) -> SightlineClient:
        """A client for `config`, or for the environment (`API_URL`, ...) when none is given."""
        cfg = config or load_config()
        return cls(cfg.api_url, cfg.api_key, cfg.timeout_s, max_wait_s=cfg.max_wait_s)

    # --- jobs -----------------------------------------------------------------------

    def upload(
        self, source: UploadSource, filename: str | None = None, *, goal: str | None = None
    ) -> JobStatus:
        """Upload a file (path, bytes or binary stream) and return the new job's status.

        `goal` is what you want to know of the table (free text, at most 500 characters):
        findings about what it names come first and the narrative answers it.
        Raises `UploadRejected` with the server's status code and message when refused
        (a goal that is too long is refused with `invalid_goal`).
        """
        name, payload = _file_part(source, filename)
        form = {"goal": goal} if goal else None  # sent before the file, so a streaming reader sees it first
        response = self._request("POST", "/api/upload", data=form, files={"file": (name, payload)})
        return self._submitted(response)

    def upload_url(self, url: str, filename: str | None = None, *, goal: str | None = None) -> JobStatus:
        """Ask the API to fetch `url` itself and analyse it as `filename` (with an optional `goal`)."""
        body: dict[str, str] = {"fileUrl": url}
        if filename:
            body["filename"] = filename
        if goal:
            body["goal"] = goal
        return self._submitted(self._request("POST", "/api/upload", json=body))

    def status(self, job_id: str) -> JobStatus:
        """The job's current status; `JobNotFound` for an unknown id."""
        response = self._request("GET", f"/api/job-status/{_q(job_id)}")
        return JobStatus.from_dict(self._json_or_raise(response, job_id))

    def wait(
        self,
        job_id: str,
        max_wait_s: float | None = None,
        on_progress: ProgressCallback | None = None,
        *,
        delays_s: Sequence[float] | None = None,
    ) -> JobStatus:
        """Poll with the card's backoff until the job is terminal; `WaitTimeout` after the budget."""
        return poll_until_terminal(
            lambda: self.status(job_id),
            self.max_wait_s if max_wait_s is None else max_wait_s,
            delays_s=self.poll_delays_s if delays_s is None else delays_s,
            on_progress=on_progress,
            sleep=self._sleep,
        )

    def cancel(self, job_id: str) -> CancelOutcome:
        """Cancel the job; `CancelRejected` when it already completed or failed."""
        response = self._request("POST", "/api/cancel", json={"jobId": job_id})
        if response.status_code == 409:
            body = _body(response)
            raise CancelRejected(job_id, str(body.get("status", "")), _message(body, response), body)
        data = self._json_or_raise(response, job_id)
        message = data.get("message")
        return CancelOutcome(
            job_id=str(data.get("jobId", job_id)),
            status=str(data.get("status", "")),
            cancelled_at=data.get("cancelledAt"),
            already_cancelled=bool(message and "already" in str(message).lower()),
            message=message,
        )

    def result(self, job_id: str) -> dict[str, Any]:
        """The job's document: result.json when completed, error.json when failed or cancelled.

        A document can trail its job's terminal status by a moment, so a missing document
        (or a server error) is retried briefly before `JobNotFound` / `ApiError` is raised.
        """
        for delay_s in (*DOCUMENT_RETRY_DELAYS_S, None):
            response = self._request("GET", f"/api/jobs/{_q(job_id)}/result")
            transient = response.status_code >= 500 or (
                response.status_code == 404 and _body(response).get("error") == "document_missing"
            )
            if not transient or delay_s is None:
                break
            self._sleep(delay_s)
        return self._json_or_raise(response, job_id)

    def error_document(self, job_id: str) -> dict[str, Any]:
        """The error.json of a failed job (same endpoint as `result`, named for readers)."""
        return self.result(job_id)

    def jobs(self, limit: int = 20) -> list[JobStatus]:
        """The most recent jobs, newest first."""
        response = self._request("GET", "/api/jobs", params={"limit": limit})
        data = self._json_or_raise(response, "")
        return [JobStatus.from_dict(item) for item in data.get("jobs", []) if isinstance(item, dict)]

    def health(self) -> Health:
        """Whether the API, Redis and the workers are up."""
        response = self._request("GET", "/api/health")
        if response.status_code == 503 and isinstance(_body(response).get("status"), str):
            return Health.from_dict(_body(response))
        return Health.from_dict(self._json_or_raise(response, ""))

    # --- plumbing -------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            if self.api_key:
                session.headers["X-API-Key"] = self.api_key
                session.headers["Authorization"] = f"Bearer {self.api_key}"
            self._local.session = session
        return session

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self._session().request(method, self.base_url + path, timeout=self.timeout_s, **kwargs)
        except requests.RequestException as exc:
            raise ApiUnavailable(self.base_url, type(exc).__name__) from exc
        if response.status_code in _GATEWAY_STATUSES:
            raise ApiUnavailable(self.base_url, f"HTTP {response.status_code} from a gateway")
        return response

    def _submitted(self, response: requests.Response) -> JobStatus:
        if response.status_code >= 400:
            body = _body(response)
            raise UploadRejected(
                response.status_code,
                str(body.get("error", "")),
                _message(body, response),
                job_id=body.get("jobId"),
                body=body,
            )
        return JobStatus.from_dict(self._json_or_raise(response, ""))

    def _json_or_raise(self, response: requests.Response, job_id: str) -> dict[str, Any]:
        body = _body(response)
        if response.status_code == 404:
            raise JobNotFound(job_id, _message(body, response), body)
        if response.status_code in (401, 403):
            raise Unauthorized(
                response.status_code, str(body.get("error", "")), _message(body, response), body
            )
        if response.status_code >= 400:
            raise ApiError(response.status_code, str(body.get("error", "")), _message(body, response), body)
        if not body and response.status_code != 204:
            raise ApiError(response.status_code, "bad_response", "The API answered with no JSON object")
        return body


def _q(job_id: str) -> str:
    """A job id made safe as one URL path segment."""
    return quote(job_id, safe="")


def _file_part(source: UploadSource, filename: str | None) -> tuple[str, bytes | IO[bytes]]:
    """Name and payload of the multipart `file` field."""
    if isinstance(source, bytes):
        return filename or "upload.csv", source
    if isinstance(source, str | Path):
        path = Path(source)
        return filename or path.name, path.read_bytes()
    return filename or Path(str(getattr(source, "name", "upload.csv"))).name, source


def _body(response: requests.Response) -> dict[str, Any]:
    """The JSON object in the response, or {} when there is none."""
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _message(body: dict[str, Any], response: requests.Response) -> str:
    """The server's human message, else its error code, else the raw text."""
    for key in ("message", "errorMessage", "error"):
        if body.get(key):
            return str(body[key])
    return response.text.strip()[:300] or f"HTTP {response.status_code}"
