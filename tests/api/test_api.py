"""The HTTP API against a live stack: the card's answers, and JSON errors only."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import requests

from tests.support.stack import Stack


def test_upload_answers_at_once_with_a_job_id(stack: Stack, sales_demo: Path) -> None:
    response = requests.post(
        f"{stack.api_url}/api/upload", files={"file": ("sales_demo.csv", sales_demo.read_bytes())}, timeout=10
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "submitted"
    assert body["jobId"].startswith("job_") and len(body["jobId"]) >= 16
    assert response.headers["Location"] == f"/api/job-status/{body['jobId']}"


def test_status_has_every_field_of_the_card(stack: Stack, sales_demo: Path) -> None:
    job_id = stack.upload(sales_demo)
    status = stack.status(job_id)
    card_fields = {
        "jobId",
        "status",
        "progress",
        "resultUrl",
        "error",
        "errorMessage",
        "createdAt",
        "updatedAt",
    }
    assert card_fields | {"cancelledAt", "timeoutAt", "stage"} <= set(status)
    assert status["status"] in ("submitted", "processing", "completed")


def test_completed_job_has_result_json_behind_result_url(stack: Stack, sales_demo: Path) -> None:
    job_id = stack.upload(sales_demo)
    final = stack.wait_for(job_id)
    assert final["status"] == "completed", final
    assert final["progress"] == 1.0 and final["error"] is None
    assert final["resultUrl"].startswith("file:///") and final["resultUrl"].endswith(f"{job_id}/result.json")
    on_disk = json.loads(Path(final["resultUrl"][len("file://") :]).read_text())
    over_http = requests.get(f"{stack.api_url}/api/jobs/{job_id}/result", timeout=10).json()
    assert on_disk == over_http
    assert on_disk["jobId"] == job_id


def test_recent_jobs_newest_first(stack: Stack, sales_demo: Path) -> None:
    first, second = stack.upload(sales_demo), stack.upload(sales_demo)
    jobs = requests.get(f"{stack.api_url}/api/jobs", params={"limit": 2}, timeout=10).json()["jobs"]
    assert [j["jobId"] for j in jobs] == [second, first]


@pytest.mark.parametrize("job_id", ["job_doesnotexist123", "../x", "*", "job_" + "a" * 10_000, "%00"])
def test_unknown_or_hostile_ids_get_json_404(stack: Stack, job_id: str) -> None:
    for method, url in [
        ("GET", f"{stack.api_url}/api/job-status/{job_id}"),
        ("GET", f"{stack.api_url}/api/jobs/{job_id}/result"),
        ("POST", f"{stack.api_url}/api/cancel?jobId={job_id}"),
    ]:
        response = requests.request(method, url, timeout=10)
        assert response.status_code == 404, (url[:120], response.status_code)
        assert response.json()["error"] == "not_found"


def test_cancel_without_job_id_is_400(stack: Stack) -> None:
    response = requests.post(f"{stack.api_url}/api/cancel", timeout=10)
    assert response.status_code == 400
    assert response.json()["error"] == "missing_job_id"


def test_missing_file_field_is_400(stack: Stack) -> None:
    response = requests.post(
        f"{stack.api_url}/api/upload", files={"upload": ("a.csv", b"a\n1\n")}, timeout=10
    )
    assert response.status_code == 400
    assert "'file'" in response.json()["message"]
    assert requests.post(f"{stack.api_url}/api/upload", timeout=10).status_code == 400


def test_unsupported_type_is_415(stack: Stack) -> None:
    response = requests.post(f"{stack.api_url}/api/upload", files={"file": ("a.exe", b"MZ")}, timeout=10)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_file_type"


def test_unknown_route_and_method_are_json(stack: Stack) -> None:
    assert requests.get(f"{stack.api_url}/api/nope", timeout=10).json()["error"] == "not_found"
    response = requests.get(f"{stack.api_url}/api/upload", timeout=10)
    assert response.status_code == 405 and response.json()["error"] == "method_not_allowed"


def test_oversize_upload_is_413_before_the_body_is_read(make_stack: object) -> None:
    live = make_stack(env={"MAX_UPLOAD_MB": "1"}, workers=1)  # type: ignore[operator]
    # Claim 500 MB but send only the headers: the answer must come without the body.
    host, port = "127.0.0.1", live.port
    with socket.create_connection((host, port), timeout=10) as sock:
        head = (
            f"POST /api/upload HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {500 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        chunks = []
        while chunk := sock.recv(65536):  # the server answers, then closes
            chunks.append(chunk)
        answer = b"".join(chunks).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "file_too_large" in answer and "MAX_UPLOAD_MB" in answer
    big = b"a,b\n" + b"1,2\n" * 400_000  # 1.6 MB
    response = requests.post(f"{live.api_url}/api/upload", files={"file": ("big.csv", big)}, timeout=30)
    assert response.status_code == 413
    assert response.json()["error"] == "file_too_large"


def test_health_reports_redis_workers_and_queue(stack: Stack) -> None:
    body = requests.get(f"{stack.api_url}/api/health", timeout=10).json()
    assert body["redis"] is True and body["workers"] >= 2 and isinstance(body["queueLength"], int)
    assert "llmCircuit" in body
    assert body["storage"] == {
        "backend": "file",
        "url": stack.results_dir.resolve().as_uri(),
        "reachable": True,
    }


def test_result_of_an_unfinished_job_is_409(make_stack: object, sales_demo: Path) -> None:
    live = make_stack(env={"SIMULATED_SLOW_PROCESSING_SECONDS": "30"}, workers=1)  # type: ignore[operator]
    job_id = live.upload(sales_demo)
    response = requests.get(f"{live.api_url}/api/jobs/{job_id}/result", timeout=10)
    assert response.status_code == 409
    assert response.json()["error"] == "not_finished" and response.json()["status"] in (
        "submitted",
        "processing",
    )
    live.cancel(job_id)
    cancelled = requests.get(f"{live.api_url}/api/jobs/{job_id}/result", timeout=10).json()
    assert cancelled["status"] == "cancelled" and cancelled["jobId"] == job_id


def test_file_url_to_a_private_address_is_refused_at_once(stack: Stack) -> None:
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:5328/x.csv",
        "http://[::1]/a.csv",
    ]:
        response = requests.post(f"{stack.api_url}/api/upload", json={"fileUrl": url}, timeout=10)
        assert response.status_code == 400, url
        assert "non-public address" in response.json()["message"]
