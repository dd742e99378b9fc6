"""Blob storage for uploads and job documents, with retries and test-only faults."""

from engine.storage.blob import BlobStore
from engine.storage.faults import FaultInjector
from engine.storage.names import safe_file_name

__all__ = ["BlobStore", "FaultInjector", "safe_file_name"]
