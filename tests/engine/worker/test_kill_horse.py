"""A stop command with no horse running must not kill the worker's own process group."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from engine.constants import QUEUE_NAME
from engine.context import EngineContext
from engine.supervisor.valkey import EmbeddedValkey
from engine.worker.worker import SightlineWorker
from tests.engine.jobs.conftest import make_settings


def test_kill_horse_without_a_horse_kills_nothing(
    redis_server: EmbeddedValkey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = EngineContext.create(make_settings(f"redis://127.0.0.1:{redis_server.port}/0", tmp_path))
    worker = SightlineWorker([QUEUE_NAME], connection=ctx.redis, ctx=ctx)
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "killpg", lambda pgid, sig: killed.append((pgid, sig)))
    assert worker.horse_pid == 0
    worker.kill_horse(signal.SIGKILL)  # RQ alone: os.killpg(os.getpgid(0)) = this process's group
    assert killed == []
    ctx.redis.close()
