"""Storage faults and URL uploads through the real API and workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.support.stack import Stack, poll


def test_result_save_failing_every_time_fails_the_job_with_blob_upload_failed(
    make_stack: object, sales_demo: Path
) -> None:
    live: Stack = make_stack(  # type: ignore[operator]
        env={"BLOB_FAULT_FAILURES": "all", "BLOB_FAULT_OPS": "result", "RETRY_INITIAL_DELAY": "0.01"},
        workers=1,
    )
    job_id = live.upload(sales_demo)
    final = live.wait_for(job_id)
    assert final["status"] == "failed" and final["error"] == "blob_upload_failed", final
    assert "3 attempts" in final["errorMessage"]
    assert live.doc_path(job_id, "error.json").exists()
    assert not live.doc_path(job_id, "result.json").exists()
    logs = live.worker_logs()
    assert all(f"Save file result.json for job {job_id}: Attempt {n}/3" in logs for n in (1, 2, 3))


class _FlakyFiles(BaseHTTPRequestHandler):
    """Serves /sales.csv, failing the first `fail_first` requests with 503."""

    body = b""
    fail_first = 0
    served = 0

    def do_GET(self) -> None:
        type(self).served += 1
        if self.path != "/sales.csv":
            self.send_error(404)
            return
        if type(self).served <= type(self).fail_first:
            self.send_error(503)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def file_server(sales_demo: Path) -> Iterator[tuple[str, type[_FlakyFiles]]]:
    handler = type("Handler", (_FlakyFiles,), {"body": sales_demo.read_bytes(), "fail_first": 2, "served": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_file_url_upload_retries_the_download(
    make_stack: object, file_server: tuple[str, type[_FlakyFiles]]
) -> None:
    live: Stack = make_stack(  # type: ignore[operator]
        env={"RETRY_INITIAL_DELAY": "0.01", "URL_ALLOWLIST": "127.0.0.1/32"}, workers=1
    )
    base, handler = file_server
    url = f"{base}/sales.csv"
    response = requests.post(
        f"{live.api_url}/api/upload", json={"fileUrl": url, "filename": "sales.csv"}, timeout=10
    )
    assert response.status_code == 202
    job_id = response.json()["jobId"]
    final = live.wait_for(job_id)
    assert final["status"] == "completed", final
    assert final["fileName"] == "sales.csv"
    assert handler.served == 3
    logs = poll(live.worker_logs, lambda t: f"Download {url}: Attempt 3/3" in t, 5)
    assert f"Download {url}: Attempt 1/3" in logs


def test_file_url_must_be_http(stack: Stack) -> None:
    for url in ["file:///etc/passwd", "ftp://x/y.csv", "gopher://x", "not a url"]:
        response = requests.post(f"{stack.api_url}/api/upload", json={"fileUrl": url}, timeout=10)
        assert response.status_code == 400, url
        assert response.json()["error"] == "invalid_url"


def test_unreachable_file_url_fails_the_job_with_a_clear_message(make_stack: object) -> None:
    live: Stack = make_stack(env={"URL_ALLOWLIST": "127.0.0.1", "RETRY_INITIAL_DELAY": "0.01"})  # type: ignore[operator]
    response = requests.post(
        f"{live.api_url}/api/upload", json={"fileUrl": "http://127.0.0.1:9/missing.csv"}, timeout=10
    )
    final = live.wait_for(response.json()["jobId"], timeout_s=90)
    assert final["status"] == "failed" and final["error"] == "processing_error", final
    assert "Download of http://127.0.0.1:9/missing.csv failed" in final["errorMessage"]
