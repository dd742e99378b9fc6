"""Benchmark: 200 tiny jobs through 2 Sightline workers against bare RQ no-op jobs.

Ours: one client uploads 200 three-row CSVs through POST /api/upload as fast as
it can; the clock runs from the first upload to the moment every job record is
terminal (the `sightline:jobs:active` set is empty). Baseline, same run, same
Redis: 200 no-op jobs enqueued straight into RQ (queue `bench_noop`) and worked
by 2 processes of the same worker class built the same way (bench/noop_worker.py);
the clock runs from the first enqueue to the last job finished. Only one
side runs at a time; the other side's workers sit idle on their queue. Each
side's jobs are split over two rounds in the order bare, ours, ours, bare, so
a change in the machine's background load during the run weighs on both sides
alike; the figures are the rounds' sums. It also prints the stack's CPU time per job (from /proc), which
the machine's other load disturbs much less. Target (issue 2): ours / bare >= 0.3.

    python -m bench.bench_throughput [--jobs 200]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import requests
from rq import Queue

from bench.noop_worker import NOOP_FUNCTION, NOOP_QUEUE
from bench.stack import Stack, machine_note, running_stack, upload, verdict
from engine.clock import parse_iso
from engine.constants import JOBS_ACTIVE_KEY, job_key

TINY_CSV = b"city,units,price\nOslo,3,9.5\nLima,5,7.25\nPune,8,4.0\n"
POLL_INTERVAL_S = 0.01
DEADLINE_S = 120.0
RQ_DONE = frozenset({"finished", "failed", "stopped", "canceled"})


@dataclass(frozen=True)
class Run:
    """One side's figures: wall seconds from first submit to all done, and the outcome counts."""

    jobs: int
    wall_s: float
    statuses: Counter[str]
    work_span_s: float  # first job started -> last job finished, from the records
    commands: Counter[str]  # Redis commands run meanwhile (whole stack), minus the bench's polling
    cpu_s: float  # CPU seconds of the whole stack meanwhile (API, workers and horses, Valkey)
    first_error: str | None = None  # why the first job that did not complete ended as it did

    @property
    def per_s(self) -> float:
        return self.jobs / self.wall_s

    def __add__(self, other: Run) -> Run:
        return Run(
            self.jobs + other.jobs,
            self.wall_s + other.wall_s,
            self.statuses + other.statuses,
            self.work_span_s + other.work_span_s,
            self.commands + other.commands,
            self.cpu_s + other.cpu_s,
            self.first_error or other.first_error,
        )


def bare_rq(stack: Stack, jobs: int) -> Run:
    """Enqueue `jobs` no-op jobs and wait until RQ says each one finished or failed."""
    queue = Queue(NOOP_QUEUE, connection=stack.redis)
    ended = (queue.finished_job_registry.key, queue.failed_job_registry.key)
    target = _ended(stack, ended) + jobs
    before, cpu_before = _command_calls(stack), stack.cpu_s()
    start = time.perf_counter()
    ids = [queue.enqueue(NOOP_FUNCTION, result_ttl=600).id for _ in range(jobs)]
    polls = _poll_until(lambda: _ended(stack, ended) >= target)
    wall = time.perf_counter() - start
    cpu = stack.cpu_s() - cpu_before
    commands = _command_calls(stack) - before - Counter(zcard=2 * polls)  # one pipeline per poll
    return Run(jobs, wall, Counter(_rq_statuses(stack, ids)), _rq_span(stack, ids), commands, cpu)


def ours(stack: Stack, jobs: int) -> Run:
    """Upload `jobs` tiny CSVs through the API and wait until every record is terminal."""
    before, cpu_before = _command_calls(stack), stack.cpu_s()
    with requests.Session() as session:
        start = time.perf_counter()
        ids = [upload(session, stack.api_url, TINY_CSV, "tiny.csv") for _ in range(jobs)]
    polls = _poll_until(lambda: stack.redis.zcard(JOBS_ACTIVE_KEY) == 0)
    wall = time.perf_counter() - start
    cpu = stack.cpu_s() - cpu_before
    commands = _command_calls(stack) - before - Counter(zcard=polls)
    records = _records(stack, ids)
    statuses = Counter(str(r.get("status")) for r in records)
    started = [parse_iso(r["startedAt"]) for r in records if r.get("startedAt")]
    finished = [parse_iso(r["finishedAt"]) for r in records if r.get("finishedAt")]
    span = max(finished) - min(started) if started and finished else float("nan")
    error = next((f"{r.get('error')}: {r.get('errorMessage')}" for r in records if r.get("error")), None)
    return Run(jobs, wall, statuses, span, commands, cpu, error)


