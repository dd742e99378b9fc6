"""SmallCopy keeps an upload's bytes only while they fit; file storage keeps nothing inline."""

from __future__ import annotations

import io

from engine.config import Settings
from engine.storage.inline import SmallCopy, keeps_inline


def _read_all(copy: SmallCopy, piece: int) -> bytes:
    out = b""
    while chunk := copy.read(piece):
        out += chunk
    return out


def test_a_small_source_is_kept_whole() -> None:
    copy = SmallCopy(io.BytesIO(b"a,b\n1,2\n"), limit=8)
    assert _read_all(copy, 3) == b"a,b\n1,2\n"
    assert copy.data == b"a,b\n1,2\n"


def test_a_source_over_the_limit_is_passed_through_and_not_kept() -> None:
    body = b"x" * 1000
    copy = SmallCopy(io.BytesIO(body), limit=999)
    assert _read_all(copy, 64) == body
    assert copy.data is None


def test_only_remote_storage_keeps_uploads_inline() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.inline_upload_bytes == 64 * 1024
    assert keeps_inline(settings, "s3") and not keeps_inline(settings, "file")
    off = Settings(_env_file=None, INLINE_UPLOAD_KB=0)  # type: ignore[call-arg]
    assert not keeps_inline(off, "s3")
