"""Hostile input never gets a 500, never kills a worker, never writes outside the storage roots."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from tests.hostile.corpus import CASES, Case
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def hostile_stack(stack: Stack) -> Iterator[Stack]:
    yield stack
    # After the whole corpus: both workers alive, and nothing written outside the roots.
    assert all(w.poll() is None for w in stack.workers), stack.worker_logs()[-3000:]
    assert requests.get(f"{stack.api_url}/api/health", timeout=10).json()["workers"] >= 2
    allowed = {stack.results_dir.resolve(), stack.upload_dir.resolve(), (stack.root / "logs").resolve()}
    for path in stack.root.rglob("*"):
        assert any(path.resolve().is_relative_to(root) for root in allowed) or path.is_dir(), path


def _upload(stack: Stack, case: Case) -> requests.Response:
    return requests.post(
        f"{stack.api_url}/api/upload", files={"file": (case.filename, case.body)}, timeout=120
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(hostile_stack: Stack, case: Case) -> None:
    response = _upload(hostile_stack, case)
    assert response.status_code < 500, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    if response.status_code != 202:
        assert response.status_code in case.accept, (response.status_code, response.text)
        assert response.json()["message"]
        return
    job_id = response.json()["jobId"]
    final = hostile_stack.wait_for(job_id, timeout_s=150)
    assert final["status"] in case.accept, final
    if final["status"] == "failed":
        assert final["error"] == "processing_error", final
        message = final["errorMessage"] or ""
        assert len(message) > 15 and "Unexpected error" not in message, message
        assert case.message.lower() in message.lower(), message
    stored = list((hostile_stack.upload_dir / job_id).iterdir())
    assert len(stored) == 1 and "/" not in stored[0].name and "\x00" not in stored[0].name


HOSTILE_IDS = ["../x", "*", "job_" + "a" * 10_000, "..%2F..%2Fetc%2Fpasswd", "job_\x00abc"]
HOSTILE_IDS += ["job_💥💥💥💥💥💥💥💥💥💥💥💥", "' OR 1=1 --", " "]


@pytest.mark.parametrize("job_id", HOSTILE_IDS)
def test_hostile_job_ids(hostile_stack: Stack, job_id: str) -> None:
    api = hostile_stack.api_url
    quoted = requests.utils.quote(job_id, safe="")
    for method, url in [
        ("GET", f"{api}/api/job-status/{quoted}"),
        ("GET", f"{api}/api/jobs/{quoted}/result"),
        ("POST", f"{api}/api/cancel?jobId={quoted}"),
    ]:
        response = requests.request(method, url, timeout=10)
        assert response.status_code in (400, 404), (url[:100], response.status_code)
        assert response.json()["error"] in ("not_found", "missing_job_id")


def test_wrong_content_type_and_bodies(hostile_stack: Stack) -> None:
    api = hostile_stack.api_url
    cases = [
        {"data": b"a,b\n1,2\n", "headers": {"Content-Type": "text/csv"}},
        {"data": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"data": b"[1, 2, 3]", "headers": {"Content-Type": "application/json"}},
        {"data": b'{"fileUrl": 12}', "headers": {"Content-Type": "application/json"}},
        {"data": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data; boundary=x"}},
        {"data": b"", "headers": {"Content-Type": "multipart/form-data"}},
    ]
    for case in cases:
        response = requests.post(f"{api}/api/upload", timeout=10, **case)  # type: ignore[arg-type]
        assert response.status_code in (400, 415), (case, response.status_code, response.text)
        assert response.json()["message"]


def test_lying_content_length_is_a_clean_4xx(hostile_stack: Stack) -> None:
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,b\n1,2\n'
    head = (
        "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {len(body) + 5000}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", hostile_stack.port), timeout=30) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)  # the body ends long before the length it claimed
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    assert 400 <= status < 500 or answer == b"", answer[:300]
    assert requests.get(f"{hostile_stack.api_url}/api/health", timeout=10).status_code == 200
