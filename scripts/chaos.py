#!/usr/bin/env python3
"""Chaos run: jobs through supervised workers while workers are SIGKILLed, Redis restarts and
jobs are delivered twice.

Starts its own `python -m engine serve` (embedded Valkey with AOF, WORKERS
workers) on free ports, submits JOBS uploads (a few cancelled at random), kills a
random worker (one past its start-up) every KILL_EVERY seconds (the supervisor
restarts it), restarts the Valkey server once, and injects duplicate deliveries:
a second copy of a share of the jobs right behind the first (DUPLICATES), and
another copy of a random open job (queued, starting or running) every
REDELIVER_EVERY seconds. It waits until every job has ended, then checks:

- every job is in exactly one terminal state;
- every job has exactly one document: a completed job its result.json (which
  follows the schema), a failed or cancelled job its error.json;
- every failed job has one of the card's error codes;
- no healthy job failed: the only failures are `worker_shutdown` of jobs whose
  worker was SIGKILLed while it held them.

Prints the counts and exits non-zero when a check fails. Loopback only; bounded in
jobs and time.

    python scripts/chaos.py                  # 200 jobs, 3 workers, a kill every 3 s
    python scripts/chaos.py --jobs 80 --kill-every 2 --duplicates 0.5 --redeliver-every 0.5  # CI form
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil
import redis
import requests
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rq import Worker  # noqa: E402

from engine.config import Settings  # noqa: E402
from engine.constants import JOBS_ACTIVE_KEY  # noqa: E402
from engine.jobs import queue  # noqa: E402
from engine.supervisor.processes import QUICK_DEATH_S  # noqa: E402
from engine.supervisor.valkey import free_port  # noqa: E402

CODES = {"timeout", "processing_error", "blob_upload_failed", "worker_shutdown"}
TERMINAL = {"completed", "failed", "cancelled"}


class Chaos:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.results = work / "results"
        self.rng = random.Random(args.seed)
        self.stop = threading.Event()
        self.kills = 0
        self.redis_restarts = 0
        self.duplicates = 0
        self.killed_workers: set[str] = set()
        self.redis_port = free_port()
        self.redis = redis.Redis(port=self.redis_port, socket_timeout=5, socket_connect_timeout=5)
        self.settings = Settings(_env_file=None, REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0")  # type: ignore[call-arg]
        self.serve: subprocess.Popen[bytes] | None = None

    # --- the stack -------------------------------------------------------------
    def start(self) -> None:
        env = {
            k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "OPENROUTER_API_KEY", "LLM_API_KEY")
        }
        env.update(
            PYTHONPATH=str(ROOT), PORT=str(self.port), API_URL=self.base,
            EMBEDDED_REDIS_PORT=str(self.redis_port),
            DATA_DIR=str(self.work / "data"), UPLOAD_DIR=str(self.work / "tmp_uploads"),
            RESULTS_DIR=str(self.results), WORKERS=str(self.args.workers), API_PROCESSES="1",
            LLM_BASE_URL="http://127.0.0.1:9/v1", WORKER_HEARTBEAT_TIMEOUT_SECONDS="5",
            REAPER_INTERVAL_SECONDS="1", SIMULATED_SLOW_PROCESSING_SECONDS=str(self.args.slow),
            JOB_TIMEOUT_SECONDS=str(self.args.job_timeout),
        )  # fmt: skip
        log = open(self.work / "serve.log", "wb")  # noqa: SIM115 - the server's log for its lifetime
        self.serve = subprocess.Popen(
            [sys.executable, "-m", "engine", "serve"],
            cwd=self.work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._until(lambda: (self._health() or {}).get("workers", 0) >= self.args.workers, 90, "stack up")

    def shutdown(self) -> None:
        self.stop.set()
        self.redis.close()
        if self.serve and self.serve.poll() is None:
            self.serve.send_signal(signal.SIGTERM)
            try:
                self.serve.wait(60)
            except subprocess.TimeoutExpired:
                self.serve.kill()

    def _children(self, word: str) -> list[psutil.Process]:
        assert self.serve is not None
        try:
            kids = psutil.Process(self.serve.pid).children()
        except psutil.NoSuchProcess:
            return []
        return [p for p in kids if word in " ".join(_cmdline(p))]

    # --- the chaos ---------------------------------------------------------------
    def killer(self) -> None:
        restart_at = time.monotonic() + self.args.redis_restart_after
        while not self.stop.wait(self.args.kill_every):
            # Only workers past their start-up: the supervisor takes deaths of young workers for
            # a crash loop and backs off restarting them, which would starve the run of workers.
            workers = [p for p in self._children("engine worker") if _age_s(p) >= QUICK_DEATH_S]
            if workers:
                victim = self.rng.choice(workers)
                name = self._worker_name(victim.pid)
                try:
                    victim.send_signal(signal.SIGKILL)
                    self.kills += 1
                    self.killed_workers.add(name or "unknown")
                except psutil.NoSuchProcess:
                    pass
            if not self.redis_restarts and time.monotonic() >= restart_at:
                for server in self._children("valkey-server"):
                    server.send_signal(signal.SIGTERM)  # a clean restart: AOF is flushed, then reloaded
                    self.redis_restarts += 1

    def _worker_name(self, pid: int) -> str | None:
        """RQ's name of the worker process `pid` (what job records call `workerName`)."""
        try:
            return next((w.name for w in Worker.all(connection=self.redis) if w.pid == pid), None)
        except redis.RedisError:
            return None

    def deliver_again(self, job_id: str) -> None:
        """One more copy of the job on the queue, as a duplicate delivery of RQ's would be."""
        try:
            queue.enqueue(self.redis, self.settings, job_id)
            self.duplicates += 1
        except redis.RedisError:
            pass  # Redis is restarting: this copy is not sent

    def redeliverer(self) -> None:
        """Every REDELIVER_EVERY seconds, one more copy of a random open job."""
        while not self.stop.wait(self.args.redeliver_every):
            try:
                open_jobs = [i.decode() for i in self.redis.zrange(JOBS_ACTIVE_KEY, 0, -1)]
            except redis.RedisError:
                continue
            if open_jobs:
                self.deliver_again(self.rng.choice(open_jobs))

    def submit_all(self) -> list[str]:
        sample = (ROOT / "dev-samples" / "sales_demo.csv").read_bytes()
        ids: list[str] = []
        session = requests.Session()
        for n in range(self.args.jobs):
            files = {"file": (f"s{n}.csv", sample)}
            body = _retry(
                lambda files=files: session.post(f"{self.base}/api/upload", files=files, timeout=10)
            )
            ids.append(body["jobId"])
            if self.rng.random() < self.args.duplicates:
                self.deliver_again(ids[-1])
            if self.rng.random() < self.args.cancel_share:
                job_id = ids[-1]
                _retry(
                    lambda job_id=job_id: session.post(
                        f"{self.base}/api/cancel", params={"jobId": job_id}, timeout=10
                    )
                )
        return ids

    # --- the verdict ---------------------------------------------------------------
    def wait_terminal(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        session = requests.Session()
        final: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + self.args.deadline
        while len(final) < len(ids) and time.monotonic() < deadline:
            for job_id in ids:
                if job_id in final:
                    continue
                status = _retry(
                    lambda job_id=job_id: session.get(f"{self.base}/api/job-status/{job_id}", timeout=10)
                )
                if status["status"] in TERMINAL:
                    final[job_id] = status
            time.sleep(0.5)
        return final

    def verify(self, ids: list[str], final: dict[str, dict[str, Any]]) -> list[str]:
        problems = [f"{j}: never ended" for j in ids if j not in final]
        for job_id, status in final.items():
            folder = self.results / job_id
            state = status["status"]
            documents = (
                sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
                if folder.is_dir()
                else []
            )
            expected = ["result.json"] if state == "completed" else ["error.json"]
            if documents != expected:
                problems.append(f"{job_id}: {state} with documents {documents}, expected {expected}")
            elif state == "completed":
                problems += _invalid_result(job_id, folder / "result.json")
            if state == "failed":
                error = status.get("error")
                if error not in CODES:
                    problems.append(f"{job_id}: failed without a card error code ({error})")
                record = self._record(job_id)
                worker = (record or {}).get("workerName")
                if error != "worker_shutdown" or worker not in self.killed_workers:
                    problems.append(f"{job_id}: a healthy job failed ({error}: {status.get('errorMessage')})")
        return problems

    def _record(self, job_id: str) -> dict[str, Any] | None:
        raw = self.redis.get(f"job:{job_id}")
        return json.loads(raw) if raw else None

    def log_count(self, text: str) -> int:
        return (self.work / "serve.log").read_text(errors="replace").count(text)

    def _health(self) -> dict[str, Any] | None:
        try:
            body: dict[str, Any] = requests.get(f"{self.base}/api/health", timeout=2).json()
            return body
        except (requests.RequestException, ValueError):
            return None

    def _until(self, check: Any, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not check():
            if time.monotonic() > deadline or (self.serve and self.serve.poll() is not None):
                raise SystemExit(f"chaos: {what} not reached; see {self.work / 'serve.log'}")
            time.sleep(0.2)


def _invalid_result(job_id: str, path: Path) -> list[str]:
    """Problems of a result.json: it must parse and follow docs/result-schema.v2.json."""
    try:
        doc = json.loads(path.read_text())
    except ValueError:
        return [f"{job_id}: result.json does not parse"]
    errors = list(_RESULT_SCHEMA.iter_errors(doc))
    return [f"{job_id}: result.json breaks the schema: {errors[0].message[:200]}"] if errors else []


_RESULT_SCHEMA = Draft202012Validator(json.loads((ROOT / "docs" / "result-schema.v2.json").read_text()))


def _age_s(proc: psutil.Process) -> float:
    try:
        return time.time() - proc.create_time()
    except psutil.Error:
        return 0.0


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def _retry(call: Any, attempts: int = 60) -> dict[str, Any]:
    """Call the API through a Redis restart: 503s and refused connections are retried."""
    for _ in range(attempts):
        try:
            response = call()
            if response.status_code < 500:
                body: dict[str, Any] = response.json()
                return body
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("chaos: the API did not come back")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between worker kills")
    parser.add_argument("--redis-restart-after", type=float, default=4.0, help="seconds into the run")
    parser.add_argument("--cancel-share", type=float, default=0.1)
    parser.add_argument(
        "--duplicates", type=float, default=0.25, help="share of jobs delivered twice at once"
    )
    parser.add_argument(
        "--redeliver-every", type=float, default=1.0, help="seconds between extra copies of open jobs"
    )
    parser.add_argument("--slow", type=float, default=0.3, help="SIMULATED_SLOW_PROCESSING_SECONDS per job")
    parser.add_argument("--deadline", type=float, default=600, help="seconds to wait for every job to end")
    parser.add_argument(
        "--job-timeout", type=float, default=600,
        help="JOB_TIMEOUT_SECONDS: long enough that queueing alone never times a job out",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="sightline-chaos-"))
    chaos = Chaos(args, work)
    started = time.monotonic()
    try:
        chaos.start()
        for target in (chaos.killer, chaos.redeliverer):
            threading.Thread(target=target, daemon=True).start()
        ids = chaos.submit_all()
        final = chaos.wait_terminal(ids)
        chaos.stop.set()
        problems = chaos.verify(ids, final)
    finally:
        chaos.shutdown()
    counts = Counter(s["status"] for s in final.values())
    errors = Counter(s.get("error") for s in final.values() if s["status"] == "failed")
    print(f"chaos: {len(ids)} jobs, {args.workers} workers, {chaos.kills} worker kills, "
          f"{chaos.redis_restarts} Redis restart(s), {time.monotonic() - started:.0f} s")  # fmt: skip
    print(f"chaos: final states {dict(counts)}; failed by error {dict(errors)}")
    taken, ended = chaos.log_count("Skipping this delivery"), chaos.log_count("already ended")
    requeued = chaos.log_count(" was lost ")
    print(f"chaos: {chaos.duplicates} duplicate deliveries, {taken + ended} dropped unrun "
          f"({taken} of a job already taken, {ended} of a job already ended), "
          f"{requeued} lost deliveries queued again")  # fmt: skip
    for line in problems[:20]:
        print(f"chaos: PROBLEM {line}")
    print(f"chaos: {len(problems)} problem(s)" + (f"; work folder {work}" if problems or args.keep else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
