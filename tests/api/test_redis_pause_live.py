"""Redis stops answering (SIGSTOP) for 10 s while requests arrive: 503 in time, then all is well."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from engine.supervisor.valkey import EmbeddedValkey
from tests.support.stack import Stack

TIMEOUTS = {"REDIS_SOCKET_TIMEOUT_SECONDS": "1", "REDIS_CONNECT_TIMEOUT_SECONDS": "1"}
ANSWER_WITHIN_S = 3.5  # one read timeout (1 s), one connect timeout (1 s), and room for a busy machine


@pytest.fixture
def own_valkey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedValkey]:
    """A server of this test's own: pausing it leaves every other test's server alone."""
    server = EmbeddedValkey(tmp_path_factory.mktemp("paused-valkey"), persist=False)
    server.start()
    yield server
    if server.process is not None:
        os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


@pytest.mark.slow
def test_a_paused_redis_gets_quick_503s_and_everything_recovers(
    own_valkey: EmbeddedValkey, tmp_path_factory: pytest.TempPathFactory, sales_demo: Path
) -> None:
    live = Stack(own_valkey, tmp_path_factory.mktemp("stack"), TIMEOUTS, 1)
    try:
        open_job = live.upload(data=b"a,b\n1,2\n", name="open.csv")
        live.wait_for(open_job)
        assert own_valkey.process is not None
        os.kill(own_valkey.process.pid, signal.SIGSTOP)
        paused_at = time.monotonic()
        answers: list[tuple[str, int, float]] = []
        try:
            api, table = live.api_url, {"file": ("s.csv", sales_demo.read_bytes())}
            calls = [
                ("health", lambda: requests.get(f"{api}/api/health", timeout=30)),
                ("jobs", lambda: requests.get(f"{api}/api/jobs", timeout=30)),
                ("upload", lambda: requests.post(f"{api}/api/upload", files=table, timeout=30)),
                (
                    "cancel",
                    lambda: requests.post(f"{api}/api/cancel", params={"jobId": open_job}, timeout=30),
                ),
            ]
            while time.monotonic() - paused_at < 10:
                for name, call in calls:
                    started = time.monotonic()
                    response = call()
                    answers.append((name, response.status_code, time.monotonic() - started))
        finally:
            os.kill(own_valkey.process.pid, signal.SIGCONT)
        assert {code for _, code, _ in answers} == {503}, answers
        slow = [a for a in answers if a[2] > ANSWER_WITHIN_S]
        assert not slow, slow
        assert len(answers) >= 4, answers  # at least one round of every call while paused

        def healthy() -> bool:
            try:
                return requests.get(f"{live.api_url}/api/health", timeout=5).json().get("workers") == 1
            except (requests.RequestException, ValueError):
                return False

        deadline = time.monotonic() + 30
        while not healthy():
            assert time.monotonic() < deadline, "the API did not recover"
            time.sleep(0.2)
        after = live.upload(sales_demo)
        assert live.wait_for(after, timeout_s=60)["status"] == "completed", "the worker survived the pause"
    finally:
        live.stop()
