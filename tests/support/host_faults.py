"""The two ways a worker host goes away, run against a `Cluster` (tests/support/multihost.py).

Each scenario checks what it must (and fails with an AssertionError) and returns its
measured timings, so the test and `scripts/multihost.py` run the very same steps.

- `lose_a_host`: every process of the host running a job is SIGKILLed. The reaper of
  the other worker host fails the job with `worker_shutdown` within
  WORKER_HEARTBEAT_TIMEOUT_SECONDS + REAPER_INTERVAL_SECONDS, error.json is in the
  bucket and served by the API, and the next job completes on the surviving host.
- `partition_a_host`: the cable of the host running a job is pulled for longer than
  the heartbeat timeout. The other host's reaper fails the job the same way; once the
  cable is back, the partitioned worker stops the job's work, and the attempt's own
  late writes sent from that host (progress, heartbeat, a staged result and its
  completion, a failure: tests/support/late_writer.py) are all refused by the
  record's compare-and-set on the attempt's token: the record, the bucket's objects
  and what the API shows never change again, and the worker goes on taking jobs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.support.multihost import Cluster, WorkerHost, elapsed_since, wait_until
from tests.support.results import assert_valid
from tests.support.stack import TERMINAL

SLACK_S = 3.0  # on top of the documented bound: a busy 2-core CI machine delays the reaper's thread


@dataclass
class HostLoss:
    job_id: str
    victim: str
    survivor: str
    killed_pids: int
    kill_to_closed_s: float  # SIGKILL to the record's finishedAt (the reaper's commit)
    kill_to_seen_s: float  # SIGKILL to the API answering `failed`
    next_job_s: float  # upload to `completed` of the next job, on the survivor (includes SLOW)


@dataclass
class Partition:
    job_id: str
    victim: str
    survivor: str
    down_to_closed_s: float  # link down to the record's finishedAt
    link_down_s: float  # how long the cable was out
    up_to_fenced_s: float  # link up to the victim's horse being gone (<= 0: it was gone before)
    watched_s: float  # how long after the link came back the job was seen unchanged
    late_accepted: dict[str, bool] = field(default_factory=dict)  # the attempt's own late writes (all False)
    victim_lines: list[str] = field(default_factory=list)  # what the victim logged about the job later
    after_hosts: list[str] = field(default_factory=list)  # who ran the jobs submitted after healing


def describe(outcome: HostLoss | Partition) -> str:
    """One line: every field, seconds with two decimals."""
    return ", ".join(
        f"{name}={value:.2f}" if isinstance(value, float) else f"{name}={value}"
        for name, value in asdict(outcome).items()
        if name != "victim_lines"
    )


def bound_s(cluster: Cluster) -> float:
    """The documented bound for reaping a silent worker's job."""
    return cluster.heartbeat_timeout_s + cluster.reaper_interval_s


def _start_on_some_host(cluster: Cluster, sample: Path) -> tuple[str, WorkerHost, WorkerHost]:
    cluster.ensure_workers()
    job_id = cluster.upload(sample)
    cluster.wait_for(job_id, ("processing",), 30)
    victim = cluster.holder(job_id)
    survivor = next(w for w in cluster.workers.values() if w is not victim)
    return job_id, victim, survivor


def _assert_reaped(cluster: Cluster, job_id: str, final: dict[str, object], survivor: WorkerHost) -> None:
    assert (final["status"], final["error"]) == ("failed", "worker_shutdown"), final
    assert final["resultUrl"] == cluster.s3_url(job_id, "error.json"), final
    assert cluster.result_keys(job_id) == ["error.json"]
    served = cluster.document(job_id)
    assert served == json.loads(cluster.s3_object(job_id, "error.json"))
    assert (served["jobId"], served["status"], served["error"]) == (job_id, "failed", "worker_shutdown")
    assert f"Reaped job {job_id}" in survivor.log_text(), "the surviving host's reaper closed it"


def _assert_completes(cluster: Cluster, job_id: str) -> dict[str, object]:
    final = cluster.wait_for(job_id, TERMINAL, cluster.slow_s + 60)
    assert final["status"] == "completed", final
    assert final["resultUrl"] == cluster.s3_url(job_id, "result.json"), final
    assert_valid(cluster.document(job_id))
    return final


def assert_no_local_files(cluster: Cluster) -> None:
    """No host kept anything in its folders: uploads and documents went through the bucket.

    Only the scratch copies of hosts SIGKILLed mid-job (`Cluster.abandoned`) stay:
    nothing ran there to remove them.
    """

    def left() -> dict[str, list[str]]:
        found = cluster.local_files()
        for host, job_id in cluster.abandoned:
            found[host] = [p for p in found[host] if not p.startswith(f"scratch/{job_id}/")]
        return {host: paths for host, paths in found.items() if paths}

    try:
        wait_until(lambda: not left(), 10, "hosts' own folders empty")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {left()}") from None


