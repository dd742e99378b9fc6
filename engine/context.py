"""The engine's shared parts, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.config import Settings, get_settings
from engine.jobs.lifecycle import Lifecycle
from engine.jobs.reading import JobReader
from engine.jobs.store import JobStore
from engine.storage import BlobStore, open_blob_store


def connect(settings: Settings, *, timeout_s: float | None = None) -> redis.Redis:
    """A client of REDIS_URL with explicit connect and read timeouts (`timeout_s` caps both).

    A command that times out is not sent again: it may have run (a compare-and-set
    that won, a counter that moved), and only the caller knows whether a retry is safe.
    A refused connection is tried once more at once.
    """
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: start Sightline with `make run` or set REDIS_URL")
    read_s = (
        settings.redis_socket_timeout_s
        if timeout_s is None
        else min(timeout_s, settings.redis_socket_timeout_s)
    )
    connect_s = (
        settings.redis_connect_timeout_s
        if timeout_s is None
        else min(timeout_s, settings.redis_connect_timeout_s)
    )
    return redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=read_s,
        socket_connect_timeout=connect_s,
        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        health_check_interval=30,
    )


@dataclass
class EngineContext:
    """Settings, Redis, job store, blob store, lifecycle and reader, wired together.

    `redis_timeout_s` caps the client's timeouts (workers keep theirs inside the
    heartbeat timeout); `retry_s` is how long the job store resends a change whose
    reply was lost (0: report the error at once, as the API does).
    """

    settings: Settings
    redis_timeout_s: float | None = None
    retry_s: float = 0.0

    @classmethod
    def create(
        cls, settings: Settings | None = None, *, redis_timeout_s: float | None = None, retry_s: float = 0.0
    ) -> EngineContext:
        return cls(settings or get_settings(), redis_timeout_s, retry_s)

    @cached_property
    def redis(self) -> redis.Redis:
        return connect(self.settings, timeout_s=self.redis_timeout_s)

    @cached_property
    def store(self) -> JobStore:
        return JobStore(self.redis, self.settings, retry_s=self.retry_s)

    @cached_property
    def blobs(self) -> BlobStore:
        return open_blob_store(self.settings)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        return Lifecycle(self.store, self.blobs)

    @cached_property
    def reader(self) -> JobReader:
        return JobReader(self.store, self.lifecycle)
