"""`python -m engine serve`: embedded Valkey with AOF, supervised workers, clean stop."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import requests

from engine.supervisor.valkey import free_port
from tests.support.stack import base_env, poll


def _health(url: str) -> dict[str, object] | None:
    try:
        body: dict[str, object] = requests.get(f"{url}/api/health", timeout=2).json()
        return body
    except requests.RequestException:
        return None


def test_serve_restarts_a_dead_worker_and_stops_everything_on_sigterm(tmp_path: Path) -> None:
    port, redis_port = free_port(), free_port()
    env = base_env({"PORT": str(port), "EMBEDDED_REDIS_PORT": str(redis_port), "WORKERS": "2",
                    "API_PROCESSES": "1", "DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "serve.log", "wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "engine", "serve"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        poll(lambda: _health(url), lambda h: bool(h) and h.get("workers") == 2, 60, 0.2)
        assert (tmp_path / "data" / "valkey" / "appendonlydir").is_dir(), "AOF persistence is on"
        tree = psutil.Process(serve.pid)
        workers = [p for p in tree.children() if "worker" in " ".join(p.cmdline())]
        assert len(workers) == 2
        victim = workers[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait(5)

        def worker_pids() -> set[int]:
            return {p.pid for p in tree.children() if "worker" in " ".join(p.cmdline())}

        pids = poll(worker_pids, lambda found: len(found) == 2 and victim.pid not in found, 30, 0.2)
        assert victim.pid not in pids
        everything = [serve.pid, *(p.pid for p in tree.children(recursive=True))]
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(30) == 0
        assert not [pid for pid in everything if psutil.pid_exists(pid) and _alive(pid)], "all stopped"
        log = (tmp_path / "serve.log").read_text()
        assert "restarting" in log and "Sightline stopped." in log
    finally:
        _kill_tree(serve)


def _kill_tree(serve: subprocess.Popen[bytes]) -> None:
    """SIGKILL what the test left running: the supervisor and every process under it.

    Each child of the supervisor runs in a session of its own, so no one process
    group holds them all: they are found by parentage.
    """
    try:
        tree = [psutil.Process(serve.pid), *psutil.Process(serve.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    serve.wait()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
