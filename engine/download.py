"""Fetch a `fileUrl` upload safely, with the card's retries (`Download <url>: Attempt n/N`).

What may be fetched is `engine.urlcheck`'s decision, made after DNS and again on
every redirect; the connection goes to the address that was checked (so DNS
cannot change its answer in between) and TLS still verifies the host name.

DOWNLOAD_TIMEOUT_SECONDS is one wall-clock bound on the whole download: every
attempt, redirect, backoff pause, connect and read together. A watchdog shuts the
connection's socket when the bound is reached, so a server that drips one byte a
second (each read succeeding well within any read timeout) is cut off on time
too. MAX_UPLOAD_MB bounds the size.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
from typing import IO
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from engine.config import Settings
from engine.errors import DownloadError
from engine.resilience import BackoffPolicy, retry_call
from engine.urlcheck import check_url, local_path, resolve_allowed

__all__ = ["check_url", "download"]

_CHUNK = 256 * 1024
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
_MAX_REDIRECTS = 5
_MAX_CONNECT_S = 10.0


class _Retryable(Exception):
    pass


class _Clock:
    """The download's one deadline, and the watchdog that enforces it on a connection."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.limit_s = settings.download_timeout_s
        self.deadline = time.monotonic() + self.limit_s
        self.expired = False

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.too_long()
        return left

    def too_long(self) -> DownloadError:
        return DownloadError(f"Download of {self.url} took longer than {self.limit_s:g} s")

    def sleep(self, seconds: float) -> None:
        """A backoff pause, which never outlasts the deadline."""
        time.sleep(min(seconds, max(0.0, self.deadline - time.monotonic())))

    def guard(self, conn: HTTPConnection) -> threading.Timer:
        """Shut the connection's socket at the deadline (started once it is connected)."""

        def expire() -> None:
            self.expired = True
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.remaining(), expire)
        timer.daemon = True
        timer.start()
        return timer


def download(url: str, settings: Settings) -> IO[bytes]:
    """Download `url` into a temporary file (rewound), within the size and time limits."""
    check_url(url, settings)
    if urlsplit(url).scheme == "file":
        return _open_local(url, settings)
    clock = _Clock(url, settings)

    def attempt() -> IO[bytes]:
        clock.remaining()  # a DownloadError, not retried, once the time is up
        return _fetch(url, settings, clock)

    try:
        return retry_call(
            attempt,
            what=f"Download {url}",
            attempts=settings.blob_retry_attempts,
            policy=BackoffPolicy.from_settings(settings),
            retryable=lambda exc: isinstance(exc, _Retryable),
            sleep=clock.sleep,
        )
    except _Retryable as exc:
        if clock.expired or time.monotonic() >= clock.deadline:
            raise clock.too_long() from exc
        raise DownloadError(
            f"Download of {url} failed after {settings.blob_retry_attempts} attempts: {exc}"
        ) from exc


def _fetch(url: str, settings: Settings, clock: _Clock) -> IO[bytes]:
    current = url
    for _ in range(_MAX_REDIRECTS + 1):
        conn, response = _request(current, settings, clock)
        try:
            location = response.headers.get("Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                if urlsplit(current).scheme == "file":
                    raise DownloadError("Refusing a redirect to a file:// URL")
                check_url(current, settings)  # again on every hop
                continue
            if response.status in _RETRYABLE_STATUS:
                raise _Retryable(f"HTTP {response.status}")
            if response.status >= 400:
                raise DownloadError(f"Download of {url} failed: HTTP {response.status}")
            return _save_body(response, url, settings, clock)
        finally:
            response.close()
            conn.close()
    raise DownloadError(f"Download of {url} failed: more than {_MAX_REDIRECTS} redirects")


def _connection(url: str, settings: Settings, clock: _Clock) -> tuple[HTTPConnection, str, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = str(resolve_allowed(host, port, settings))
    timeout = min(_MAX_CONNECT_S, clock.remaining())  # the connect; reads get what is left (`_request`)
    conn: HTTPConnection
    if https:
        conn = HTTPSConnection(
            address, port, timeout=timeout, server_hostname=host, assert_hostname=host,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
        )  # fmt: skip
    else:
        conn = HTTPConnection(address, port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return conn, target, host_header


def _request(url: str, settings: Settings, clock: _Clock) -> tuple[HTTPConnection, urllib3.BaseHTTPResponse]:
    conn, target, host_header = _connection(url, settings, clock)
    timer: threading.Timer | None = None
    try:
        conn.connect()
        if conn.sock is not None:
            conn.sock.settimeout(clock.remaining())
        timer = clock.guard(conn)
        conn.request("GET", target, headers={"Host": host_header, "User-Agent": "Sightline"},
                     preload_content=False)  # fmt: skip
        response = conn.getresponse()
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        conn.close()
        if timer is not None:
            timer.cancel()
        if clock.expired:
            raise clock.too_long() from exc
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
    except BaseException:
        conn.close()
        if timer is not None:
            timer.cancel()
        raise
    response._sightline_timer = timer  # type: ignore[attr-defined]  # cancelled in _save_body
    return conn, response


def _save_body(response: urllib3.BaseHTTPResponse, url: str, settings: Settings, clock: _Clock) -> IO[bytes]:
    timer: threading.Timer | None = getattr(response, "_sightline_timer", None)
    limit = settings.max_upload_bytes
    declared = response.headers.get("Content-Length")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
    size = 0
    try:
        if declared and declared.isdigit() and int(declared) > limit:
            raise DownloadError(f"{url} is larger than MAX_UPLOAD_MB ({settings.max_upload_mb:g} MB)")
        while True:
            clock.remaining()
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise DownloadError(f"{url} is larger than MAX_UPLOAD_MB ({settings.max_upload_mb:g} MB)")
            out.write(chunk)
        if clock.expired:
            raise clock.too_long()
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        out.close()
        if clock.expired:
            raise clock.too_long() from exc
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
    except BaseException:
        out.close()
        raise
    finally:
        if timer is not None:
            timer.cancel()
    out.seek(0)
    return out


def _open_local(url: str, settings: Settings) -> IO[bytes]:
    path = local_path(url, settings)
    if not path.is_file():
        raise DownloadError(f"{url} is not a readable file")
    if path.stat().st_size > settings.max_upload_bytes:
        raise DownloadError(f"{url} is larger than MAX_UPLOAD_MB ({settings.max_upload_mb:g} MB)")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        out.close()
        raise DownloadError(f"{url} is not a readable file") from exc
    with os.fdopen(fd, "rb") as source:
        shutil.copyfileobj(source, out)
    out.seek(0)
    return out
