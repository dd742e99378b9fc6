"""Blob storage for uploads and job documents (file or S3), with retries and test-only faults."""

from engine.storage.base import BlobStore, StorageHealth
from engine.storage.factory import open_blob_store
from engine.storage.faults import FaultInjector
from engine.storage.files import FileBlobStore
from engine.storage.names import safe_file_name
from engine.storage.scratch import clear_scratch, job_scratch

__all__ = [
    "BlobStore",
    "FaultInjector",
    "FileBlobStore",
    "StorageHealth",
    "clear_scratch",
    "job_scratch",
    "open_blob_store",
    "safe_file_name",
]
