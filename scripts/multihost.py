#!/usr/bin/env python3
"""Several hosts, for real: lose a worker host, partition one, and time how the cluster copes.

Builds five network namespaces on a bridge (tests/support/netns.py): `store` runs
Valkey and moto's S3 server, `api` the API under gunicorn, `w1` and `w2` one worker
each, every host with its own folders; STORAGE_URL=s3://..., REDIS_URL and
S3_ENDPOINT_URL point at the store host's address. Then, ROUNDS times:

- host loss: a slow job starts on some worker host; every process of that host is
  SIGKILLed; the other host's reaper must fail the job (`worker_shutdown`, error.json
  in the bucket, served by the API) within the heartbeat bound, and the next job
  must complete on the surviving host; the lost host is then started again;
- partition: a slow job starts on some worker host; its link goes down for longer
  than the heartbeat timeout; the other host's reaper must fail the job the same
  way; after the link is back, the job's record, documents and API view must never
  change again: the partitioned worker stops the work, and the attempt's late writes
  sent from that host (progress, heartbeat, result, failure) are all refused; both
  hosts must go on completing jobs.

Prints each round's timings and a summary (min / median / max), and exits non-zero
if a check fails. Needs root and iproute2 (`ip netns`); everything it makes is
deleted on exit, also on failure or Ctrl-C.

    sudo .venv/bin/python scripts/multihost.py                 # 3 rounds
    sudo .venv/bin/python scripts/multihost.py --rounds 5 --heartbeat-timeout 6 --slow 8
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import netns  # noqa: E402
from tests.support.host_faults import bound_s, describe, lose_a_host, partition_a_host  # noqa: E402
from tests.support.multihost import Cluster  # noqa: E402

SAMPLE = ROOT / "dev-samples" / "sales_demo.csv"
TIMINGS = {
    "host loss": ("kill_to_closed_s", "kill_to_seen_s", "next_job_s"),
    "partition": ("down_to_closed_s", "link_down_s", "up_to_fenced_s", "watched_s"),
}


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through the cluster's cleanup


def summary(results: dict[str, list[dict[str, object]]]) -> list[str]:
    lines = []
    for scenario, fields in TIMINGS.items():
        for name in fields:
            values = [float(r[name]) for r in results[scenario]]  # type: ignore[arg-type]
            if values:
                middle = statistics.median(values)
                lines.append(
                    f"  {scenario:9} {name:17} min {min(values):6.2f}  median {middle:6.2f}"
                    f"  max {max(values):6.2f}  (n={len(values)})"
                )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--heartbeat-timeout", type=float, default=4, help="WORKER_HEARTBEAT_TIMEOUT_SECONDS")
    parser.add_argument("--reaper-interval", type=float, default=1, help="REAPER_INTERVAL_SECONDS")
    parser.add_argument("--slow", type=float, default=6, help="SIMULATED_SLOW_PROCESSING_SECONDS per job")
    parser.add_argument("--keep", action="store_true", help="keep the hosts' folders (logs) afterwards")
    args = parser.parse_args(argv)
    reason = netns.unavailable()
    if reason:
        print(f"multihost: cannot build hosts here: {reason}")
        return 2
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    work = Path(tempfile.mkdtemp(prefix="sightline-hosts-"))
    results: dict[str, list[dict[str, object]]] = {"host loss": [], "partition": []}
    failed = False
    started = time.monotonic()
    try:
        with Cluster(
            work,
            heartbeat_timeout_s=args.heartbeat_timeout,
            reaper_interval_s=args.reaper_interval,
            slow_s=args.slow,
        ) as cluster:
            net = cluster.network
            hosts = ", ".join(f"{h.name} {h.ip}" for h in net.hosts.values())
            up_s = time.monotonic() - started
            print(
                f"multihost: {len(net.hosts)} hosts on {net.subnet} (run {net.run_id}), "
                f"up in {up_s:.1f}s: {hosts}"
            )
            print(
                f"multihost: heartbeat timeout {args.heartbeat_timeout:g}s + reaper interval "
                f"{args.reaper_interval:g}s = bound {bound_s(cluster):g}s; slow jobs {args.slow:g}s"
            )
            for number in range(1, args.rounds + 1):
                loss = lose_a_host(cluster, SAMPLE)
                results["host loss"].append(asdict(loss))
                print(f"round {number} host loss: {describe(loss)}")
                cut = partition_a_host(cluster, SAMPLE)
                results["partition"].append(asdict(cut))
                print(f"round {number} partition: {describe(cut)}")
                for line in cut.victim_lines:
                    print(f"    {cut.victim} later logged: {line}")
    except AssertionError:
        failed = True
        print("multihost: CHECK FAILED")
        traceback.print_exc()
    except KeyboardInterrupt:
        failed = True
        print("multihost: interrupted; hosts removed")
    print(
        f"multihost: {sum(map(len, results.values()))} scenario run(s) in {time.monotonic() - started:.0f}s"
    )
    print("\n".join(summary(results)))
    if failed or args.keep:
        print(f"multihost: hosts' folders and logs in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print("multihost: " + ("FAILED" if failed else "all checks passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
