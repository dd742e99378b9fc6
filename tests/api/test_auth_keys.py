"""API keys are compared as bytes: any header value a client can send gets 401 or passes, never 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api import create_app
from engine.context import EngineContext

KEY = "key-ascii-0123456789"
UNICODE_KEY = "clé-ünïcode-κλειδί"


def _wire(text: str) -> str:
    """A header value as the WSGI server hands it over: the UTF-8 bytes read as latin-1."""
    return text.encode("utf-8").decode("latin-1")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": _wire("clé")},
        {"X-API-Key": _wire("ключ")},
        {"X-API-Key": "\xff\xfe"},
        {"Authorization": "Bearer " + _wire("ключ")},
        {"Authorization": "Bearer \xe9"},
    ],
)
def test_a_non_ascii_key_is_401(make_ctx: Callable[..., EngineContext], headers: dict[str, str]) -> None:
    client = create_app(settings=make_ctx(API_KEYS=f"{KEY},{UNICODE_KEY}").settings).test_client()
    response = client.get("/api/jobs", headers=headers)
    assert response.status_code == 401, response.data
    assert response.get_json()["error"] == "unauthorized"


def test_a_configured_non_ascii_key_is_accepted_as_sent(make_ctx: Callable[..., EngineContext]) -> None:
    client = create_app(settings=make_ctx(API_KEYS=f"{KEY},{UNICODE_KEY}").settings).test_client()
    assert client.get("/api/jobs", headers={"X-API-Key": _wire(UNICODE_KEY)}).status_code == 200
    assert client.get("/api/jobs", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
