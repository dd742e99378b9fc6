"""Sightline on several hosts: network namespaces (tests/support/netns.py) running the real processes.

    store   Valkey (REDIS_URL) and moto's S3 server (STORAGE_URL=s3://bucket/sightline)
    api     the API under gunicorn
    w1, w2  one `python -m engine worker` each

Every host has its own folder (its "disk": working directory, UPLOAD_DIR, RESULTS_DIR,
SCRATCH_DIR, logs) and reaches the others only over the network, so a job can only
go through Redis and the bucket. The caller's namespace reaches every host as a client.
Heartbeat timeout and reaper interval are short, so a lost host is noticed in seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import redis
import requests

from engine import clock
from engine.supervisor.valkey import EmbeddedValkey
from tests.support.moto import MotoServer
from tests.support.netns import Host, Network
from tests.support.stack import ApiClient, base_env, poll

PREFIX = "sightline"
REDIS_PORT, S3_PORT, API_PORT = 6379, 5000, 5328
WORKER_HOSTS = ("w1", "w2")


class NetnsValkey(EmbeddedValkey):
    """The embedded Valkey server, started inside a host's namespace and bound to its address."""

    def __init__(self, host: Host, data_dir: Path) -> None:
        super().__init__(data_dir, port=REDIS_PORT, persist=False, host=host.ip)
        self.netns_host = host

    def command(self) -> list[str]:
        """Protected mode off: it refuses every non-loopback client, and this network has no way out."""
        argv = super().command()
        argv[argv.index("--protected-mode") + 1] = "no"
        return self.netns_host.argv(argv)


