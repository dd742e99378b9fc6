"""Benchmark: S3 storage against file storage, in the same run.

1. Latency: dev-samples/sales_demo.csv from upload to a terminal status seen by a
   client (bench_latency's loop: one client, job-status polled every 10 ms, 2
   workers, no LLM), with STORAGE_URL=file://..., with STORAGE_URL=s3://... on
   moto's standalone server, and with S3 and INLINE_UPLOAD_KB=0 (the horse GETs
   its input from the bucket instead of taking the small upload's copy in Redis):
   the three stacks run at once and the jobs rotate between them, so the machine's
   background load weighs on all alike. Also moto's own time per S3 request, back
   to back, measured right after (a request after a pause, as in a job, takes
   longer). Target (issue 12): p50 overhead of S3 over files <= 30 ms.
2. Memory: a 1 GB upload (a CSV body streamed by the client, never built in memory)
   through the API into S3 as a multipart upload; the API worker's peak RSS
   (VmHWM) minus its RSS before. Target: < 100 MB. No worker runs: the job stays
   queued, only the upload is measured.

    python -m bench.bench_storage [--jobs 60] [--upload-mb 1024]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import requests

from bench.bench_latency import Sample, one_job
from bench.stack import (
    REPO,
    SALES_DEMO,
    StreamedCsvForm,
    machine_note,
    percentile,
    running_moto,
    running_stack,
    verdict,
)

WARM_UP_JOBS = 2
PREFIX = "bench"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


FILE, S3, S3_FETCHED = "file", "s3", "s3, input fetched"
ORDERS = ((FILE, S3, S3_FETCHED), (S3, S3_FETCHED, FILE), (S3_FETCHED, FILE, S3))


def latency_runs(jobs: int, s3_env: dict[str, str]) -> dict[str, list[Sample]]:
    """Three stacks up at once; jobs rotate between them so drift in the machine's load weighs
    on all alike. `s3, input fetched` is S3 with INLINE_UPLOAD_KB=0: every horse GETs its upload."""
    data = SALES_DEMO.read_bytes()
    results: dict[str, list[Sample]] = {FILE: [], S3: [], S3_FETCHED: []}
    fetched_env = {**s3_env, "INLINE_UPLOAD_KB": "0"}
    with (
        running_stack(workers=2) as file_stack,
        running_stack(workers=2, env=s3_env) as s3_stack,
        running_stack(workers=2, env=fetched_env) as fetched_stack,
        requests.Session() as session,
    ):
        urls = {FILE: file_stack.api_url, S3: s3_stack.api_url, S3_FETCHED: fetched_stack.api_url}
        for backend, url in urls.items():
            shown = session.get(f"{url}/api/health", timeout=10).json()["storage"]["backend"]
            assert shown == backend.split(",")[0], (backend, shown)
            for _ in range(WARM_UP_JOBS):
                one_job(session, url, data)
        for n in range(jobs):
            for backend in ORDERS[n % len(ORDERS)]:
                results[backend].append(one_job(session, urls[backend], data))
    return results


def report_latency(results: dict[str, list[Sample]]) -> None:
    figures: dict[str, tuple[float, float]] = {}
    for backend, samples in results.items():
        totals = [s.total_s for s in samples]
        p50, p95 = percentile(totals, 50), percentile(totals, 95)
        figures[backend] = (p50, p95)
        statuses = {st: sum(s.status == st for s in samples) for st in sorted({s.status for s in samples})}
        print(f"  {backend:17s}: p50 {_ms(p50)}  p95 {_ms(p95)}  ({len(samples)} jobs, {statuses})")
        rest = [s.total_s - s.upload_s - s.queue_s - s.processing_s for s in samples]
        for name, values in (
            ("POST /api/upload round trip", [s.upload_s for s in samples]),
            ("queue wait (startedAt - createdAt)", [s.queue_s for s in samples]),
            ("processing (finishedAt - startedAt)", [s.processing_s for s in samples]),
            ("client notices (rest, incl. polling)", rest),
        ):
            print(f"         {name:38s} median {_ms(statistics.median(values))}")
        error = next((s.error for s in samples if s.error), None)
        if error:
            print(f"  WARNING: not every {backend} job completed; the first error was {error}")
    for backend in (S3, S3_FETCHED):
        over_p50 = figures[backend][0] - figures[FILE][0]
        over_p95 = figures[backend][1] - figures[FILE][1]
        print(f"  overhead of {backend} over file: p50 {_ms(over_p50)}  p95 {_ms(over_p95)}"
              f"  (ratio p50 {figures[backend][0] / figures[FILE][0]:.2f}x)")  # fmt: skip
    overhead_p50 = figures[S3][0] - figures[FILE][0]
    print(f"  target p50 overhead of S3 (default settings) <= 30 ms: {verdict(overhead_p50 <= 0.030)}")


def s3_round_trips(moto_url: str, env: dict[str, str], repeats: int = 25) -> dict[str, float]:
    """Median seconds of one S3 request to this moto server, by kind (a 50 KB object)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    s3 = session.client("s3", endpoint_url=moto_url, config=Config(retries={"total_max_attempts": 1}))
    bucket = env["STORAGE_URL"].split("/")[2]
    body = b"x" * 50_000
    calls = {
        "PUT": lambda i: s3.put_object(Bucket=bucket, Key=f"rt/{i}", Body=body),
        "GET": lambda i: s3.get_object(Bucket=bucket, Key=f"rt/{i}")["Body"].read(),
        "HEAD": lambda i: s3.head_object(Bucket=bucket, Key=f"rt/{i}"),
        "COPY": lambda i: s3.copy_object(
            Bucket=bucket, Key=f"rt/c{i}", CopySource={"Bucket": bucket, "Key": f"rt/{i}"}
        ),
    }
    medians = {}
    for kind, call in calls.items():
        times = []
        for i in range(repeats):
            started = time.perf_counter()
            call(i)
            times.append(time.perf_counter() - started)
        medians[kind] = statistics.median(times)
    return medians


