"""Small uploads kept in Redis beside remote storage, so a horse need not fetch them.

With S3 storage every job starts with a GET of its upload, one more round trip to
the store between the upload and the result (on moto about 8 ms, on AWS S3 tens
of ms). An upload no larger than INLINE_UPLOAD_KB is therefore also kept in Redis,
under `sightline:input:<jobId>`, until its deadline. The bucket keeps the upload
of record: the copy in Redis is only a shortcut. The first horse of the job takes
it (GETDEL, so Redis holds it no longer than the wait in the queue); a later
attempt, or a copy that expired, falls back to the bucket. File storage reads
uploads in place and keeps nothing here.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import redis

from engine.config import Settings
from engine.constants import inline_input_key
from engine.storage.scratch import job_scratch, write_scratch
from engine.storage.stream import Readable


class SmallCopy:
    """Reads through a source and keeps what it read, as long as that stays within `limit` bytes."""

    def __init__(self, source: Readable, limit: int) -> None:
        self.source = source
        self.limit = limit
        self._chunks: list[bytes] | None = []
        self._size = 0

    def read(self, size: int = -1, /) -> bytes:
        chunk = self.source.read(size)
        if self._chunks is not None:
            self._size += len(chunk)
            if self._size > self.limit:
                self._chunks = None  # too big to keep: forget what was kept
            else:
                self._chunks.append(chunk)
        return chunk

    @property
    def data(self) -> bytes | None:
        """Everything read, if it fitted in `limit` bytes; else None."""
        return None if self._chunks is None else b"".join(self._chunks)


def keeps_inline(settings: Settings, backend: str) -> bool:
    """Whether uploads to this backend are also kept in Redis."""
    return backend != "file" and settings.inline_upload_bytes > 0


def keep(connection: redis.Redis, settings: Settings, job_id: str, data: bytes) -> None:
    """Keep the upload's bytes until the job's deadline (a minute past, for a slow queue)."""
    connection.set(inline_input_key(job_id), data, ex=int(settings.job_timeout_s) + 60)


def take(connection: redis.Redis, settings: Settings, job_id: str, name: str) -> Path | None:
    """The kept upload written to the job's scratch folder as `name`; None when nothing is kept.

    A Redis error is None too: the bucket has the upload.
    """
    try:
        data = cast(bytes | None, connection.getdel(inline_input_key(job_id)))
    except redis.RedisError:
        return None
    if data is None:
        return None
    return write_scratch(job_scratch(settings, job_id), name, [data])
