"""Fetch a `fileUrl` upload safely, with the card's retries (`Download <url>: Attempt n/N`).

Only http and https (file:// only with ALLOW_FILE_URLS). The host is resolved
once per hop and every address must be public unless URL_ALLOWLIST names it:
loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast and
reserved ranges are refused. The connection goes to the address that was
checked (so DNS cannot change its answer in between), TLS still verifies the
host name, and every redirect is checked the same way. Size and total time
are bounded by MAX_UPLOAD_MB and DOWNLOAD_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urljoin, urlsplit

import certifi
import urllib3

from engine.config import Settings
from engine.errors import DownloadError
from engine.resilience import BackoffPolicy, retry_call

_CHUNK = 256 * 1024
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
_MAX_REDIRECTS = 5
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class _Retryable(Exception):
    pass


def check_url(url: str, settings: Settings) -> None:
    """Refuse what may never be fetched: other schemes, forbidden or unresolvable hosts."""
    parts = urlsplit(url)
    if parts.scheme == "file" and settings.allow_file_urls:
        return
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"fileUrl must be an http or https URL, got {url[:200]!r}")
    resolve_allowed(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), settings)


def resolve_allowed(host: str, port: int, settings: Settings) -> IPAddress:
    """The first address of `host`, after checking that every address is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DownloadError(f"Cannot resolve host {host!r}: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if not _allowed(host, address, settings):
            raise DownloadError(
                f"Refusing to fetch from {host!r}: it resolves to {address}, a non-public address "
                "(add it to URL_ALLOWLIST to allow it)"
            )
    return addresses[0]


def _allowed(host: str, address: IPAddress, settings: Settings) -> bool:
    for entry in settings.url_allowlist_entries:
        if entry.lower() == host.lower():
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    target = getattr(address, "ipv4_mapped", None) or address
    return bool(target.is_global and not target.is_multicast)


def download(url: str, settings: Settings) -> IO[bytes]:
    """Download `url` into a temporary file (rewound), within the size and time limits."""
    check_url(url, settings)
    if urlsplit(url).scheme == "file":
        return _open_local(url, settings)

    def attempt() -> IO[bytes]:
        return _fetch(url, settings)

    try:
        return retry_call(
            attempt,
            what=f"Download {url}",
            attempts=settings.blob_retry_attempts,
            policy=BackoffPolicy.from_settings(settings),
            retryable=lambda exc: isinstance(exc, _Retryable),
        )
    except _Retryable as exc:
        raise DownloadError(
            f"Download of {url} failed after {settings.blob_retry_attempts} attempts: {exc}"
        ) from exc


def _fetch(url: str, settings: Settings) -> IO[bytes]:
    deadline = time.monotonic() + settings.download_timeout_s
    current = url
    for _ in range(_MAX_REDIRECTS + 1):
        response = _request(current, settings, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                check_url(current, settings)  # again on every hop
                if urlsplit(current).scheme == "file":
                    raise DownloadError("Refusing a redirect to a file:// URL")
                continue
            if response.status in _RETRYABLE_STATUS:
                raise _Retryable(f"HTTP {response.status}")
            if response.status >= 400:
                raise DownloadError(f"Download of {url} failed: HTTP {response.status}")
            return _save_body(response, url, settings, deadline)
        finally:
            response.release_conn()
    raise DownloadError(f"Download of {url} failed: more than {_MAX_REDIRECTS} redirects")


def _request(url: str, settings: Settings, deadline: float) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = resolve_allowed(host, port, settings)
    timeout = urllib3.Timeout(
        connect=min(10.0, settings.download_timeout_s), read=settings.download_timeout_s
    )
    pool: urllib3.HTTPConnectionPool
    if https:
        pool = urllib3.HTTPSConnectionPool(
            str(address), port, timeout=timeout, retries=False, server_hostname=host,
            assert_hostname=host, cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(str(address), port, timeout=timeout, retries=False)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if time.monotonic() > deadline:
        raise DownloadError(f"Download of {url} took longer than {settings.download_timeout_s:g} s")
    try:
        return pool.urlopen(
            "GET", target, headers={"Host": host_header, "User-Agent": "Sightline"},
            redirect=False, preload_content=False,
        )  # fmt: skip
    except urllib3.exceptions.HTTPError as exc:
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc


def _save_body(
    response: urllib3.BaseHTTPResponse, url: str, settings: Settings, deadline: float
) -> IO[bytes]:
    limit = settings.max_upload_bytes
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise DownloadError(f"{url} is larger than MAX_UPLOAD_MB ({settings.max_upload_mb:g} MB)")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
    size = 0
    try:
        for chunk in response.stream(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise DownloadError(f"{url} is larger than MAX_UPLOAD_MB ({settings.max_upload_mb:g} MB)")
            if time.monotonic() > deadline:
                raise DownloadError(f"Download of {url} took longer than {settings.download_timeout_s:g} s")
            out.write(chunk)
    except urllib3.exceptions.HTTPError as exc:
        out.close()
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _open_local(url: str, settings: Settings) -> IO[bytes]:
    path = Path(unquote(urlsplit(url).path))
    if not path.is_file():
        raise DownloadError(f"{url} is not a readable file")
    if path.stat().st_size > settings.max_upload_bytes:
        raise DownloadError(f"{url} is larger than MAX_UPLOAD_MB ({settings.max_upload_mb:g} MB)")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
    with path.open("rb") as source:
        shutil.copyfileobj(source, out)
    out.seek(0)
    return out
