"""Counters and histograms shared by every process, kept in one Redis hash.

Workers and the API record into `sightline:metrics` (HINCRBY, so nothing is lost
across processes or restarts); `/metrics` turns the hash into Prometheus text.
Recording is best effort: a metrics write never fails a job. Until `bind()` is
called (e.g. `python -m engine analyze`, no Redis) recording does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import redis

from engine.constants import METRICS_KEY

log = logging.getLogger("sightline.metrics")

DURATION_BUCKETS_S = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0, float("inf"))

_bound: dict[str, redis.Redis] = {}


def bind(connection: redis.Redis) -> None:
    """Record into this Redis from now on (once per process)."""
    _bound["redis"] = connection


def field(name: str, labels: Mapping[str, str] | None = None) -> str:
    """`name|k=v|k2=v2`: one hash field per label set."""
    if not labels:
        return name
    return name + "".join(f"|{k}={v}" for k, v in sorted(labels.items()))


def incr(name: str, amount: int = 1, **labels: str) -> None:
    connection = _bound.get("redis")
    if connection is None:
        return
    try:
        connection.hincrby(METRICS_KEY, field(name, labels), amount)
    except redis.RedisError as exc:
        log.debug("metric %s not recorded: %s", name, exc)


def observe(name: str, value_s: float, **labels: str) -> None:
    """One observation of a histogram: its bucket, the sum and the count (3 commands, 1 round trip)."""
    connection = _bound.get("redis")
    if connection is None:
        return
    try:
        bound = next(b for b in DURATION_BUCKETS_S if value_s <= b)
        le = "+Inf" if bound == float("inf") else f"{bound:g}"
        with connection.pipeline(transaction=False) as pipe:
            # Only the observation's own bucket: /metrics adds them up into cumulative ones.
            pipe.hincrby(METRICS_KEY, field(f"{name}_bucket", {**labels, "le": le}), 1)
            pipe.hincrbyfloat(METRICS_KEY, field(f"{name}_sum", labels), value_s)
            pipe.hincrby(METRICS_KEY, field(f"{name}_count", labels), 1)
            pipe.execute()
    except redis.RedisError as exc:
        log.debug("metric %s not recorded: %s", name, exc)