def _children(pid: int) -> list[int]:
    return [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def big_upload(size_mb: int, s3_env: dict[str, str]) -> None:
    form = StreamedCsvForm(size_mb * 1024 * 1024)
    env = {
        **s3_env,
        "MAX_UPLOAD_MB": str(size_mb + 16),
        "API_PROCESSES": "1",
        "S3_READ_TIMEOUT_SECONDS": "120",
    }
    with running_stack(workers=0, env=env) as stack:
        requests.get(f"{stack.api_url}/api/health", timeout=10)  # the S3 client is built and used once
        (pid,) = _children(stack.procs["api"].pid)
        before_kb = _status_kb(pid, "VmRSS")
        started = time.perf_counter()
        answer = requests.post(
            f"{stack.api_url}/api/upload", data=form, headers={"Content-Type": form.content_type}, timeout=900
        )
        took = time.perf_counter() - started
        peak_kb = _status_kb(pid, "VmHWM")
    answer.raise_for_status()
    growth_mb = (peak_kb - before_kb) / 1024
    print(f"  {len(form) / 2**20:.0f} MB upload -> S3 (multipart, 8 MB parts) in {took:.1f} s "
          f"({len(form) / 2**20 / took:.0f} MB/s), job {answer.json()['jobId']}")  # fmt: skip
    print(
        f"  API worker RSS before {before_kb / 1024:.0f} MB, peak during the upload {peak_kb / 1024:.0f} MB"
    )
    ratio = growth_mb / (len(form) / 2**20)
    print(f"  memory growth {growth_mb:.1f} MB; ratio growth / upload size {ratio:.3f}")
    print(f"  target growth < 100 MB: {verdict(growth_mb < 100)}")


def run(jobs: int = 60, upload_mb: int = 1024) -> None:
    print(f"\n== bench_storage: {SALES_DEMO.relative_to(REPO)} upload -> terminal, S3 (moto) against files")
    with running_moto() as moto:
        s3_env = {**moto.env, "STORAGE_URL": f"s3://{moto.new_bucket()}/{PREFIX}"}
        report_latency(latency_runs(jobs, s3_env))
        trips = s3_round_trips(moto.url, s3_env)
        shown = ", ".join(f"{kind} {_ms(t).strip()}" for kind, t in trips.items())
        floor = trips["PUT"] * 2 + trips["COPY"]
        print(f"  one S3 request to this moto server, back to back (median): {shown}")
        print(
            "  S3 requests on the critical path: 3 (upload PUT, result PUT, publish COPY)"
            f" = {_ms(floor).strip()}; with the input fetched, 4 (+ GET {_ms(trips['GET']).strip()})"
        )
        print(f"  machine: {machine_note()}")
        print(f"\n== bench_storage: a {upload_mb} MB upload through the API into S3, API memory")
        big_upload(upload_mb, {**moto.env, "STORAGE_URL": f"s3://{moto.new_bucket()}/{PREFIX}"})
    print(f"  machine: {machine_note()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=60, help="measured jobs per backend (default 60)")
    parser.add_argument("--upload-mb", type=int, default=1024, help="size of the big upload (default 1024)")
    args = parser.parse_args()
    run(max(10, args.jobs), max(16, args.upload_mb))


if __name__ == "__main__":
    main()
