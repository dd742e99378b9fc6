"""The real API and workers with STORAGE_URL=s3://... on the moto server.

Nothing is shared through local files: uploads, result.json and error.json live
in the bucket, workers copy the input into their scratch folder, and the API
serves the documents from S3.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from engine.supervisor.valkey import EmbeddedValkey
from tests.support.moto import MotoServer
from tests.support.stack import TERMINAL, Stack, poll
from tests.support.streaming import CONTENT_TYPE, StreamedCsvForm

PREFIX = "sightline"


@pytest.fixture(scope="module")
def bucket(moto_server: MotoServer) -> str:
    return moto_server.new_bucket()


@pytest.fixture(scope="module")
def s3_stack(
    redis_server: EmbeddedValkey,
    moto_server: MotoServer,
    bucket: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("s3stack")
    env = {**moto_server.s3_env(bucket, PREFIX), "SCRATCH_DIR": str(root / "scratch")}
    live = Stack(redis_server, root, env, 2)
    yield live
    live.stop()


def key_of(url: str, bucket: str) -> str:
    assert url.startswith(f"s3://{bucket}/"), url
    return url[len(f"s3://{bucket}/") :]


def test_a_job_goes_through_s3_and_nothing_through_local_files(
    s3_stack: Stack, moto_server: MotoServer, bucket: str, sales_demo: Path
) -> None:
    job_id = s3_stack.upload(sales_demo)
    final = s3_stack.wait_for(job_id)
    assert final["status"] == "completed", final
    assert final["resultUrl"] == f"s3://{bucket}/{PREFIX}/results/{job_id}/result.json"
    assert moto_server.keys(bucket, f"{PREFIX}/uploads/{job_id}/") == [
        f"{PREFIX}/uploads/{job_id}/sales_demo.csv"
    ]
    assert moto_server.keys(bucket, f"{PREFIX}/results/{job_id}/") == [key_of(final["resultUrl"], bucket)]
    served = requests.get(f"{s3_stack.api_url}/api/jobs/{job_id}/result", timeout=10)
    assert served.status_code == 200
    stored = moto_server.client().get_object(Bucket=bucket, Key=key_of(final["resultUrl"], bucket))
    assert served.json() == json.loads(stored["Body"].read())
    assert not s3_stack.upload_dir.exists() and not s3_stack.results_dir.exists()
    poll(lambda: list((s3_stack.root / "scratch").glob("job_*")), lambda left: not left, 10)


def test_health_names_the_bucket(s3_stack: Stack, bucket: str) -> None:
    body = requests.get(f"{s3_stack.api_url}/api/health", timeout=10).json()
    assert body["storage"] == {"backend": "s3", "url": f"s3://{bucket}/{PREFIX}", "reachable": True}


def test_a_failed_job_has_its_error_json_in_the_bucket(
    s3_stack: Stack, moto_server: MotoServer, bucket: str
) -> None:
    job_id = s3_stack.upload(data=b"\x00\x01\x02 not a table \xff" * 50, name="junk.csv")
    final = s3_stack.wait_for(job_id)
    assert (final["status"], final["error"]) == ("failed", "processing_error"), final
    assert moto_server.keys(bucket, f"{PREFIX}/results/{job_id}/") == [key_of(final["resultUrl"], bucket)]
    doc = requests.get(f"{s3_stack.api_url}/api/jobs/{job_id}/result", timeout=10).json()
    assert (doc["jobId"], doc["status"], doc["error"]) == (job_id, "failed", "processing_error")


def test_a_terminal_status_is_never_visible_before_its_document(
    s3_stack: Stack, moto_server: MotoServer, bucket: str, sales_demo: Path
) -> None:
    """Poll as fast as one client can; the moment a job looks terminal, its document is in S3."""
    payload = sales_demo.read_bytes()
    session = requests.Session()
    for _ in range(15):
        job_id = s3_stack.upload(data=payload, name="sales_demo.csv")
        seen = poll(
            lambda job_id=job_id: session.get(
                f"{s3_stack.api_url}/api/job-status/{job_id}", timeout=10
            ).json(),
            lambda body: body["status"] in TERMINAL,
            60,
            0.0,
        )
        assert moto_server.exists(bucket, key_of(seen["resultUrl"], bucket)), seen


def test_cancel_racing_completion_on_s3(
    s3_stack: Stack, moto_server: MotoServer, bucket: str, sales_demo: Path
) -> None:
    payload = sales_demo.read_bytes()
    rng = random.Random(12)
    job_ids = [s3_stack.upload(data=payload, name="s.csv") for _ in range(30)]
    threads = [threading.Timer(rng.uniform(0, 0.4), s3_stack.cancel, args=(job_id,)) for job_id in job_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def statuses() -> list[str]:
        return [s3_stack.status(j)["status"] for j in job_ids]

    final = poll(statuses, lambda s: all(x in TERMINAL for x in s), 120, 0.2)
    assert "failed" not in final
    for job_id, status in zip(job_ids, final, strict=True):
        names = {k.rsplit("/", 1)[1] for k in moto_server.keys(bucket, f"{PREFIX}/results/{job_id}/")}
        assert names == ({"result.json"} if status == "completed" else {"error.json"}), (job_id, status)


def _api_worker_pid(stack: Stack) -> int:
    children = Path(f"/proc/{stack.api.pid}/task/{stack.api.pid}/children").read_text().split()
    assert len(children) == 1, children  # API_PROCESSES=1
    return int(children[0])


def _memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.mark.slow
def test_a_large_upload_streams_into_s3_without_growing_the_api(
    make_stack: Callable[..., Stack], moto_server: MotoServer
) -> None:
    """160 MB through the API into a multipart upload: the API grows far less than the file."""
    bucket = moto_server.new_bucket()
    live = make_stack(env={**moto_server.s3_env(bucket, PREFIX), "MAX_UPLOAD_MB": "200"}, workers=0)
    requests.get(f"{live.api_url}/api/health", timeout=10)  # the S3 client is made and used once
    pid = _api_worker_pid(live)
    before_kb = _memory_kb(pid, "VmRSS")
    form = StreamedCsvForm(160 * 1024 * 1024)
    answer = requests.post(
        f"{live.api_url}/api/upload", data=form, headers={"Content-Type": CONTENT_TYPE}, timeout=300
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["jobId"]
    growth_mb = (_memory_kb(pid, "VmHWM") - before_kb) / 1024
    head: dict[str, Any] = moto_server.client().head_object(
        Bucket=bucket, Key=f"{PREFIX}/uploads/{job_id}/big.csv"
    )
    assert head["ContentLength"] == form.size
    assert head["ETag"].strip('"').endswith(f"-{-(-form.size // (8 * 1024 * 1024))}"), "a multipart upload"
    print(f"API peak memory growth for a {form.size / 2**20:.0f} MB upload: {growth_mb:.1f} MB")
    assert growth_mb < 60, growth_mb


def test_a_bucket_that_disappears_fails_jobs_and_health(
    make_stack: Callable[..., Stack], moto_server: MotoServer, sales_demo: Path
) -> None:
    bucket = moto_server.new_bucket()
    env = {**moto_server.s3_env(bucket, PREFIX), "RETRY_INITIAL_DELAY": "0.01"}
    live = make_stack(env=env, workers=1)
    assert live.wait_for(live.upload(sales_demo))["status"] == "completed"
    moto_server.delete_bucket(bucket)
    health = requests.get(f"{live.api_url}/api/health", timeout=10)
    assert health.status_code == 503
    assert health.json()["storage"]["reachable"] is False and health.json()["status"] == "down"
    answer = requests.post(
        f"{live.api_url}/api/upload", files={"file": ("s.csv", sales_demo.read_bytes())}, timeout=30
    )
    assert answer.status_code == 503 and answer.json()["error"] == "blob_upload_failed", answer.text
    assert "NoSuchBucket" in answer.json()["message"]
    job_id = answer.json()["jobId"]
    record = live.status(job_id)
    assert record["status"] == "submitted" and record["stage"] == "saving", "not ended before its error.json"
    moto_server.client().create_bucket(Bucket=bucket)  # storage is back: the reader writes error.json
    record = live.status(job_id)
    assert (record["status"], record["error"]) == ("failed", "blob_upload_failed")
    assert requests.get(f"{live.api_url}/api/jobs/{job_id}/result", timeout=10).json()["error"] == (
        "blob_upload_failed"
    )


def _inline_stack(make_stack: Callable[..., Stack], moto_server: MotoServer, **env: str) -> tuple[Stack, str]:
    bucket = moto_server.new_bucket()
    return make_stack(env={**moto_server.s3_env(bucket, PREFIX), **env}, workers=0), bucket


def test_a_small_upload_is_kept_in_redis_and_its_horse_needs_no_get(
    make_stack: Callable[..., Stack], moto_server: MotoServer, sales_demo: Path
) -> None:
    live, bucket = _inline_stack(make_stack, moto_server)
    job_id = live.upload(sales_demo)
    key = f"sightline:input:{job_id}"
    assert live.redis.get(key) == sales_demo.read_bytes()
    assert 0 < live.redis.ttl(key) <= 600 + 60, "kept until the job's deadline (JOB_TIMEOUT_SECONDS=600)"
    upload_key = f"{PREFIX}/uploads/{job_id}/sales_demo.csv"
    assert moto_server.keys(bucket, f"{PREFIX}/uploads/{job_id}/") == [upload_key], "the bucket has it too"
    moto_server.client().delete_object(Bucket=bucket, Key=upload_key)  # a GET of it would now fail
    live.start_worker()
    final = live.wait_for(job_id, timeout_s=30)
    assert final["status"] == "completed", final
    assert not live.redis.exists(key), "taken by the horse"


def test_a_copy_gone_from_redis_falls_back_to_the_bucket(
    make_stack: Callable[..., Stack], moto_server: MotoServer, sales_demo: Path
) -> None:
    live, _ = _inline_stack(make_stack, moto_server)
    job_id = live.upload(sales_demo)
    assert live.redis.delete(f"sightline:input:{job_id}") == 1  # expired, or taken by a crashed attempt
    live.start_worker()
    assert live.wait_for(job_id, timeout_s=30)["status"] == "completed"


def test_an_upload_over_the_inline_limit_is_only_in_the_bucket(
    make_stack: Callable[..., Stack], moto_server: MotoServer, sales_demo: Path
) -> None:
    live, _ = _inline_stack(make_stack, moto_server, INLINE_UPLOAD_KB="0.25")  # 256 bytes < the sample
    assert sales_demo.stat().st_size > 256
    job_id = live.upload(sales_demo)
    assert not live.redis.exists(f"sightline:input:{job_id}")
    live.start_worker()
    assert live.wait_for(job_id, timeout_s=30)["status"] == "completed"
