"""Storage test helpers: settings per backend and a byte stream that cannot be rewound."""

from __future__ import annotations

import io
from pathlib import Path

from engine.config import Settings
from tests.engine.jobs.conftest import make_settings
from tests.support.moto import MotoServer


def file_settings(root: Path, **overrides: object) -> Settings:
    """STORAGE_URL=file://<root>/store: uploads and results under it, as on S3."""
    values: dict[str, object] = {
        "STORAGE_URL": (root / "store").as_uri(),
        "UPLOAD_DIR": "",
        "RESULTS_DIR": "",
        "SCRATCH_DIR": root / "scratch",
    }
    values.update(overrides)
    return make_settings("redis://unused", root, **values)


def s3_settings(
    root: Path,
    moto: MotoServer,
    bucket: str,
    *,
    endpoint: str | None = None,
    redis_url: str = "redis://unused",
    **overrides: object,
) -> Settings:
    values: dict[str, object] = {
        "STORAGE_URL": f"s3://{bucket}/team/sightline",
        "S3_ENDPOINT_URL": endpoint or moto.url,
        "S3_PART_SIZE_MB": 5,
        "SCRATCH_DIR": root / "scratch",
        "UPLOAD_DIR": "",
        "RESULTS_DIR": "",
    }
    values.update(overrides)
    return make_settings(redis_url, root, **values)


class OneWayStream(io.RawIOBase):
    """Bytes that can be read once, in small pieces, like a request body as it arrives."""

    def __init__(self, data: bytes, piece: int = 64 * 1024) -> None:
        self.data = memoryview(data)
        self.piece = piece
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: memoryview) -> int:  # type: ignore[override]
        size = min(len(target), self.piece, len(self.data) - self.position)
        target[:size] = self.data[self.position : self.position + size]
        self.position += size
        return size
