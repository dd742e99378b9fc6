"""Cancel and timeout reach into a slow LLM call: the job does not wait for the provider."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.llm_server import FakeLLMServer
from tests.support.stack import Stack, poll


@pytest.fixture
def held_llm() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    server.set_mode("hold")
    yield server
    server.release()
    server.stop()


def _env(server: FakeLLMServer, **extra: str) -> dict[str, str]:
    return {
        "OPENROUTER_API_KEY": "sk-test",
        "LLM_BASE_URL": f"{server.url}",
        "LLM_TIMEOUT_SECONDS": "120",
        **extra,
    }


def test_cancel_during_a_held_llm_call_ends_promptly(
    make_stack: object, held_llm: FakeLLMServer, sales_demo: Path
) -> None:
    live: Stack = make_stack(env=_env(held_llm), workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    assert held_llm.wait_for_requests(1, timeout_s=30), "the job reached the LLM call"
    assert live.status(job_id)["stage"] == "narrative"
    asked = time.monotonic()
    assert live.cancel(job_id).status_code == 200
    final = live.wait_for(job_id, ("cancelled",), timeout_s=5)
    assert final["status"] == "cancelled"
    # The worker is free at once: the next job also reaches the provider, long before 120 s.
    second = live.upload(sales_demo)
    assert held_llm.wait_for_requests(2, timeout_s=10)
    assert time.monotonic() - asked < 10
    assert not live.doc_path(job_id, "result.json").exists()
    live.cancel(second)


def test_timeout_during_a_held_llm_call(
    make_stack: object, held_llm: FakeLLMServer, sales_demo: Path
) -> None:
    live: Stack = make_stack(env=_env(held_llm, JOB_TIMEOUT_SECONDS="4"), workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    final = live.wait_for(job_id, timeout_s=15)
    assert final["status"] == "failed" and final["error"] == "timeout", final
    # the watch logs once the job is failed and its error.json written, so just after a reader sees it
    poll(live.worker_logs, lambda text: f"Job {job_id} timed out during processing." in text, 5)
