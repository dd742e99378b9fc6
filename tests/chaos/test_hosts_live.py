"""Several hosts, for real: Redis + S3, the API and two workers, each in its own network namespace.

A lost worker host (every process SIGKILLed) and a partitioned one (its link down
for longer than the heartbeat timeout): the other host's reaper closes the job as
`worker_shutdown` with its error.json in the bucket, the partitioned host's late
writes (its result among them) are refused, and the surviving host goes on
completing jobs. The measured
timings are printed (`pytest -s`). `scripts/multihost.py` runs the same scenarios
for several rounds. Needs root and `ip netns` (CI runs as root); skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import netns
from tests.support.host_faults import assert_no_local_files, bound_s, describe, lose_a_host, partition_a_host
from tests.support.multihost import Cluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root (CI runs as root)"),
    pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2's `ip` (apt-get install iproute2)"),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    reason = netns.unavailable()
    if reason:
        pytest.skip(f"no network namespaces here: {reason}")
    with Cluster(
        tmp_path_factory.mktemp("hosts"), heartbeat_timeout_s=4, reaper_interval_s=1, slow_s=6
    ) as live:
        yield live


def test_a_job_goes_from_host_to_host_through_s3_only(cluster: Cluster, sales_demo: Path) -> None:
    job_id = cluster.upload(sales_demo)
    final = cluster.wait_for(job_id, timeout_s=cluster.slow_s + 60)
    assert final["status"] == "completed", final
    assert final["resultUrl"] == cluster.s3_url(job_id, "result.json")
    assert cluster.result_keys(job_id) == ["result.json"]
    assert cluster.document(job_id)["jobId"] == job_id
    assert_no_local_files(cluster)


@pytest.mark.timeout(150)
def test_a_lost_host_is_reaped_by_the_other_and_work_goes_on(cluster: Cluster, sales_demo: Path) -> None:
    loss = lose_a_host(cluster, sales_demo)
    print(f"\nhost loss (bound {bound_s(cluster):g}s): {describe(loss)}")
    assert loss.victim != loss.survivor


@pytest.mark.timeout(150)
def test_a_partitioned_host_is_reaped_and_its_late_result_refused(cluster: Cluster, sales_demo: Path) -> None:
    cut = partition_a_host(cluster, sales_demo)
    print(f"\npartition (bound {bound_s(cluster):g}s): {describe(cut)}")
    assert cut.link_down_s > cluster.heartbeat_timeout_s
