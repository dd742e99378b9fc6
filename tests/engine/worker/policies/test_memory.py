"""Memory policy: a horse over MAX_JOB_MEMORY_MB fails its job (processing_error) with the limit and size."""

from __future__ import annotations

import io
import os

import pytest

from engine import memory as engine_memory
from engine.context import EngineContext
from engine.worker.policies import Verdict, memory
from tests.engine.worker.policies.conftest import running, tick


def test_under_the_cap_nothing_happens(ctx: EngineContext, monkeypatch: pytest.MonkeyPatch) -> None:
    attempt = running(ctx)
    monkeypatch.setattr(engine_memory, "private_bytes", lambda pid: 99 * 1024 * 1024)
    assert memory.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.GO_ON


def test_over_the_cap_the_job_fails_naming_the_limit_and_the_file_size(
    ctx: EngineContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt = running(ctx)
    ctx.blobs.save_upload(attempt.job_id, "t.csv", io.BytesIO(b"x" * (3 * 1024 * 1024 + 400_000)))
    monkeypatch.setattr(engine_memory, "private_bytes", lambda pid: 101 * 1024 * 1024)
    assert memory.Watch(ctx).watch(tick(ctx, attempt)) is Verdict.STOP
    record = ctx.store.get(attempt.job_id)
    assert record is not None and (record["status"], record["error"]) == ("failed", "processing_error")
    assert "MAX_JOB_MEMORY_MB=100" in record["errorMessage"] and "3.4 MB" in record["errorMessage"]


def test_the_horse_memory_is_read_from_proc() -> None:
    used = engine_memory.private_bytes(os.getpid())
    assert used is not None and used > 1024 * 1024
