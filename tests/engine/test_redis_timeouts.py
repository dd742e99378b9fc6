"""Every Redis client has explicit connect and read timeouts; a worker's stay inside the heartbeat timeout."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis

from engine.constants import QUEUE_NAME
from engine.context import EngineContext
from engine.worker.main import build_worker, worker_context


def _timeouts(client: redis.Redis) -> tuple[float | None, float | None]:
    kwargs = client.connection_pool.connection_kwargs
    return kwargs.get("socket_timeout"), kwargs.get("socket_connect_timeout")


def test_the_engine_client_uses_the_configured_timeouts(make_ctx: Callable[..., EngineContext]) -> None:
    ctx = make_ctx(REDIS_SOCKET_TIMEOUT_SECONDS=1.5, REDIS_CONNECT_TIMEOUT_SECONDS=0.7)
    assert _timeouts(ctx.redis) == (1.5, 0.7)
    ctx.redis.ping()


@pytest.mark.parametrize("heartbeat_s", [3, 20, 60])
def test_every_worker_client_times_out_before_a_heartbeat_goes_stale(
    make_ctx: Callable[..., EngineContext], heartbeat_s: int
) -> None:
    ctx = worker_context(
        make_ctx(WORKER_HEARTBEAT_TIMEOUT_SECONDS=heartbeat_s).settings
    )  # as run_worker does
    worker = build_worker(ctx, [QUEUE_NAME])
    for client in {id(c): c for c in (ctx.redis, worker.connection)}.values():
        read_s, connect_s = _timeouts(client)
        assert read_s is not None and connect_s is not None
        assert read_s < heartbeat_s and connect_s < heartbeat_s, (read_s, connect_s)
