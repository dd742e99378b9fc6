"""Benchmark: GET /api/job-status/<id> under 32 concurrent clients, against a constant-JSON route.

Both endpoints are served by the same gunicorn (the API's own config, so
API_PROCESSES=2 x API_THREADS=8 gthread workers, as `make serve` runs it) on
bench.status_app:app, which is the API app plus GET /bench/constant. The job is
a completed sales_demo.csv job; the worker that ran it is stopped before the
load starts, so only gunicorn and Redis share the 2 cores with the load generator.
Each endpoint's time is split in two slices run in the order status, constant,
constant, status, so a change in the machine's background load weighs on both
alike: req/s is the slices' requests over their seconds, p99 the worse slice's.
It also prints the server's CPU time per request (gunicorn and Valkey, read from
/proc), a comparison that the machine's other load disturbs much less.

Load: `wrk -t2 -c32 -d20s --latency` when wrk is installed (apt-get install wrk),
else 32 Python threads with keep-alive requests.Session (which competes with the
server for CPU far more than wrk does, so its figures are lower). Each endpoint
gets a short warm-up, then its measured run. Targets (issue 2):
status req/s / constant req/s >= 0.5 and status p99 <= 50 ms.

    python -m bench.bench_status [--seconds 20]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, replace

import requests

from bench.stack import (
    SALES_DEMO,
    TERMINAL,
    Stack,
    job_status,
    machine_note,
    percentile,
    running_stack,
    upload,
    verdict,
)
from bench.status_app import CONSTANT_PATH

CONNECTIONS = 32
WARM_UP_S = 2
_UNIT_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class Load:
    """What one endpoint sustained: requests in seconds, p99 latency, non-200 answers."""

    requests: int
    seconds: float
    p99_s: float
    bad: int
    server_cpu_s: float = 0.0  # gunicorn + Valkey CPU meanwhile: robust to the machine's other load

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds

    def __add__(self, other: Load) -> Load:
        """Two slices as one; the p99 kept is the worse of the two (percentiles do not add)."""
        return Load(
            self.requests + other.requests,
            self.seconds + other.seconds,
            max(self.p99_s, other.p99_s),
            self.bad + other.bad,
            self.server_cpu_s + other.server_cpu_s,
        )

    @property
    def cpu_us_per_request(self) -> float:
        return self.server_cpu_s / self.requests * 1e6


def wrk(url: str, seconds: int) -> Load:
    """Run wrk and read Requests/sec, the 99% latency and the error counts from its report."""
    argv = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    if done is None or p99 is None:
        raise RuntimeError(f"could not read wrk's report:\n{out}")
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    elapsed_s = float(done.group(2)) * _UNIT_S[done.group(3)]
    return Load(int(done.group(1)), elapsed_s, float(p99.group(1)) * _UNIT_S[p99.group(2)], bad)


def threads(url: str, seconds: int) -> Load:
    """The fallback: CONNECTIONS threads, each a keep-alive session looping GETs."""
    stop_at = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    bad = [0] * CONNECTIONS

    def client(n: int) -> None:
        with requests.Session() as session:
            while (start := time.perf_counter()) < stop_at:
                try:
                    ok = session.get(url, timeout=10).status_code == 200
                except requests.RequestException:
                    ok = False
                latencies[n].append(time.perf_counter() - start)
                bad[n] += not ok

    workers = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    flat = [x for per in latencies for x in per]
    return Load(len(flat), elapsed, percentile(flat, 99), sum(bad))


def measure_pair(stack: Stack, status_url: str, constant_url: str, seconds: int) -> tuple[Load, Load]:
    """Warm both endpoints up, then run slices status, constant, constant, status."""
    tool = wrk if shutil.which("wrk") else threads

    def load(url: str, slice_s: int) -> Load:
        cpu_before = stack.cpu_s()
        measured = tool(url, slice_s)
        return replace(measured, server_cpu_s=stack.cpu_s() - cpu_before)

    first, second = seconds // 2, seconds - seconds // 2
    load(status_url, WARM_UP_S)
    load(constant_url, WARM_UP_S)
    status = load(status_url, first)
    constant = load(constant_url, first)
    constant += load(constant_url, second)
    status += load(status_url, second)
    return status, constant


def completed_job(api_url: str) -> str:
    """Upload sales_demo.csv and wait until it is terminal; returns its id."""
    with requests.Session() as session:
        job_id = upload(session, api_url, SALES_DEMO.read_bytes(), SALES_DEMO.name)
        deadline = time.monotonic() + 60
        while job_status(session, api_url, job_id)["status"] not in TERMINAL:
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job_id} did not finish within 60 s")
            time.sleep(0.05)
    return job_id


def report(status: Load, constant: Load, seconds: int) -> None:
    ratio = status.per_s / constant.per_s
    tool = "wrk -t2" if shutil.which("wrk") else "32 Python threads (wrk not installed)"
    print(f"  load: {tool}, {CONNECTIONS} keep-alive connections, {seconds} s per endpoint")
    for label, load in (("GET /api/job-status/<id>", status), (f"GET {CONSTANT_PATH}", constant)):
        print(f"  {label:26s} {load.per_s:8.0f} req/s   p99 {load.p99_s * 1000:6.1f} ms   errors {load.bad}")
    print(f"  ratio status / constant: {ratio:.2f}  (target >= 0.5: {verdict(ratio >= 0.5)})")
    cpu_ratio = constant.cpu_us_per_request / status.cpu_us_per_request
    per_request = f"status {status.cpu_us_per_request:.0f} us, constant {constant.cpu_us_per_request:.0f} us"
    print(f"  server CPU per request (gunicorn + Valkey): {per_request}; by CPU, ratio {cpu_ratio:.2f}")
    print(f"  status p99 {status.p99_s * 1000:.1f} ms  (target <= 50 ms: {verdict(status.p99_s <= 0.05)})")
    print(f"  machine: {machine_note()}")


def open_job(api_url: str) -> str:
    """Upload sales_demo.csv with no worker running: the job stays `submitted`."""
    with requests.Session() as session:
        return upload(session, api_url, SALES_DEMO.read_bytes(), SALES_DEMO.name)


def run(seconds: int = 20, job: str = "both") -> None:
    """Measure a completed job (served from the API's cache of ended jobs) and an open one (Redis)."""
    kinds = ("completed", "open") if job == "both" else (job,)
    for kind in kinds:
        print(f"\n== bench_status ({kind} job): GET /api/job-status under {CONNECTIONS} clients, "
              "against a constant route")  # fmt: skip
        with running_stack(workers=1, app="bench.status_app:app") as stack:
            if kind == "completed":
                job_id = completed_job(stack.api_url)
                stack.stop_processes("worker")
            else:
                stack.stop_processes("worker")
                job_id = open_job(stack.api_url)
            urls = (f"{stack.api_url}/api/job-status/{job_id}", f"{stack.api_url}{CONSTANT_PATH}")
            status, constant = measure_pair(stack, *urls, seconds)
        report(status, constant, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per endpoint (default 20)")
    parser.add_argument("--job", choices=("both", "completed", "open"), default="both")
    args = parser.parse_args()
    run(args.seconds, args.job)


if __name__ == "__main__":
    main()