class WorkerHost:
    """A worker host: its namespace, its folder, and the worker process running there (if any)."""

    def __init__(self, host: Host, root: Path) -> None:
        self.host = host
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None
        self.worker_name: str | None = None  # the RQ worker name of the current process
        self.log = root / "worker.log"
        self.log_offset = 0  # where the current process's lines begin

    @property
    def name(self) -> str:
        return self.host.name

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Cluster(ApiClient):
    """Build the hosts, start the processes, and look at jobs from the client's side."""

    poll_s = 0.05

    def __init__(
        self, root: Path, *, heartbeat_timeout_s: float = 4, reaper_interval_s: float = 1, slow_s: float = 6
    ) -> None:
        self.root = root
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.reaper_interval_s = reaper_interval_s
        self.slow_s = slow_s
        self.network = Network()
        self.workers: dict[str, WorkerHost] = {}
        self.processes: list[subprocess.Popen[bytes]] = []
        self.valkey: NetnsValkey | None = None
        self.moto: MotoServer | None = None
        self.redis: redis.Redis | None = None
        self.abandoned: list[tuple[str, str]] = []  # (host, job id): scratch left by a SIGKILLed worker

    # --- building it ---------------------------------------------------------
    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self.network.open()
        store, api = self.network.add_host("store"), self.network.add_host("api")
        for name in WORKER_HOSTS:
            self.workers[name] = WorkerHost(self.network.add_host(name), self.root / name)
        (self.root / "store").mkdir(parents=True, exist_ok=True)
        self.valkey = NetnsValkey(store, self.root / "store" / "valkey")
        self.valkey.start()
        self.redis = redis.Redis(host=store.ip, port=REDIS_PORT, socket_timeout=5)
        self.moto = MotoServer(self.root / "store", host=store.ip, port=S3_PORT, launcher=store.argv([]))
        self.moto.start()
        self.bucket = self.moto.new_bucket()
        self.api_url = f"http://{api.ip}:{API_PORT}"
        self.env = base_env(
            {
                **self.moto.s3_env(self.bucket, PREFIX),
                "REDIS_URL": f"redis://{store.ip}:{REDIS_PORT}/0",
                "API_URL": self.api_url,
                "WORKER_HEARTBEAT_TIMEOUT_SECONDS": f"{self.heartbeat_timeout_s:g}",
                "REAPER_INTERVAL_SECONDS": f"{self.reaper_interval_s:g}",
                "SIMULATED_SLOW_PROCESSING_SECONDS": f"{self.slow_s:g}",
            }
        )
        api_env = {**self.host_env(self.root / "api"), "HOST": api.ip, "PORT": str(API_PORT)}
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:api.gunicorn_conf", "api.wsgi:app"]
        self.api = api.spawn(gunicorn, env=api_env, cwd=self.root / "api", log=self.root / "api" / "api.log")
        self.processes.append(self.api)
        for worker in self.workers.values():
            self.start_worker(worker)
        self.wait_ready()

    def host_env(self, root: Path) -> dict[str, str]:
        """The shared variables plus this host's own folders."""
        own = {"UPLOAD_DIR": "tmp_uploads", "RESULTS_DIR": "results", "SCRATCH_DIR": "scratch"}
        return {**self.env, "API_PROCESSES": "1", **{k: str(root / v) for k, v in own.items()}}

    def start_worker(self, worker: WorkerHost) -> None:
        """(Re)start the worker process on its host; `wait_ready` learns its name."""
        worker.worker_name = None
        worker.log.parent.mkdir(parents=True, exist_ok=True)
        worker.log_offset = len(worker.log_text())
        command = [sys.executable, "-m", "engine", "worker"]
        env = self.host_env(worker.root)
        worker.process = worker.host.spawn(command, env=env, cwd=worker.root, log=worker.log)
        self.processes.append(worker.process)

    def wait_ready(self, timeout_s: float = 90) -> None:
        """Until the API answers and every worker host runs a worker that is listening."""

        def names() -> dict[str, str | None]:
            for worker in self.workers.values():
                if worker.process is None or worker.process.poll() is not None:
                    raise AssertionError(f"worker on {worker.name} exited:\n{worker.log_text()[-3000:]}")
                lines = worker.log_text()[worker.log_offset :]
                found = re.search(r"Worker (\S+) listening on", lines)
                worker.worker_name = found.group(1) if found else None
            return {w.name: w.worker_name for w in self.workers.values()}

        poll(names, lambda found: all(found.values()), timeout_s, 0.1)
        poll(self.health, lambda body: body is not None, timeout_s, 0.1)

    def ensure_workers(self) -> None:
        """Restart the worker of any host that lost it (a host coming back)."""
        dead = [w for w in self.workers.values() if w.process is None or w.process.poll() is not None]
        for worker in dead:
            self.start_worker(worker)
        if dead:
            self.wait_ready()

    def close(self) -> None:
        """Stop everything (SIGKILL through the namespaces), reap the processes, delete the network."""
        if self.redis is not None:
            self.redis.close()
        self.network.close()
        for proc in [*self.processes, *(p for p in (self.valkey, self.moto) if p is not None)]:
            child = getattr(proc, "process", proc)
            if isinstance(child, subprocess.Popen):
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:  # not in a namespace yet when they were emptied
                    child.kill()
                    child.wait()

    # --- looking at jobs -----------------------------------------------------
    def health(self) -> dict[str, Any] | None:
        try:
            body: dict[str, Any] = requests.get(f"{self.api_url}/api/health", timeout=2).json()
        except requests.RequestException:
            return None
        return body

    def document(self, job_id: str) -> dict[str, Any]:
        """The job's result.json or error.json, as the API serves it."""
        answer = requests.get(f"{self.api_url}/api/jobs/{job_id}/result", timeout=10)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def record(self, job_id: str) -> dict[str, Any]:
        """The raw job record in Redis (with `workerName`, `token`, `attempt`)."""
        assert self.redis is not None
        raw = self.redis.get(f"job:{job_id}")
        assert raw is not None, job_id
        record: dict[str, Any] = json.loads(raw)
        return record

    def holder(self, job_id: str) -> WorkerHost:
        """The worker host whose worker holds the job."""
        name = self.record(job_id).get("workerName")
        found = [w for w in self.workers.values() if w.worker_name == name]
        assert found, f"job {job_id} is held by {name!r}, which is no worker host's"
        return found[0]

    def result_keys(self, job_id: str) -> list[str]:
        """The names of the objects under the job's results/ prefix in the bucket."""
        assert self.moto is not None
        keys = self.moto.keys(self.bucket, f"{PREFIX}/results/{job_id}/")
        return [key.rsplit("/", 1)[1] for key in keys]

    def s3_object(self, job_id: str, name: str) -> bytes:
        assert self.moto is not None
        got = self.moto.client().get_object(Bucket=self.bucket, Key=f"{PREFIX}/results/{job_id}/{name}")
        data: bytes = got["Body"].read()
        return data

    def s3_url(self, job_id: str, name: str) -> str:
        return f"s3://{self.bucket}/{PREFIX}/results/{job_id}/{name}"

    def local_files(self) -> dict[str, list[str]]:
        """Per host, what is in its UPLOAD_DIR, RESULTS_DIR and SCRATCH_DIR (all should stay empty)."""
        found: dict[str, list[str]] = {}
        for name in ("api", *WORKER_HOSTS):
            root = self.root / name
            found[name] = [
                str(p.relative_to(root))
                for folder in ("tmp_uploads", "results", "scratch")
                if (root / folder).exists()
                for p in (root / folder).rglob("*")
                if p.is_file()
            ]
        return found


def elapsed_since(moment: float, iso_text: str) -> float:
    """Seconds from `moment` (epoch) to the ISO timestamp `iso_text`."""
    return clock.parse_iso(iso_text) - moment


def wait_until(predicate: Any, timeout_s: float, what: str, interval_s: float = 0.05) -> float:
    """Poll `predicate()` until true; returns when (epoch seconds). Fails after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout_s:g}s")
        time.sleep(interval_s)
    return time.time()
