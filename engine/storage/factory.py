"""Pick the storage backend that STORAGE_URL names."""

from __future__ import annotations

from engine.config import Settings
from engine.storage.base import BlobStore
from engine.storage.faults import FaultInjector
from engine.storage.files import FileBlobStore


def open_blob_store(settings: Settings, faults: FaultInjector | None = None) -> BlobStore:
    """s3://bucket/prefix: S3BlobStore; file:///path or unset: FileBlobStore. Connects on first use."""
    if settings.storage_url and settings.storage_url.startswith("s3:"):
        from engine.storage.s3 import S3BlobStore  # boto3 is imported only where S3 is used

        return S3BlobStore(settings, faults)
    return FileBlobStore(settings, faults)
