"""Reading an upload's source stream once, in bounded chunks.

The API hands storage the request body as it arrives: it cannot be read twice.
`ReplayableSource` lets a failed attempt be retried when that is still possible
(the source is seekable, or nothing was read from it yet); `read_up_to` fills
one multipart part. A failure of the *source* (the client went away) is raised
as SourceError, never as a storage error, so it is neither retried nor reported
as `blob_upload_failed`.
"""

from __future__ import annotations

import contextlib
import io
from typing import Protocol

COPY_CHUNK = 1024 * 1024


class Readable(Protocol):
    """What an upload's source must offer: `read(size)` (a file, a request body...)."""

    def read(self, size: int = ..., /) -> bytes: ...


class NotRetryable(Exception):
    """Wraps a storage error that another attempt cannot fix (raised at once)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


class SourceError(Exception):
    """Reading the upload's source failed (not the store): no retry can help."""


class ReplayableSource:
    """Wraps the source of one upload so each attempt starts from its first byte."""

    def __init__(self, source: Readable) -> None:
        self.source = source
        self.consumed = False
        self.start: int | None = None
        if isinstance(source, io.IOBase) and source.seekable():
            with contextlib.suppress(OSError, ValueError):
                self.start = source.tell()

    def rewind(self) -> _Reader:
        """The source from its start; NotRetryable if a previous attempt used it up."""
        if self.consumed:
            if self.start is None or not isinstance(self.source, io.IOBase):
                raise NotRetryable(OSError("the upload stream cannot be read again after a failed attempt"))
            self.source.seek(self.start)
        self.consumed = True
        return _Reader(self.source)


class _Reader:
    """File-like `read` over the source that turns its errors into SourceError."""

    def __init__(self, source: Readable) -> None:
        self.source = source

    def read(self, size: int = -1) -> bytes:
        try:
            return self.source.read(size)
        except SourceError:
            raise
        except OSError as exc:
            raise SourceError(f"reading the upload failed: {exc}") from exc


def read_up_to(source: Readable, size: int) -> bytes:
    """Up to `size` bytes: fewer only at the end of the stream."""
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = source.read(min(remaining, COPY_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
