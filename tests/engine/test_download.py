"""URL uploads are safe: public http(s) only, checked after DNS and on every redirect."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
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
        # IPv6 forms that embed a private, loopback or metadata IPv4 address
        "http://[64:ff9b::7f00:1]/a.csv",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 of 169.254.169.254
        "http://[64:ff9b::10.0.0.1]/a.csv",
        "http://[64:ff9b:1::a00:1]/a.csv",  # local-use NAT64 (RFC 8215)
        "http://[2002:7f00:1::]/a.csv",  # 6to4 of 127.0.0.1
        "http://[2002:a9fe:a9fe::1]/latest/meta-data/",  # 6to4 of 169.254.169.254
        "http://[2002:c0a8:101::1]/a.csv",  # 6to4 of 192.168.1.1
        "http://[::127.0.0.1]/a.csv",  # IPv4-compatible
        "http://[::a9fe:a9fe]/latest/meta-data/",
        "http://[::ffff:0:127.0.0.1]/a.csv",  # IPv4-translated (SIIT)
        "http://[::ffff:0:a9fe:a9fe]/a.csv",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/a.csv",  # Teredo
        "http://[2606:4700::5efe:10.0.0.1]/a.csv",  # ISATAP interface id with a private IPv4
        "http://224.0.0.1/a.csv",
        "file:///etc/passwd",
        "ftp://example.com/a.csv",
        "gopher://example.com/",
        "http:///nohost",
        "http://no-such-host.invalid/a.csv",
    ],
)
def test_forbidden_urls_are_refused(url: str) -> None:
    with pytest.raises(DownloadError, match=r"non-public address|must be an http|Cannot resolve"):
        check_url(url, settings())


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111", "8.8.8.8", "::ffff:8.8.8.8"],
)
def test_ipv6_forms_of_a_public_ipv4_address_stay_allowed(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    check_url(f"http://{host}/a.csv", settings())  # an IP literal: no DNS needed


def test_allowlist_opens_a_host_or_a_range() -> None:
    check_url("http://127.0.0.1:9/a.csv", settings(URL_ALLOWLIST="127.0.0.0/8"))
    check_url("http://localhost/a.csv", settings(URL_ALLOWLIST="localhost"))
    with pytest.raises(DownloadError):
        check_url("http://10.0.0.1/a.csv", settings(URL_ALLOWLIST="127.0.0.0/8"))


def test_file_urls_only_inside_the_folders_named_in_file_url_dirs(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    table = shared / "t.csv"
    table.write_text("a,b\n1,2\n")
    secret = tmp_path / "secret.csv"
    secret.write_text("x\n1\n")
    (shared / "link.csv").symlink_to(secret)
    with pytest.raises(DownloadError, match="must be an http"):
        download(table.as_uri(), settings())  # off by default
    allowed = settings(ALLOW_FILE_URLS=True, FILE_URL_DIRS=str(shared))
    with download(table.as_uri(), allowed) as data:
        assert data.read() == b"a,b\n1,2\n"
    for url in (
        secret.as_uri(),
        "file:///etc/passwd",
        (shared / "link.csv").as_uri(),
        f"file://{shared}/../secret.csv",
    ):
        with pytest.raises(DownloadError, match="FILE_URL_DIRS"):
            check_url(url, allowed)
    with pytest.raises(DownloadError, match="FILE_URL_DIRS"):
        check_url(table.as_uri(), settings(ALLOW_FILE_URLS=True))  # no folder named: no file allowed


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
    httpd.server_close()


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
    with pytest.raises(DownloadError, match="longer than 1 s"):
        download(f"{base}/slow.csv", settings(URL_ALLOWLIST="127.0.0.1", DOWNLOAD_TIMEOUT_SECONDS=1))
    assert time.monotonic() - started < 2.5, "the 4 s body is cut off at the 1 s limit"


class _Drip(BaseHTTPRequestHandler):
    """/drip: 200, then one byte a second for up to 30 s. /stall: 503 after 1.5 s, every time."""

    def do_GET(self) -> None:
        if self.path == "/stall":
            time.sleep(1.5)
            with contextlib.suppress(OSError):  # the client may have given up already
                self.send_error(503)
            return
        self.send_response(200)
        self.send_header("Content-Length", "30")
        self.end_headers()
        for _ in range(30):
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return  # the client gave up
            time.sleep(1.0)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def drip_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_server_dripping_a_byte_a_second_is_cut_off_at_the_wall_clock_limit(drip_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(DownloadError, match="longer than 2 s"):
        download(f"{drip_server}/drip", settings(URL_ALLOWLIST="127.0.0.1", DOWNLOAD_TIMEOUT_SECONDS=2))
    assert time.monotonic() - started < 3.5


def test_the_limit_covers_every_attempt_together(drip_server: str) -> None:
    started = time.monotonic()
    limits = settings(URL_ALLOWLIST="127.0.0.1", DOWNLOAD_TIMEOUT_SECONDS=2, BLOB_RETRY_ATTEMPTS=3)
    with pytest.raises(DownloadError, match="longer than 2 s"):
        download(f"{drip_server}/stall", limits)  # each attempt alone stays under the limit
    assert time.monotonic() - started < 3.5