def _poll_until(check: Callable[[], bool]) -> int:
    """Call `check` every POLL_INTERVAL_S until it holds or DEADLINE_S passes; returns the calls."""
    deadline = time.monotonic() + DEADLINE_S
    calls = 1
    while not check() and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL_S)
        calls += 1
    return calls


def _command_calls(stack: Stack) -> Counter[str]:
    """Calls per Redis command since the server started (INFO commandstats; INFO itself left out)."""
    stats = cast(dict[str, dict[str, int]], stack.redis.info("commandstats"))
    calls = Counter({name.removeprefix("cmdstat_"): row["calls"] for name, row in stats.items()})
    calls.pop("info", None)
    return calls


def _ended(stack: Stack, registries: tuple[str, str]) -> int:
    """Jobs in RQ's finished and failed registries of the no-op queue."""
    with stack.redis.pipeline(transaction=False) as pipe:
        for key in registries:
            pipe.zcard(key)
        return sum(int(n) for n in pipe.execute())


def _rq_statuses(stack: Stack, ids: list[str]) -> list[str]:
    with stack.redis.pipeline(transaction=False) as pipe:
        for job_id in ids:
            pipe.hget(f"rq:job:{job_id}", "status")
        return [(raw or b"?").decode() for raw in pipe.execute()]


def _rq_span(stack: Stack, ids: list[str]) -> float:
    """First started_at to last ended_at of the RQ jobs (RQ writes ISO timestamps)."""
    with stack.redis.pipeline(transaction=False) as pipe:
        for job_id in ids:
            pipe.hmget(f"rq:job:{job_id}", "started_at", "ended_at")
        rows = pipe.execute()
    started = [parse_iso(s.decode()) for s, _ in rows if s]
    ended = [parse_iso(e.decode()) for _, e in rows if e]
    return max(ended) - min(started) if started and ended else float("nan")


def _records(stack: Stack, ids: list[str]) -> list[dict[str, Any]]:
    raws = cast(list[bytes | None], stack.redis.mget([job_key(i) for i in ids]))
    return [json.loads(raw) if raw else {} for raw in raws]


def report(mine: Run, bare: Run) -> None:
    ratio = mine.per_s / bare.per_s
    for label, side in (("bare RQ no-op jobs", bare), ("Sightline tiny CSV", mine)):
        print(f"  {label}: {side.per_s:6.1f} jobs/s  ({side.jobs} in {side.wall_s:.2f} s, "
              f"{side.wall_s / side.jobs * 1000:.1f} ms/job; {dict(side.statuses)}; "
              f"work span {side.work_span_s:.2f} s)")  # fmt: skip
    if mine.first_error:
        print(f"  WARNING: not every job completed; the first error was {mine.first_error}")
    for label, side in (("bare", bare), ("ours", mine)):
        per_job = sum(side.commands.values()) / side.jobs
        top = ", ".join(f"{name} {n / side.jobs:.1f}" for name, n in side.commands.most_common(6))
        print(f"  Redis commands per job, {label}: {per_job:.1f}  (top: {top})")
    print(f"  ratio ours / bare: {ratio:.2f}  (target >= 0.3: {verdict(ratio >= 0.3)})")
    bare_cpu, our_cpu = bare.cpu_s / bare.jobs, mine.cpu_s / mine.jobs
    print(f"  stack CPU per job: bare {bare_cpu * 1000:.1f} ms, ours {our_cpu * 1000:.1f} ms; "
          f"by CPU, ours / bare = {bare_cpu / our_cpu:.2f}")  # fmt: skip
    print(f"  machine: {machine_note()}")


def run(jobs: int = 200) -> None:
    """Both sides in one stack: API + 2 Sightline workers + 2 no-op workers."""
    print(f"\n== bench_throughput: {jobs} tiny jobs, 2 workers, against bare RQ no-op jobs")
    with running_stack(workers=2) as stack:
        stack.start_workers(2, ["-m", "bench.noop_worker"], tag="noop")
        stack.wait_ready({NOOP_QUEUE: 2})
        half, rest = jobs // 2, jobs - jobs // 2
        bare = bare_rq(stack, half)
        mine = ours(stack, half)
        mine += ours(stack, rest)
        bare += bare_rq(stack, rest)
    report(mine, bare)


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per side (default 200)")
    run(parser.parse_args().jobs)


if __name__ == "__main__":
    main()
