"""A live Sightline stack for benchmarks: private Valkey, gunicorn API, worker processes.

Everything binds to 127.0.0.1 on free ports and runs from a scratch folder, so a
developer's `.env` is never read and nothing outside the stack is touched. The
LLM is off (empty key, a base URL nobody listens on), as in the tests.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import redis
import requests
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue, Worker

from engine.constants import QUEUE_NAME
from engine.supervisor.valkey import EmbeddedValkey, free_port

REPO = Path(__file__).resolve().parents[1]
SALES_DEMO = REPO / "dev-samples" / "sales_demo.csv"
TERMINAL = frozenset({"completed", "failed", "cancelled"})
API_APP = "api.wsgi:app"
SIGHTLINE_WORKER = ("-m", "engine", "worker")

# Variables a developer may have exported that must not reach a benchmark stack.
_SCRUB = frozenset(
    {
        *("REDIS_URL", "OPENROUTER_API_KEY", "LLM_API_KEY", "LLM_BASE_URL", "LLM_MODEL", "PORT"),
        *("JOB_TIMEOUT_SECONDS", "SIMULATED_SLOW_PROCESSING_SECONDS", "BLOB_FAULT_FAILURES"),
        *("STORAGE_URL", "S3_ENDPOINT_URL", "S3_REGION", "SCRATCH_DIR"),
        *("BLOB_FAULT_OPS", "UPLOAD_DIR", "RESULTS_DIR", "API_URL", "WORKERS", "API_PROCESSES"),
        *("API_THREADS", "LOG_LEVEL", "LOG_FORMAT"),
    }
)


def bench_env(extra: dict[str, str]) -> dict[str, str]:
    """The parent's environment minus Sightline's variables, plus `extra` and no LLM."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["OPENROUTER_API_KEY"] = ""
    env["LLM_BASE_URL"] = "http://127.0.0.1:9/v1"  # nothing listens: never the internet
    env.update(extra)
    return env


