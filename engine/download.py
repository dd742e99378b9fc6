"""Fetch a `fileUrl` upload, with the card's retries (`Download <url>: Attempt n/N`)."""

from __future__ import annotations

import tempfile
from typing import IO
from urllib.parse import urlsplit

import requests

from engine.config import Settings
from engine.errors import DownloadError
from engine.resilience import BackoffPolicy, retry_call

_CHUNK = 256 * 1024
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


class _Retryable(Exception):
    pass


def check_url(url: str) -> None:
    """Refuse anything but http(s) URLs with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"fileUrl must be an http or https URL, got {url[:200]!r}")


def download(url: str, settings: Settings) -> IO[bytes]:
    """Download `url` into a temporary file (rewound), within MAX_UPLOAD_MB and the timeout."""
    check_url(url)
    limit = settings.max_upload_bytes

    def fetch() -> IO[bytes]:
        try:
            response = requests.get(url, stream=True, timeout=settings.download_timeout_s)
        except requests.RequestException as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        with response:
            if response.status_code in _RETRYABLE_STATUS:
                raise _Retryable(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise DownloadError(f"Download of {url} failed: HTTP {response.status_code}")
            out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
            size = 0
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > limit:
                    out.close()
                    raise DownloadError(f"{url} is larger than MAX_UPLOAD_MB ({settings.max_upload_mb:g} MB)")
                out.write(chunk)
            out.seek(0)
            return out

    try:
        return retry_call(
            fetch,
            what=f"Download {url}",
            attempts=settings.blob_retry_attempts,
            policy=BackoffPolicy.from_settings(settings),
            retryable=lambda exc: isinstance(exc, _Retryable),
        )
    except _Retryable as exc:
        raise DownloadError(
            f"Download of {url} failed after {settings.blob_retry_attempts} attempts: {exc}"
        ) from exc
