"""One attempt at an OpenAI-compatible chat completion, with failures classified.

Works against OpenRouter, Ollama, vLLM and llama.cpp servers: the request is the
common chat-completions shape, and OpenRouter's own fields (the X-Title attribution
header, `reasoning.exclude`) are added only when the base URL is OpenRouter's. Each
failure becomes an `LLMError` whose `kind` names it and whose `retryable` says
whether another attempt may help; retries live in the caller. The API key is
sent in the Authorization header only and is scrubbed from every message.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlparse

import requests

from engine.config import Settings
from engine.errors import LLMError

RETRYABLE_STATUS = frozenset({408, 409, 425, 429})
MAX_BODY_BYTES = 4 * 1024 * 1024
APP_NAME = "Sightline"


@dataclass(frozen=True)
class ChatReply:
    """The answer text of a completion (reasoning fields already left out) and who wrote it."""

    content: str
    model: str


def is_openrouter(base_url: str) -> bool:
    """True when the base URL is OpenRouter's, the only place its extra fields are sent."""
    host = (urlparse(base_url).hostname or "").lower()
    return host == "openrouter.ai" or host.endswith(".openrouter.ai")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class ChatClient:
    """Sends one chat completion per `complete()` call to `settings.llm_base_url`."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self._settings = settings
        self._session = session or requests.Session()
        self._url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self._openrouter = is_openrouter(settings.llm_base_url)

    def close(self) -> None:
        """Close the HTTP session (its pooled connections)."""
        self._session.close()

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The JSON body; OpenRouter-only fields only for OpenRouter."""
        body: dict[str, Any] = {
            "model": self._settings.llm_model,
            "messages": messages,
            "temperature": 0.2,
            "response_format": {"type": "json_object"},
            "stream": False,
        }
        if self._openrouter:
            body["reasoning"] = {"exclude": True}
        return body

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._settings.llm_api_key:
            headers["Authorization"] = f"Bearer {self._settings.llm_api_key}"
        if self._openrouter:
            headers["X-Title"] = APP_NAME
        return headers

    def _error(self, message: str, *, kind: str, retryable: bool, **extra: Any) -> LLMError:
        key = self._settings.llm_api_key
        if key:
            message = message.replace(key, "***")
        return LLMError(message, kind=kind, retryable=retryable, **extra)

    def complete(self, messages: list[dict[str, str]]) -> ChatReply:
        """One attempt; raises `LLMError` on any failure (HTTP, transport, empty or error payload)."""
        timeout_s = self._settings.llm_timeout_s
        deadline = time.monotonic() + timeout_s
        try:
            response = self._session.post(
                self._url,
                json=self.request_body(messages),
                headers=self._headers(),
                timeout=(min(10.0, timeout_s), timeout_s),
                stream=True,
            )
        except requests.Timeout as exc:
            raise self._error(
                f"LLM request timed out after {timeout_s:g}s", kind="timeout", retryable=True
            ) from exc
        except requests.ConnectionError as exc:
            raise self._error(
                f"cannot reach the LLM provider: {type(exc).__name__}", kind="connection", retryable=True
            ) from exc
        except requests.RequestException as exc:
            raise self._error(
                f"bad LLM request: {type(exc).__name__}", kind="request", retryable=False
            ) from exc
        with response:
            raw = self._read_body(response, deadline)
        self._check_status(response, raw)
        return self._reply(raw)

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=16384):
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise self._error("LLM response exceeded the timeout", kind="timeout", retryable=True)
                if size > MAX_BODY_BYTES:
                    raise self._error("LLM response too large", kind="bad_response", retryable=False)
        except requests.RequestException as exc:
            timed_out = time.monotonic() > deadline or "timed out" in str(exc).lower()
            kind = "timeout" if timed_out else "connection"
            raise self._error(f"LLM response interrupted ({kind})", kind=kind, retryable=True) from exc
        return b"".join(chunks)

    def _check_status(self, response: requests.Response, raw: bytes) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = raw[:200].decode("utf-8", "replace").replace("\n", " ")
        retryable = status in RETRYABLE_STATUS or status >= 500
        retry_after = parse_retry_after(response.headers.get("Retry-After")) if retryable else None
        raise self._error(
            f"LLM provider answered HTTP {status}: {detail}",
            kind=f"http_{status}",
            retryable=retryable,
            retry_after_s=retry_after,
        )

    def _reply(self, raw: bytes) -> ChatReply:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise self._error(
                "LLM provider sent a body that is not JSON", kind="bad_response", retryable=True
            ) from exc
        if not isinstance(data, dict):
            raise self._error("LLM provider sent an unexpected body", kind="bad_response", retryable=True)
        choices = data.get("choices")
        error = data.get("error")
        first = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
        if error or first.get("finish_reason") == "error" or first.get("error"):
            detail = error or first.get("error")
            message = detail.get("message") if isinstance(detail, dict) else detail
            raise self._error(
                f"LLM provider reported an error: {str(message)[:200]}", kind="provider_error", retryable=True
            )
        message = first.get("message")
        content = _text_of(message.get("content") if isinstance(message, dict) else None)
        if not content.strip():
            raise self._error("LLM answer was empty", kind="empty", retryable=True)
        return ChatReply(content=content, model=str(data.get("model") or self._settings.llm_model))


def _text_of(content: Any) -> str:
    """Message content as text; multi-part content keeps its text parts only."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""
