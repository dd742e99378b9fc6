"""The circuit breaker shared by two real worker processes through one private Valkey."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.llm_server import FakeLLMServer

ROOT = Path(__file__).resolve().parents[3]
OPENING = "Circuit breaker OPENING: 5 failures within 300s window (threshold: 5)"
OPEN = "Circuit breaker is OPEN. Using fallback."
CLOSING = "Circuit breaker cooldown complete. Closing circuit."


class Worker:
    """A stand-in worker process running attach_narrative `calls` times."""

    def __init__(self, env: dict[str, str], redis_url: str, calls: int, clock_offset: float = 0) -> None:
        cmd = [sys.executable, "-m", "tests.engine.narrative.attach_worker", "--redis-url", redis_url]
        cmd += ["--calls", str(calls), "--clock-offset", str(clock_offset)]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def finish(self, timeout_s: float = 20) -> tuple[list[dict[str, str | None]], str]:
        out, err = self.proc.communicate(timeout=timeout_s)
        assert self.proc.returncode == 0, err
        return [json.loads(line) for line in out.splitlines()], err


@pytest.fixture
def worker_env(fake_llm: FakeLLMServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENROUTER_", "RETRY_"))}
    env.update(
        OPENROUTER_API_KEY="sk-test-process-key",
        LLM_BASE_URL=fake_llm.url,
        LLM_MODEL="deepseek/deepseek-r1",
        LLM_RETRY_ATTEMPTS="2",
        LLM_TIMEOUT_SECONDS="10",
        RETRY_INITIAL_DELAY="0",
        LLM_CIRCUIT_THRESHOLD="5",
        LLM_CIRCUIT_WINDOW="300",
        LLM_CIRCUIT_COOLDOWN="600",
        PYTHONPATH=str(ROOT),
    )
    return env


def test_circuit_opens_across_two_processes_then_one_probe_closes_it(
    fake_llm: FakeLLMServer, worker_env: dict[str, str], private_valkey_url: str, redis_client: object
) -> None:
    fake_llm.set_mode("fail500")
    # 3 failures in worker A, then 2 in worker B: B's fifth failure opens the shared circuit.
    results_a, err_a = Worker(worker_env, private_valkey_url, calls=3).finish()
    results_b, err_b = Worker(worker_env, private_valkey_url, calls=2).finish()
    assert [r["reason"] for r in results_a + results_b] == ["llm_error:http_500"] * 5
    assert OPENING not in err_a and err_b.count(OPENING) == 1
    assert "LLM call (deepseek/deepseek-r1): Attempt 2/2" in err_a
    assert fake_llm.count == 10

    # While open, neither process reaches the provider.
    both = [Worker(worker_env, private_valkey_url, calls=2) for _ in range(2)]
    for results, err in (w.finish() for w in both):
        assert [r["reason"] for r in results] == ["circuit_open"] * 2
        assert err.count(OPEN) == 2
    assert fake_llm.count == 10

    # After the cooldown: A's probe is held by the server; B keeps falling back meanwhile.
    fake_llm.set_mode("hold", hangS=20)
    prober = Worker(worker_env, private_valkey_url, calls=1, clock_offset=601)
    assert fake_llm.wait_for_requests(11, timeout_s=15)
    waiting, _ = Worker(worker_env, private_valkey_url, calls=2, clock_offset=601).finish()
    assert [r["reason"] for r in waiting] == ["circuit_open"] * 2
    assert fake_llm.count == 11
    fake_llm.release()
    probed, err_probe = prober.finish()
    assert probed == [{"source": "llm", "reason": None}]
    assert CLOSING in err_probe
    assert "LLM call (deepseek/deepseek-r1): Attempt 1/1" in err_probe

    # Closed again: calls from either process reach the provider.
    fake_llm.set_mode("good")
    after, _ = Worker(worker_env, private_valkey_url, calls=1, clock_offset=601).finish()
    assert after == [{"source": "llm", "reason": None}]
    assert fake_llm.count == 12
