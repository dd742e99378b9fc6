"""Shared fixtures: a private Valkey server for the session, and live stacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.context import EngineContext
from engine.supervisor.valkey import EmbeddedValkey
from tests.engine.jobs.conftest import make_settings
from tests.support.moto import S3_TEST_ENV, MotoServer
from tests.support.stack import Stack, claim_db, release_db

REPO = Path(__file__).resolve().parents[1]
SALES_DEMO = REPO / "dev-samples" / "sales_demo.csv"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedValkey]:
    """A Valkey server started for this test session only (never the machine's Redis)."""
    server = EmbeddedValkey(tmp_path_factory.mktemp("valkey"), persist=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """moto's standalone S3 server for this session, on a free port (tests make their own buckets)."""
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    server.start()
    with pytest.MonkeyPatch.context() as env:  # the AWS chain of this process finds moto's test keys
        for name, value in S3_TEST_ENV.items():
            env.setenv(name, value)
        yield server
    server.stop()


@pytest.fixture
def make_stack(
    redis_server: EmbeddedValkey, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Stack]]:
    """Factory: make_stack(env={...}, workers=2) -> a running Stack, stopped after the test."""
    stacks: list[Stack] = []

    def factory(env: dict[str, str] | None = None, workers: int = 2) -> Stack:
        stack = Stack(redis_server, tmp_path_factory.mktemp("stack"), env, workers)
        stacks.append(stack)
        return stack

    yield factory
    for stack in stacks:
        stack.stop()


@pytest.fixture(scope="module")
def stack(redis_server: EmbeddedValkey, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A default stack (2 workers, no LLM key) shared by one test module."""
    live = Stack(redis_server, tmp_path_factory.mktemp("stack"), None, 2)
    yield live
    live.stop()


@pytest.fixture
def sales_demo() -> Path:
    return SALES_DEMO


@pytest.fixture
def make_ctx(redis_server: EmbeddedValkey, tmp_path: Path) -> Iterator[Callable[..., EngineContext]]:
    """Factory: make_ctx(JOB_TIMEOUT_SECONDS=..., ...) -> an in-process engine context.

    Every context of one test shares a fresh Redis database and storage folder, as
    processes of one deployment do.
    """
    db = claim_db()
    url = f"redis://127.0.0.1:{redis_server.port}/{db}"
    made: list[EngineContext] = []

    def factory(**overrides: object) -> EngineContext:
        context = EngineContext.create(make_settings(url, tmp_path, **overrides))
        if not made:
            context.redis.flushdb()
        made.append(context)
        return context

    yield factory
    for context in made:
        context.redis.close()
    release_db(db)
