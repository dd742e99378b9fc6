"""A live Sightline stack for tests: real workers and the real API over HTTP.

Each stack gets its own Redis database on the session's private Valkey server,
its own storage folders and a free port. Processes run with the repository on
PYTHONPATH and a scratch working directory, so a developer's `.env` is never read.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
import requests

from engine.supervisor.valkey import EmbeddedValkey, free_port

REPO = Path(__file__).resolve().parents[2]
TERMINAL = ("completed", "failed", "cancelled")
_dbs_in_use: set[int] = set()


def claim_db() -> int:
    """The lowest Redis database number no live stack uses (1..15; 0 is left alone)."""
    for number in range(1, 16):
        if number not in _dbs_in_use:
            _dbs_in_use.add(number)
            return number
    raise RuntimeError("more than 15 test stacks alive at once")


def release_db(number: int) -> None:
    _dbs_in_use.discard(number)


# Variables a developer may have exported that must not leak into a test stack.
_SCRUB = frozenset(
    {
        *("REDIS_URL", "OPENROUTER_API_KEY", "LLM_API_KEY", "LLM_BASE_URL", "LLM_MODEL", "PORT"),
        *("JOB_TIMEOUT_SECONDS", "SIMULATED_SLOW_PROCESSING_SECONDS", "BLOB_FAULT_FAILURES"),
        *("STORAGE_URL", "S3_ENDPOINT_URL", "S3_REGION", "SCRATCH_DIR"),
        *("BLOB_FAULT_OPS", "UPLOAD_DIR", "RESULTS_DIR", "API_URL", "WORKERS"),
    }
)


def poll(
    fetch: Callable[[], Any], done: Callable[[Any], bool], timeout_s: float, interval_s: float = 0.02
) -> Any:
    """Call `fetch` until `done(value)`; fail with the last value at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s; last value: {value!r}")
        time.sleep(interval_s)


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["OPENROUTER_API_KEY"] = ""
    env["LLM_BASE_URL"] = "http://127.0.0.1:9/v1"  # nothing listens: never the internet
    env.update(extra or {})
    return env


class ApiClient:
    """A test's calls to a running API at `api_url`: upload, read a job's status, wait for one."""

    api_url: str
    poll_s = 0.02  # how often wait_for reads the status

    def upload(self, path: Path | None = None, *, data: bytes | None = None, name: str = "data.csv") -> str:
        """Upload a file; returns the job id (asserts the API accepted it)."""
        payload = path.read_bytes() if path is not None else (data or b"")
        filename = path.name if path is not None else name
        response = requests.post(
            f"{self.api_url}/api/upload", files={"file": (filename, payload)}, timeout=30
        )
        assert response.status_code == 202, response.text
        return str(response.json()["jobId"])

    def status(self, job_id: str) -> dict[str, Any]:
        response = requests.get(f"{self.api_url}/api/job-status/{job_id}", timeout=10)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait_for(
        self, job_id: str, statuses: tuple[str, ...] = TERMINAL, timeout_s: float = 60
    ) -> dict[str, Any]:
        return dict(
            poll(lambda: self.status(job_id), lambda s: s["status"] in statuses, timeout_s, self.poll_s)
        )


class Stack(ApiClient):
    """Workers + API against one Redis database; stop() ends them all."""

    def __init__(self, valkey: EmbeddedValkey, root: Path, env: dict[str, str] | None, workers: int) -> None:
        self.root = root
        self.db = claim_db()
        self.redis_url = f"redis://127.0.0.1:{valkey.port}/{self.db}"
        self.redis = redis.Redis.from_url(self.redis_url)
        self.redis.flushdb()
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}"
        self.results_dir = root / "results"
        self.upload_dir = root / "tmp_uploads"
        self.env = base_env(
            {
                "REDIS_URL": self.redis_url,
                "PORT": str(self.port),
                "API_URL": self.api_url,
                "UPLOAD_DIR": str(self.upload_dir),
                "RESULTS_DIR": str(self.results_dir),
                "REAPER_INTERVAL_SECONDS": "1",
                **(env or {}),
            }
        )
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs_dir = root / "logs"
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:api.gunicorn_conf", "api.wsgi:app"]
        self.env.setdefault("API_PROCESSES", "1")
        self.api = self._spawn("api", gunicorn)
        for _ in range(workers):
            self.start_worker()
        try:
            self.wait_ready(workers)
        except BaseException:
            self.stop()  # a stack that failed to start must not leak its processes
            raise

    # --- processes ----------------------------------------------------------
    def _spawn(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with open(self.logs_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy
            return subprocess.Popen(
                argv, cwd=self.root, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT
            )

    def start_worker(
        self, env: dict[str, str] | None = None, module: str = "engine"
    ) -> subprocess.Popen[bytes]:
        """One more worker; `env` adds to the stack's, `module` runs it (`tests.support.skewed_worker`)."""
        argv = [sys.executable, "-m", module] + (["worker"] if module == "engine" else [])
        proc = self._spawn(f"worker-{len(self.workers) + 1}", argv, env)
        self.workers.append(proc)
        return proc

    def live_workers(self) -> int:
        return int(requests.get(f"{self.api_url}/api/health", timeout=5).json().get("workers", 0))

    def wait_ready(self, workers: int, timeout_s: float = 60) -> None:
        def health() -> Any:
            for proc in [self.api, *self.workers]:
                if proc.poll() is not None:
                    raise AssertionError(f"a stack process exited early:\n{self.logs()}")
            try:
                return requests.get(f"{self.api_url}/api/health", timeout=2).json()
            except requests.RequestException:
                return None

        poll(health, lambda h: bool(h) and h.get("workers", 0) >= workers, timeout_s, 0.1)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')}" for p in sorted(self.logs_dir.glob("*.log"))
        )

    def worker_logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs_dir.glob("worker-*.log")))

    def stop(self) -> None:
        procs = [p for p in [*self.workers, self.api] if p.poll() is None]
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.redis.close()
        release_db(self.db)

    # --- HTTP helpers ----------------------------------------------------------
    def cancel(self, job_id: str) -> requests.Response:
        return requests.post(f"{self.api_url}/api/cancel", params={"jobId": job_id}, timeout=10)

    def doc_path(self, job_id: str, name: str) -> Path:
        return self.results_dir / job_id / name
