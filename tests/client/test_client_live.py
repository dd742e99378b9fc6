"""`SightlineClient` against a live stack: real API, real workers, real Redis."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from client import (
    ApiUnavailable,
    CancelRejected,
    JobNotFound,
    JobStatus,
    SightlineClient,
    Unauthorized,
    UploadRejected,
    WaitTimeout,
)
from client.cli import main_submit
from engine.supervisor.valkey import free_port
from tests.support.stack import Stack

FAST = (0.05, 0.1, 0.2)


@pytest.fixture(scope="module")
def slow_stack(redis_server, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Every job sleeps 30 s while parsing; uploads are capped at 0.01 MB."""
    live = Stack(
        redis_server,
        tmp_path_factory.mktemp("slow"),
        {"SIMULATED_SLOW_PROCESSING_SECONDS": "30", "MAX_UPLOAD_MB": "0.01"},
        2,
    )
    yield live
    live.stop()


def fast_client(api_url: str) -> SightlineClient:
    return SightlineClient(api_url, timeout_s=10, max_wait_s=60, poll_delays_s=FAST)


def test_upload_wait_and_result(stack: Stack, sales_demo: Path) -> None:
    client = fast_client(stack.api_url)
    job = client.upload(sales_demo)
    assert job.job_id.startswith("job_") and job.status == "submitted"
    seen: list[JobStatus] = []
    final = client.wait(job.job_id, on_progress=seen.append)
    assert final.status == "completed", final.raw
    assert seen[-1] == final and all(s.job_id == job.job_id for s in seen)
    doc = client.result(job.job_id)
    assert doc["jobId"] == job.job_id
    assert doc["fileInfo"]["rows"] == 7
    assert any(j.job_id == job.job_id for j in client.jobs(limit=5))


def test_upload_bytes_of_a_failing_file_gives_the_error_document(stack: Stack) -> None:
    client = fast_client(stack.api_url)
    job = client.upload(b"", "empty.csv")
    final = client.wait(job.job_id)
    assert final.status == "failed"
    assert final.error == "processing_error" and final.error_message
    doc = client.error_document(job.job_id)
    assert doc["status"] == "failed" and doc["error"] == final.error and doc["message"]


def test_unsupported_upload_is_rejected_with_the_servers_message(stack: Stack) -> None:
    with pytest.raises(UploadRejected) as caught:
        fast_client(stack.api_url).upload(b"MZ\x90\x00", "tool.exe")
    assert caught.value.status_code == 415
    assert "tool.exe" in caught.value.message


def test_unknown_job_raises_job_not_found(stack: Stack) -> None:
    client = fast_client(stack.api_url)
    with pytest.raises(JobNotFound):
        client.status("job_doesnotexist")
    with pytest.raises(JobNotFound):
        client.cancel("job_doesnotexist")


def test_health(stack: Stack) -> None:
    health = fast_client(stack.api_url).health()
    assert health.status == "ok" and health.redis and health.workers >= 2


def test_api_down_raises_api_unavailable() -> None:
    client = SightlineClient(f"http://127.0.0.1:{free_port()}", timeout_s=2)
    with pytest.raises(ApiUnavailable) as caught:
        client.health()
    assert "not reachable" in str(caught.value)


def test_cancel_a_running_job_then_again(slow_stack: Stack, sales_demo: Path) -> None:
    client = fast_client(slow_stack.api_url)
    job = client.upload(sales_demo)
    outcome = client.cancel(job.job_id)
    assert outcome.status == "cancelled" and not outcome.already_cancelled and outcome.cancelled_at
    again = client.cancel(job.job_id)
    assert again.already_cancelled and again.cancelled_at == outcome.cancelled_at
    assert client.wait(job.job_id).status == "cancelled"


def test_cancel_a_finished_job_is_rejected(stack: Stack, sales_demo: Path) -> None:
    client = fast_client(stack.api_url)
    job = client.upload(sales_demo)
    final = client.wait(job.job_id)
    with pytest.raises(CancelRejected) as caught:
        client.cancel(job.job_id)
    assert caught.value.status == final.status
    assert "Cannot cancel job" in caught.value.message


def test_wait_timeout_leaves_the_job_running(slow_stack: Stack, sales_demo: Path) -> None:
    client = fast_client(slow_stack.api_url)
    job = client.upload(sales_demo)
    with pytest.raises(WaitTimeout) as caught:
        client.wait(job.job_id, max_wait_s=0.5)
    assert caught.value.last_status.status in ("submitted", "processing")
    client.cancel(job.job_id)


def test_upload_over_the_limit_is_rejected_with_413(slow_stack: Stack) -> None:
    with pytest.raises(UploadRejected) as caught:
        fast_client(slow_stack.api_url).upload(b"a,b\n" + b"1,2\n" * 20_000, "big.csv")
    assert caught.value.status_code == 413 and caught.value.message


def run_cli(monkeypatch: pytest.MonkeyPatch, api_url: str, argv: list[str]) -> tuple[int, str, str]:
    monkeypatch.setenv("API_URL", api_url)
    out, err = io.StringIO(), io.StringIO()
    return main_submit(argv, out=out, err=err), out.getvalue(), err.getvalue()


def test_cli_submit_wait_prints_progress_and_summary(
    stack: Stack, sales_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(monkeypatch, stack.api_url, [str(sales_demo), "--wait"])
    assert code == 0, out + err
    assert "Submitted sales_demo.csv as job_" in out
    assert "completed" in out and "Top insights:" in out
    assert "%" in err and "[" in err  # the progress bar


def test_cli_reports_a_failed_job_and_an_unreachable_api(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out, _ = run_cli(monkeypatch, stack.api_url, [str(empty), "--wait"])
    assert code == 1 and "processing_error" in out and '"status": "failed"' in out
    code, _, err = run_cli(monkeypatch, f"http://127.0.0.1:{free_port()}", [str(empty)])
    assert code == 3 and "not reachable" in err


def test_a_job_id_cannot_escape_its_path_segment(stack: Stack) -> None:
    with pytest.raises(JobNotFound):
        fast_client(stack.api_url).status("../health")


def test_api_keys_are_sent_and_jobs_stay_private(make_stack, sales_demo: Path) -> None:  # type: ignore[no-untyped-def]
    keyed = make_stack(env={"API_KEYS": "key-a,key-b"}, workers=1)
    with pytest.raises(Unauthorized):
        fast_client(keyed.api_url).jobs()
    with pytest.raises(UploadRejected) as caught:
        fast_client(keyed.api_url).upload(sales_demo)
    assert caught.value.status_code == 401
    owner = SightlineClient(keyed.api_url, api_key="key-a", timeout_s=10, poll_delays_s=FAST)
    job = owner.upload(sales_demo)
    assert owner.wait(job.job_id, max_wait_s=60).is_terminal
    other = SightlineClient(keyed.api_url, api_key="key-b", timeout_s=10)
    with pytest.raises(JobNotFound):
        other.status(job.job_id)


def test_upload_url_refused_with_the_servers_reason(stack: Stack) -> None:
    with pytest.raises(UploadRejected) as caught:
        fast_client(stack.api_url).upload_url("ftp://example.com/sales.csv", "sales.csv")
    assert caught.value.status_code == 400 and "http or https" in caught.value.message