def lose_a_host(cluster: Cluster, sample: Path) -> HostLoss:
    job_id, victim, survivor = _start_on_some_host(cluster, sample)
    assert cluster.status(job_id)["status"] == "processing"
    killed_at = time.time()
    killed = victim.host.kill_all()
    cluster.abandoned.append((victim.name, job_id))
    assert victim.process is not None and victim.process.wait(5) is not None
    assert not victim.host.pids()
    final = cluster.wait_for(job_id, TERMINAL, bound_s(cluster) + 30)
    seen_s = time.time() - killed_at
    _assert_reaped(cluster, job_id, final, survivor)
    closed_s = elapsed_since(killed_at, str(final["finishedAt"]))
    assert closed_s <= bound_s(cluster) + SLACK_S, f"reaped {closed_s:.1f}s after the kill"

    started = time.time()
    next_id = cluster.upload(sample)
    _assert_completes(cluster, next_id)
    assert cluster.holder(next_id) is survivor
    next_s = time.time() - started
    assert_no_local_files(cluster)
    return HostLoss(job_id, victim.name, survivor.name, len(killed), closed_s, seen_s, next_s)


def partition_a_host(cluster: Cluster, sample: Path, *, watch_s: float | None = None) -> Partition:
    job_id, victim, survivor = _start_on_some_host(cluster, sample)
    busy = len(victim.host.pids())
    assert busy >= 2, "the victim's worker and its work-horse"
    offset = len(victim.log_text())
    down_at = time.time()
    victim.host.link_down()
    try:
        final = cluster.wait_for(job_id, TERMINAL, bound_s(cluster) + 30)
        hold_s = down_at + cluster.heartbeat_timeout_s + 1 - time.time()
        if hold_s > 0:  # keep the cable out longer than the heartbeat timeout (a duration, not a state)
            time.sleep(hold_s)
    finally:
        victim.host.link_up()
    up_at = time.time()
    _assert_reaped(cluster, job_id, final, survivor)
    closed_s = elapsed_since(down_at, str(final["finishedAt"]))
    assert closed_s <= bound_s(cluster) + SLACK_S, f"reaped {closed_s:.1f}s after the link went down"

    ended = _snapshot(cluster, job_id)

    def unchanged() -> bool:
        now = _snapshot(cluster, job_id)
        assert now == ended, f"the job changed after it ended:\nwas {ended}\nnow {now}"
        return True

    fenced_at = wait_until(lambda: unchanged() and len(victim.host.pids()) < busy, 30, "victim's horse gone")
    late = late_writes(cluster, victim, job_id, int(cluster.record(job_id)["token"]))
    assert not any(late.values()), f"a late write of the given-up attempt was accepted: {late}"
    watch_until = max(fenced_at, up_at) + (watch_s if watch_s is not None else cluster.heartbeat_timeout_s)
    while time.time() < watch_until:
        unchanged()
        time.sleep(0.1)
    watched_s = time.time() - up_at
    assert victim.process is not None and victim.process.poll() is None, "the worker outlived the partition"

    after = [cluster.upload(sample) for _ in range(2)]
    for next_id in after:
        _assert_completes(cluster, next_id)
    unchanged()
    assert_no_local_files(cluster)
    lines = [line for line in victim.log_text()[offset:].splitlines() if job_id in line]
    hosts = [cluster.holder(j).name for j in after]
    timings = (closed_s, up_at - down_at, fenced_at - up_at, watched_s)
    return Partition(job_id, victim.name, survivor.name, *timings, late, lines, hosts)


def late_writes(cluster: Cluster, victim: WorkerHost, job_id: str, token: int) -> dict[str, bool]:
    """Send the given-up attempt's writes from its own host (tests/support/late_writer.py)."""
    command = victim.host.argv([sys.executable, "-m", "tests.support.late_writer", job_id, str(token)])
    done = subprocess.run(
        command,
        env=cluster.host_env(victim.root),
        cwd=victim.root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    accepted: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return accepted


def _snapshot(cluster: Cluster, job_id: str) -> tuple[object, ...]:
    """Everything about an ended job: the raw record, the API's view, the bucket's objects and error.json."""
    status = cluster.status(job_id)
    keys = cluster.result_keys(job_id)
    error = cluster.s3_object(job_id, "error.json") if "error.json" in keys else None
    return cluster.record(job_id), status, keys, error, cluster.document(job_id)
