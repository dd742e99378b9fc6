"""A worker that died without unregistering (SIGKILL, a lost host) stops counting once its RQ key expires.

RQ's `Worker.count` reads its registry, which only a live worker cleans (every 10
minutes): with every worker host lost, `/api/health` kept reporting them and the
"no workers" alert never fired. The count now asks whether each worker's key exists;
RQ lets it expire at most 90 s after the worker's last heartbeat.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

import requests
from rq import Worker

from engine.context import EngineContext
from engine.jobs import queue
from tests.support.stack import Stack, poll


def test_a_registered_worker_counts_until_its_key_is_gone(make_ctx: Callable[..., EngineContext]) -> None:
    ctx = make_ctx()
    worker = Worker([queue.job_queue(ctx.redis)], connection=ctx.redis, name="sightline-test-count")
    worker.register_birth()
    assert queue.live_workers(ctx.redis) == 1
    ctx.redis.delete(worker.key)  # what its expiry does
    assert queue.live_workers(ctx.redis) == 0
    assert Worker.count(connection=ctx.redis, queue=queue.job_queue(ctx.redis)) == 1  # RQ's own count lags


def test_health_and_metrics_stop_counting_a_killed_worker(make_stack: Callable[..., Stack]) -> None:
    live = make_stack(workers=1)
    (registered,) = Worker.all(connection=live.redis)
    live.workers[0].send_signal(signal.SIGKILL)
    live.workers[0].wait(10)
    ttl = live.redis.ttl(registered.key)
    assert 0 < ttl <= 90, ttl  # RQ's key outlives the worker by at most this long
    assert live.live_workers() == 1
    live.redis.delete(registered.key)  # the expiry, without waiting for it
    assert live.live_workers() == 0
    body = requests.get(f"{live.api_url}/api/health", timeout=10).json()
    assert body["status"] == "degraded", body
    metrics = poll(
        lambda: requests.get(f"{live.api_url}/metrics", timeout=10).text,
        lambda text: "sightline_workers 0.0" in text,
        5,
    )
    assert "sightline_workers 0.0" in metrics
