"""Fixtures of the narrative tests: the fake LLM server, a private Valkey, settings, a result doc."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from engine.config import Settings
from engine.resilience.circuit import reset_memory_state
from engine.supervisor.valkey import EmbeddedValkey
from tests.engine.narrative.sample_doc import RESULT_DOC
from tests.fakes.llm_server import FakeLLMServer
from tests.support.stack import claim_db, release_db

API_KEY = "sk-test-SECRET-0123456789"


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(fake_llm_server: FakeLLMServer) -> Iterator[FakeLLMServer]:
    """The shared fake server, reset to "good" with no history for each test."""
    fake_llm_server.reset()
    yield fake_llm_server
    fake_llm_server.release()  # free any request a failed test left on hold


@pytest.fixture
def private_valkey_url(redis_server: EmbeddedValkey) -> Iterator[str]:
    """A database of the session's private Valkey server (never the system Redis)."""
    db = claim_db()
    yield f"redis://127.0.0.1:{redis_server.port}/{db}"
    release_db(db)


@pytest.fixture
def redis_client(private_valkey_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(private_valkey_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _fresh_memory_circuit() -> None:
    reset_memory_state()


@pytest.fixture
def make_settings(fake_llm: FakeLLMServer) -> Callable[..., Settings]:
    """Settings for the fake server, no .env, fast retries; override any field by name."""

    def build(**overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "llm_api_key": API_KEY,
            "llm_base_url": fake_llm.url,
            "llm_model": "deepseek/deepseek-r1",
            "llm_timeout_s": 2.0,
            "llm_retry_attempts": 2,
            "retry_initial_delay_s": 0.0,
            "llm_circuit_threshold": 5,
            "llm_circuit_window_s": 300,
            "llm_circuit_cooldown_s": 600,
        }
        fields.update(overrides)
        return Settings(_env_file=None, **fields)

    return build


@pytest.fixture
def sleeps() -> list[float]:
    """A recording stand-in for time.sleep, handed to the service."""
    return []


class Clock:
    """A frozen clock that tests move by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def doc() -> dict[str, Any]:
    """A small realistic result.json document, with a template narrative already written."""
    return copy.deepcopy(RESULT_DOC)
