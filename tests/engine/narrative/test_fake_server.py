"""The fake LLM server runs standalone for shell scripts and is steered over HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[3]
CHAT: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def test_standalone_server_with_control_api() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.llm_server", "--port", "0", "--mode", "fail500"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert requests.post(f"{url}/chat/completions", json=CHAT, timeout=5).status_code == 500
        root = url.removesuffix("/v1")
        requests.post(
            f"{root}/_control", json={"mode": "good", "script": ["rate_limit"], "retryAfter": 4}, timeout=5
        )
        limited = requests.post(f"{url}/chat/completions", json=CHAT, timeout=5)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "4"
        good = requests.post(f"{url}/chat/completions", json=CHAT, timeout=5)
        assert good.status_code == 200 and good.json()["choices"][0]["message"]["content"]
        stats = requests.get(f"{root}/_control/stats", timeout=5).json()
        assert stats["requests"] == 3 and stats["served"] == ["fail500", "rate_limit", "good"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert proc.stdout is not None
        proc.stdout.close()
