"""The engine's shared parts, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import redis

from engine.config import Settings, get_settings
from engine.jobs.lifecycle import Lifecycle
from engine.jobs.store import JobStore
from engine.storage import BlobStore, open_blob_store


def connect(settings: Settings) -> redis.Redis:
    """A client of REDIS_URL (set by `make run` for the embedded server when unset)."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: start Sightline with `make run` or set REDIS_URL")
    return redis.Redis.from_url(settings.redis_url, health_check_interval=30, socket_connect_timeout=5)


@dataclass
class EngineContext:
    """Settings, Redis, job store, blob store and lifecycle, wired together."""

    settings: Settings

    @classmethod
    def create(cls, settings: Settings | None = None) -> EngineContext:
        return cls(settings or get_settings())

    @cached_property
    def redis(self) -> redis.Redis:
        return connect(self.settings)

    @cached_property
    def store(self) -> JobStore:
        return JobStore(self.redis, self.settings)

    @cached_property
    def blobs(self) -> BlobStore:
        return open_blob_store(self.settings)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        return Lifecycle(self.store, self.blobs)
