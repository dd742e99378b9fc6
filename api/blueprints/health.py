"""GET /api/health: Redis reachable, live workers, queue length, LLM circuit."""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, Response, jsonify
from rq import Worker

from api.extensions import engine
from engine.jobs import queue
from engine.resilience.circuit import CircuitBreaker

bp = Blueprint("health", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> tuple[Response, int]:
    ctx = engine()
    body: dict[str, Any] = {"status": "ok", "redis": True, "workers": 0, "queueLength": None}
    try:
        ctx.redis.ping()
        job_queue = queue.job_queue(ctx.redis)
        body["queueLength"] = job_queue.count
        body["workers"] = Worker.count(connection=ctx.redis, queue=job_queue)
        body["llmCircuit"] = CircuitBreaker(ctx.redis, ctx.settings).snapshot()
    except redis.RedisError as exc:
        body.update(status="down", redis=False, message=f"Redis unavailable: {exc}")
        return jsonify(body), 503
    if body["workers"] == 0:
        body["status"] = "degraded"
        body["message"] = "No worker is running: jobs will wait in the queue"
    return jsonify(body), 200
