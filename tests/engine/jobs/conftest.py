"""In-process engine parts against the session's private Valkey (one DB per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.config import Settings
from engine.context import EngineContext
from engine.supervisor.valkey import EmbeddedValkey
from tests.support.stack import claim_db, release_db


def make_settings(redis_url: str, root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "REDIS_URL": redis_url,
        "UPLOAD_DIR": root / "tmp_uploads",
        "RESULTS_DIR": root / "results",
        "RETRY_INITIAL_DELAY": 0.001,
        "RETRY_MAX_DELAY": 0.01,
        "OPENROUTER_API_KEY": "",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def ctx(redis_server: EmbeddedValkey, tmp_path: Path) -> Iterator[EngineContext]:
    db = claim_db()
    url = f"redis://127.0.0.1:{redis_server.port}/{db}"
    context = EngineContext.create(make_settings(url, tmp_path))
    context.redis.flushdb()
    yield context
    context.redis.close()
    release_db(db)