class Stack:
    """Processes of one benchmark run against one private Valkey; `stop()` ends them all."""

    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.valkey = EmbeddedValkey(root / "valkey", persist=False)
        self.redis_url = self.valkey.start()
        self.redis = redis.Redis.from_url(self.redis_url)
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}"
        self.env = bench_env(
            {
                "REDIS_URL": self.redis_url,
                "PORT": str(self.port),
                "API_URL": self.api_url,
                "UPLOAD_DIR": str(root / "tmp_uploads"),
                "RESULTS_DIR": str(root / "results"),
                **(env or {}),
            }
        )
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def spawn(self, name: str, args: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start `python <args>` in the scratch folder, output to logs/<name>.log."""
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - owned by the process
        argv = [sys.executable, *args]
        proc = subprocess.Popen(argv, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def start_api(self, app: str = API_APP) -> None:
        """gunicorn with the API's own config (`-c python:api.gunicorn_conf`) serving `app`."""
        self.spawn("api", ["-m", "gunicorn", "-c", "python:api.gunicorn_conf", app])

    def start_workers(self, count: int, args: Sequence[str] = SIGHTLINE_WORKER, tag: str = "worker") -> None:
        for n in range(count):
            self.spawn(f"{tag}-{n + 1}", args)

    def wait_ready(self, workers: dict[str, int], timeout_s: float = 60) -> None:
        """Wait until the API answers /api/health and `workers[queue]` workers listen on each queue."""
        deadline = time.monotonic() + timeout_s
        while not self._ready(workers):
            dead = [name for name, p in self.procs.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                why = f"exited early: {dead}" if dead else f"not ready within {timeout_s:g}s"
                raise RuntimeError(f"benchmark stack {why}\n{self.log_tail()}")
            time.sleep(0.1)

    def _ready(self, workers: dict[str, int]) -> bool:
        if "api" in self.procs:
            try:
                requests.get(f"{self.api_url}/api/health", timeout=2)
            except requests.RequestException:
                return False
        return all(
            Worker.count(connection=self.redis, queue=Queue(name, connection=self.redis)) >= count
            for name, count in workers.items()
        )

    def cpu_s(self) -> float:
        """CPU seconds used so far by the stack: its processes, their children, and Valkey."""
        roots = [p.pid for p in self.procs.values() if p.poll() is None]
        if self.valkey.process is not None:
            roots.append(self.valkey.process.pid)
        return sum(_tree_cpu_s(pid) for pid in roots)

    def log_tail(self, chars: int = 1500) -> str:
        parts = []
        for path in sorted((self.root / "logs").glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-chars:]}")
        return "\n".join(parts)

    def stop_processes(self, prefix: str) -> None:
        """SIGTERM the processes whose name starts with `prefix` and wait for them."""
        _terminate([p for name, p in self.procs.items() if name.startswith(prefix)])

    def stop(self) -> None:
        """SIGTERM every process, then stop the Valkey server."""
        _terminate(list(self.procs.values()))
        self.redis.close()
        _shutdown_quickly(self.valkey)


def _terminate(procs: list[subprocess.Popen[bytes]]) -> None:
    alive = [p for p in procs if p.poll() is None]
    for proc in alive:
        proc.send_signal(signal.SIGTERM)
    for proc in alive:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process, its reaped children (cutime/cstime) and its live descendants.

    Linux /proc only; 0.0 where it cannot be read (the process just ended).
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except (OSError, IndexError, ValueError):
        return 0.0
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK") + sum(_tree_cpu_s(child) for child in children)


def _shutdown_quickly(valkey: EmbeddedValkey) -> None:
    """SHUTDOWN with redis-py's retries off, then EmbeddedValkey.stop() (which finds it gone).

    EmbeddedValkey.stop() alone takes ~4 s: its client retries the SHUTDOWN
    whose connection the server closes, with redis-py's default backoff.
    """
    client = redis.Redis(port=valkey.port, socket_timeout=2, retry=Retry(NoBackoff(), 0))
    with contextlib.suppress(redis.RedisError):
        client.shutdown(nosave=True)
    if valkey.process is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            valkey.process.wait(5)
    valkey.stop()


@contextlib.contextmanager
def running_stack(
    *, workers: int = 2, app: str = API_APP, env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """An API on `app` plus `workers` Sightline workers, ready; stopped and removed on exit."""
    with tempfile.TemporaryDirectory(prefix="sightline-bench-") as tmp:
        stack = Stack(Path(tmp), env)
        try:
            stack.start_api(app)
            stack.start_workers(workers)
            stack.wait_ready({QUEUE_NAME: workers} if workers else {})
            yield stack
        finally:
            stack.stop()


class Moto:
    """moto's standalone S3 server (`python -m moto.server`) on a free port."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Any credentials do for moto; never ask an instance-metadata service.
        self.env = {
            "S3_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "sightline-bench",
            "AWS_SECRET_ACCESS_KEY": "sightline-bench-secret",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        log = open(root / "moto.log", "ab")  # noqa: SIM115 - owned by the process
        argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=bench_env(self.env))
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{self.url}/moto-api/", timeout=2)
                return
            except requests.RequestException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)

    def new_bucket(self) -> str:
        import boto3

        name = f"sightline-bench-{uuid.uuid4().hex[:12]}"
        session = boto3.session.Session(
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            region_name="us-east-1",
        )
        session.client("s3", endpoint_url=self.url).create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        _terminate([self.process])


@contextlib.contextmanager
def running_moto() -> Iterator[Moto]:
    with tempfile.TemporaryDirectory(prefix="sightline-bench-moto-") as tmp:
        moto = Moto(Path(tmp))
        try:
            yield moto
        finally:
            moto.stop()


class StreamedCsvForm:
    """A multipart/form-data body with one `file` part of `size` bytes of CSV, made on the fly.

    requests sends an object with `__iter__` and `__len__` streamed, with a
    Content-Length: the client never holds the whole body.
    """

    boundary = "sightline-bench-boundary-7f3a"
    content_type = f"multipart/form-data; boundary={boundary}"

    def __init__(self, size: int, name: str = "big.csv", chunk: int = 1024 * 1024) -> None:
        self.size = size
        self.head = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        row = b"2024-01-15,North,Widget,12,19.99\n"
        self.block = row * (chunk // len(row))

    def __len__(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        header = b"date,region,product,units,price\n"
        yield header
        remaining = self.size - len(header)
        while remaining > 0:
            piece = self.block[:remaining]
            remaining -= len(piece)
            yield piece
        yield self.tail


# --- HTTP helpers ---------------------------------------------------------------
def upload(session: requests.Session, api_url: str, data: bytes, name: str = "data.csv") -> str:
    """POST /api/upload; returns the job id."""
    response = session.post(f"{api_url}/api/upload", files={"file": (name, data)}, timeout=30)
    response.raise_for_status()
    return str(response.json()["jobId"])


def job_status(session: requests.Session, api_url: str, job_id: str) -> dict[str, Any]:
    response = session.get(f"{api_url}/api/job-status/{job_id}", timeout=30)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


# --- figures ----------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def machine_note() -> str:
    """Cores and load average: the figures mean little on a machine busy with other work."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.1f} (1 min) / {five:.1f} (5 min)"
