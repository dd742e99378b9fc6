"""SIGTERM and SIGKILL of a busy worker: the job still ends, exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from tests.support.stack import Stack, poll

SLOW = {"SIMULATED_SLOW_PROCESSING_SECONDS": "30", "WORKER_HEARTBEAT_TIMEOUT_SECONDS": "3"}


def test_sigterm_marks_the_job_worker_shutdown_with_error_json(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(env=SLOW, workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    live.wait_for(job_id, ("processing",), timeout_s=20)
    worker = live.workers[0]
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(10) == 0
    final = live.status(job_id)
    assert final["status"] == "failed" and final["error"] == "worker_shutdown", final
    assert "signal 15" in final["errorMessage"]
    error = requests.get(f"{live.api_url}/api/jobs/{job_id}/result", timeout=10).json()
    assert error["error"] == "worker_shutdown"
    logs = live.worker_logs()
    for line in (
        "Received signal 15. Shutting down gracefully...",
        f"Marked job {job_id} as failed due to shutdown",
        "Worker shutdown complete.",
    ):
        assert line in logs, line


def test_idle_worker_stops_at_once_on_sigterm(make_stack: object) -> None:
    live: Stack = make_stack(workers=1)  # type: ignore[operator]
    live.workers[0].send_signal(signal.SIGTERM)
    assert live.workers[0].wait(10) == 0
    assert "Worker shutdown complete." in live.worker_logs()


def test_sigkill_of_a_busy_worker_is_reaped(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(env=SLOW, workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    live.wait_for(job_id, ("processing",), timeout_s=20)
    horses = psutil.Process(live.workers[0].pid).children()
    assert len(horses) == 1, horses
    killed_at = time.time()
    live.workers[0].send_signal(signal.SIGKILL)
    live.workers[0].wait(5)
    # The orphaned horse dies with its worker (PDEATHSIG), so nothing can write for the job later.
    poll(lambda: _alive(horses[0]), lambda alive: not alive, 10, 0.05)
    live.start_worker()  # the supervisor would restart it; its reaper closes the job
    final = live.wait_for(job_id, timeout_s=60)
    assert final["status"] == "failed" and final["error"] == "worker_shutdown", final
    assert time.time() - killed_at < 60
    assert live.doc_path(job_id, "error.json").exists()
    assert not live.doc_path(job_id, "result.json").exists()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


_EARLY_SIGNAL = """
import os, signal, sys
from engine.config import Settings
from engine.worker.main import build_worker, worker_context
worker = build_worker(worker_context(Settings(redis_url=sys.argv[1], _env_file=None)), ["data_jobs"])
os.kill(os.getpid(), signal.SIGTERM)  # before work(): RQ has not installed its handlers yet
print("stop requested" if worker._stop_requested else "ignored")
"""


def test_a_stop_signal_before_the_work_loop_is_kept_not_fatal(redis_server: object) -> None:
    """RQ registers a worker (health then counts it) before work() installs signal handlers; a SIGTERM
    in between used to kill it with the default action (exit -15) instead of stopping it cleanly."""
    proc = subprocess.run(
        [sys.executable, "-c", _EARLY_SIGNAL, redis_server.url],  # type: ignore[attr-defined]
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0 and "stop requested" in proc.stdout, (proc.returncode, proc.stderr[-2000:])
