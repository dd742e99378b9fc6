"""URL uploads are safe: public http(s) only, checked after DNS and on every redirect."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from engine.config import Settings
from engine.download import check_url, download
from engine.errors import DownloadError


def settings(**values: object) -> Settings:
    base: dict[str, object] = {"RETRY_INITIAL_DELAY": 0.001, "BLOB_RETRY_ATTEMPTS": 2}
    base.update(values)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.csv",
        "http://localhost:8080/a.csv",
        "http://10.1.2.3/a.csv",
        "http://172.16.0.1/a.csv",
        "http://192.168.1.1/a.csv",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/a.csv",
        "http://0.0.0.0/a.csv",
        "http://[::1]/a.csv",
        "http://[::ffff:127.0.0.1]/a.csv",
        "http://[fd00::1]/a.csv",
        "http://224.0.0.1/a.csv",
        "file:///etc/passwd",
        "ftp://example.com/a.csv",
        "gopher://example.com/",
        "http:///nohost",
        "http://no-such-host.invalid/a.csv",
    ],
)
def test_forbidden_urls_are_refused(url: str) -> None:
    with pytest.raises(DownloadError):
        check_url(url, settings())


def test_allowlist_opens_a_host_or_a_range() -> None:
    check_url("http://127.0.0.1:9/a.csv", settings(URL_ALLOWLIST="127.0.0.0/8"))
    check_url("http://localhost/a.csv", settings(URL_ALLOWLIST="localhost"))
    with pytest.raises(DownloadError):
        check_url("http://10.0.0.1/a.csv", settings(URL_ALLOWLIST="127.0.0.0/8"))


def test_file_urls_only_when_allowed(tmp_path: object) -> None:
    from pathlib import Path

    table = Path(str(tmp_path)) / "t.csv"
    table.write_text("a,b\n1,2\n")
    with pytest.raises(DownloadError):
        download(table.as_uri(), settings())
    with download(table.as_uri(), settings(ALLOW_FILE_URLS=True)) as data:
        assert data.read() == b"a,b\n1,2\n"


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes, float]]] = {}

    def do_GET(self) -> None:
        status, headers, body, drip_s = self.routes.get(self.path, (404, {}, b"", 0.0))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        for i in range(0, len(body), 1024):
            self.wfile.write(body[i : i + 1024])
            if drip_s:
                self.wfile.flush()
                time.sleep(drip_s)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, tuple[int, dict[str, str], bytes, float]]]]:
    routes: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
    handler = type("H", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    httpd.shutdown()


def test_redirect_to_a_forbidden_address_is_refused(server: tuple[str, dict]) -> None:  # type: ignore[type-arg]
    base, routes = server
    port = base.rsplit(":", 1)[1]
    routes["/ok.csv"] = (200, {"Content-Length": "8"}, b"a,b\n1,2\n", 0.0)
    routes["/hop"] = (302, {"Location": "/ok.csv"}, b"", 0.0)
    routes["/evil"] = (302, {"Location": f"http://127.0.0.2:{port}/ok.csv"}, b"", 0.0)
    routes["/meta"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"", 0.0)
    allowed = settings(URL_ALLOWLIST="127.0.0.1/32")
    with download(f"{base}/hop", allowed) as data:
        assert data.read() == b"a,b\n1,2\n"
    for path in ("/evil", "/meta"):
        with pytest.raises(DownloadError, match="non-public address"):
            download(f"{base}{path}", allowed)


def test_size_and_time_are_bounded(server: tuple[str, dict]) -> None:  # type: ignore[type-arg]
    base, routes = server
    routes["/big.csv"] = (200, {}, b"x" * 200_000, 0.0)  # no Content-Length: counted while streaming
    routes["/slow.csv"] = (200, {}, b"y" * 20_000, 0.2)
    with pytest.raises(DownloadError, match="MAX_UPLOAD_MB"):
        download(f"{base}/big.csv", settings(URL_ALLOWLIST="127.0.0.1", MAX_UPLOAD_MB=0.1))
    started = time.monotonic()
    with pytest.raises(DownloadError, match="longer than"):
        download(f"{base}/slow.csv", settings(URL_ALLOWLIST="127.0.0.1", DOWNLOAD_TIMEOUT_SECONDS=1))
    assert time.monotonic() - started < 5
