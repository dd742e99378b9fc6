"""GET /api/health: Redis reachable, live workers, queue length, LLM circuit, storage."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import redis
from flask import Blueprint, Response, jsonify

from api.extensions import engine
from engine.jobs import queue
from engine.resilience.circuit import CircuitBreaker

bp = Blueprint("health", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> tuple[Response, int]:
    """`down` (503) when Redis or the storage cannot be reached, `degraded` without workers."""
    ctx = engine()
    body: dict[str, Any] = {"status": "ok", "redis": True, "workers": 0, "queueLength": None}
    storage = ctx.blobs.check()
    body["storage"] = {k: v for k, v in asdict(storage).items() if v is not None}
    try:
        ctx.redis.ping()
        job_queue = queue.job_queue(ctx.redis)
        body["queueLength"] = job_queue.count
        body["workers"] = queue.live_workers(ctx.redis)
        body["llmCircuit"] = CircuitBreaker(ctx.redis, ctx.settings).snapshot()
    except redis.RedisError as exc:
        body.update(status="down", redis=False, message=f"Redis unavailable: {exc}")
        return jsonify(body), 503
    if not storage.reachable:
        body.update(status="down", message=f"Storage unavailable ({storage.url}): {storage.message}")
        return jsonify(body), 503
    if body["workers"] == 0:
        body["status"] = "degraded"
        body["message"] = "No worker is running: jobs will wait in the queue"
    return jsonify(body), 200
