"""Benchmark: dev-samples/sales_demo.csv from upload to a terminal status seen by a client.

One client uploads the file, polls GET /api/job-status every 10 ms until the job
is terminal, then starts the next job: sequential jobs through 2 workers, no LLM.
Targets (issue 2): p50 <= 300 ms, p95 <= 800 ms.

The baseline, measured in the same run, is the work itself: analyze() plus the
template narrative on the same file, in one warm process with no queue, API or
Redis in between. The ratio end-to-end / baseline says how much the job engine adds.
The breakdown uses the job record's own timestamps (millisecond resolution):
queue wait = startedAt - createdAt, processing = finishedAt - startedAt.

    python -m bench.bench_latency [--jobs 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import requests

from bench.stack import (
    REPO,
    SALES_DEMO,
    TERMINAL,
    bench_env,
    job_status,
    machine_note,
    percentile,
    running_stack,
    upload,
)
from bench.stack import verdict as met
from engine.clock import parse_iso

POLL_INTERVAL_S = 0.01
WARM_UP_JOBS = 2
JOB_DEADLINE_S = 30.0

# Runs in a child process from a scratch folder: the work of one job, without the engine around it.
_IN_PROCESS = """
import json, sys, time
from engine.analysis import analyze
from engine.config import Settings
from engine.narrative.service import attach_narrative
settings = Settings()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    doc = analyze(sys.argv[1], settings=settings)
    attach_narrative(doc, settings=settings, redis=None)
    times.append(time.perf_counter() - start)
print("BENCH " + json.dumps(times))
"""


@dataclass(frozen=True)
class Sample:
    """One job as the client saw it, with the record's own timings (seconds)."""

    total_s: float
    upload_s: float
    queue_s: float
    processing_s: float
    status: str
    error: str | None


def one_job(session: requests.Session, api_url: str, data: bytes) -> Sample:
    """Upload, poll until terminal; the clock stops when the client sees the terminal status."""
    start = time.perf_counter()
    job_id = upload(session, api_url, data, SALES_DEMO.name)
    uploaded = time.perf_counter()
    deadline = start + JOB_DEADLINE_S
    while True:
        record = job_status(session, api_url, job_id)
        if record["status"] in TERMINAL or time.perf_counter() > deadline:
            break
        time.sleep(POLL_INTERVAL_S)
    end = time.perf_counter()
    created = parse_iso(record["createdAt"])
    started = parse_iso(record["startedAt"]) if record.get("startedAt") else created
    finished = parse_iso(record["finishedAt"]) if record.get("finishedAt") else started
    error = f"{record['error']}: {record.get('errorMessage')}" if record.get("error") else None
    status = str(record["status"])
    return Sample(end - start, uploaded - start, started - created, finished - started, status, error)


def in_process_baseline(repeats: int = 7) -> list[float]:
    """Seconds of analyze()+narrative on the demo file in one warm process (first run dropped)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sightline-bench-") as tmp:
        argv = [sys.executable, "-c", _IN_PROCESS, str(SALES_DEMO), str(repeats + 1)]
        env = bench_env({"REDIS_URL": "redis://127.0.0.1:9/0"})
        out = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"in-process baseline failed:\n{out.stderr[-2000:]}")
    times: list[float] = json.loads(line[6:])
    return times[1:]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def report(samples: list[Sample], baseline: list[float]) -> None:
    totals = [s.total_s for s in samples]
    p50, p95 = percentile(totals, 50), percentile(totals, 95)
    base = statistics.median(baseline)
    statuses = {st: sum(s.status == st for s in samples) for st in sorted({s.status for s in samples})}
    print(f"  jobs: {len(samples)} sequential, 2 workers, no LLM; statuses {statuses}")
    error = next((s.error for s in samples if s.error), None)
    if error:
        print(f"  WARNING: not every job completed; the first error was {error}")
    print(f"  upload -> terminal seen by client: p50 {_ms(p50)}  p95 {_ms(p95)}  max {_ms(max(totals))}")
    print(f"  baseline analyze()+narrative in-process (median of {len(baseline)}): {_ms(base)}")
    print(f"  ratio p50 end-to-end / in-process work: {p50 / base:.2f}x")
    print("  where the time goes (median / p95):")
    rest = [s.total_s - s.upload_s - s.queue_s - s.processing_s for s in samples]
    for name, values in (
        ("POST /api/upload round trip", [s.upload_s for s in samples]),
        ("queue wait (startedAt - createdAt)", [s.queue_s for s in samples]),
        ("processing (finishedAt - startedAt)", [s.processing_s for s in samples]),
        ("client notices (rest, incl. polling)", rest),
    ):
        print(f"    {name:38s} {_ms(statistics.median(values))} / {_ms(percentile(values, 95))}")
    print(f"  target p50 <= 300 ms: {met(p50 <= 0.3)};  target p95 <= 800 ms: {met(p95 <= 0.8)}")
    print(f"  machine: {machine_note()}")


def run(jobs: int = 60) -> None:
    """Measure `jobs` sequential jobs (after a short warm-up) and print the figures."""
    print(f"\n== bench_latency: {SALES_DEMO.relative_to(REPO)} upload -> terminal status")
    baseline = in_process_baseline()
    data = SALES_DEMO.read_bytes()
    with running_stack(workers=2) as stack, requests.Session() as session:
        for _ in range(WARM_UP_JOBS):
            one_job(session, stack.api_url, data)
        samples = [one_job(session, stack.api_url, data) for _ in range(jobs)]
    report(samples, baseline)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=60, help="measured jobs (default 60, at least 50)")
    run(max(50, parser.parse_args().jobs))


if __name__ == "__main__":
    main()
