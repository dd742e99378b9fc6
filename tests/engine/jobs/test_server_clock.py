"""The server's clock: read over the wire once, counted on the monotonic clock, blind to the host's."""

from __future__ import annotations

import time

import pytest

from engine import clock
from engine.context import EngineContext


def _server(ctx: EngineContext) -> float:
    seconds, micros = ctx.redis.time()
    return float(seconds) + micros / 1e6


def test_server_clock_follows_the_server_not_this_hosts_wall_clock(
    ctx: EngineContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600)  # this host's wall clock an hour ahead
    server_clock = clock.ServerClock(ctx.redis)
    assert abs(server_clock.now() - _server(ctx)) < 0.5
    assert abs(clock.server_now(ctx.redis) - _server(ctx)) < 0.5
    first = server_clock.now()
    deadline = time.monotonic() + 5
    while server_clock.now() <= first and time.monotonic() < deadline:
        pass
    assert server_clock.now() > first  # it counts on between readings


def test_server_clock_reads_the_server_once_then_counts_locally(ctx: EngineContext) -> None:
    server_clock = clock.ServerClock(ctx.redis, resync_s=3600)
    server_clock.now()
    calls = []
    real_time = ctx.redis.time
    ctx.redis.time = lambda: calls.append(1) or real_time()  # type: ignore[method-assign]
    for _ in range(100):
        server_clock.now()
    assert calls == []


def test_a_pinned_time_stands_in_for_the_server(ctx: EngineContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "pinned_s", lambda: 1_800_000_000.0)
    assert clock.ServerClock(ctx.redis).now() == clock.server_now(ctx.redis) == 1_800_000_000.0
    assert clock.pinned_arg() == "1800000000.0"
