"""The chat client: request shape per provider, failure classification, no key in messages."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import pytest
import requests

from engine.config import Settings
from engine.errors import LLMError
from engine.narrative.client import ChatClient, is_openrouter, parse_retry_after
from tests.engine.narrative.conftest import API_KEY
from tests.fakes.llm_server import FakeLLMServer

MESSAGES = [{"role": "user", "content": "hi"}]


class CapturingSession(requests.Session):
    """Records what would be sent, then answers with `response` (or fails to connect)."""

    def __init__(self, response: requests.Response | None = None) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.response = response

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:
        self.calls.append((str(url), {"json": json, **kwargs}))
        if self.response is None:
            raise requests.ConnectionError(f"cannot connect to {url!r}")
        return self.response


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp.raw = io.BytesIO(body)
    resp.headers.update(headers or {})
    return resp


def test_openrouter_gets_its_own_fields(make_settings: Callable[..., Settings]) -> None:
    session = CapturingSession()
    client = ChatClient(make_settings(llm_base_url="https://openrouter.ai/api/v1/"), session)
    with pytest.raises(LLMError) as err:
        client.complete(MESSAGES)
    assert err.value.kind == "connection" and err.value.retryable
    [(url, sent)] = session.calls
    assert url == "https://openrouter.ai/api/v1/chat/completions"
    assert sent["json"]["reasoning"] == {"exclude": True}
    assert sent["headers"]["X-Title"] == "Sightline"
    assert sent["headers"]["Authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize(
    "base", ["http://localhost:11434/v1", "http://vllm:8000/v1", "https://notopenrouter.ai/v1"]
)
def test_other_servers_get_the_plain_openai_shape(make_settings: Callable[..., Settings], base: str) -> None:
    assert not is_openrouter(base)
    body = ChatClient(make_settings(llm_base_url=base)).request_body(MESSAGES)
    assert set(body) == {"model", "messages", "temperature", "response_format", "stream"}


def test_the_key_is_scrubbed_from_error_messages(make_settings: Callable[..., Settings]) -> None:
    echo = response(400, f'{{"error": "bad key {API_KEY}"}}'.encode())
    with pytest.raises(LLMError) as err:
        ChatClient(make_settings(), CapturingSession(echo)).complete(MESSAGES)
    assert err.value.kind == "http_400" and not err.value.retryable
    assert API_KEY not in str(err.value) and "***" in str(err.value)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (403, False), (404, False), (408, True), (429, True), (502, True)],
)
def test_status_classification(make_settings: Callable[..., Settings], status: int, retryable: bool) -> None:
    with pytest.raises(LLMError) as err:
        ChatClient(make_settings(), CapturingSession(response(status, b"{}", {"Retry-After": "7"}))).complete(
            MESSAGES
        )
    assert err.value.kind == f"http_{status}" and err.value.retryable is retryable
    assert err.value.retry_after_s == (7.0 if retryable else None)


def test_multi_part_content_and_reasoning_fields(make_settings: Callable[..., Settings]) -> None:
    parts = [{"type": "text", "text": "{}"}, {"type": "image_url", "image_url": "u"}]
    body = json.dumps({"model": "m", "choices": [{"message": {"content": parts, "reasoning": "x"}}]}).encode()
    reply = ChatClient(make_settings(), CapturingSession(response(200, body))).complete(MESSAGES)
    assert reply.content == "{}" and reply.model == "m"


def test_retry_after_parsing() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    future = parse_retry_after(formatdate(time.time() + 60, usegmt=True))
    assert future is not None and 55 < future <= 60


def test_timeout_against_a_hanging_server(
    fake_llm: FakeLLMServer, make_settings: Callable[..., Settings]
) -> None:
    fake_llm.set_mode("hang", hangS=10)
    started = time.monotonic()
    with pytest.raises(LLMError) as err:
        ChatClient(make_settings(llm_timeout_s=0.3)).complete(MESSAGES)
    assert err.value.kind == "timeout" and err.value.retryable
    assert time.monotonic() - started < 2
