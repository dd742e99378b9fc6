"""`python -m engine worker`: one worker process on the `data_jobs` queue."""

from __future__ import annotations

import logging
import threading

from engine import metrics
from engine.config import Settings
from engine.constants import QUEUE_NAME, WORKER_NAME_PREFIX
from engine.context import EngineContext
from engine.jobs.ids import new_job_id
from engine.logs import setup_logging
from engine.pipeline import share_context, warm_up
from engine.worker.reaper import Reaper
from engine.worker.worker import SightlineWorker

log = logging.getLogger("sightline.worker")


def worker_context(settings: Settings) -> EngineContext:
    """An engine context whose Redis calls time out well inside the heartbeat timeout.

    Its job changes are resent for up to three quarters of the heartbeat timeout when
    their reply is lost, so a Redis restart does not fail the jobs in flight.
    """
    return EngineContext.create(
        settings,
        redis_timeout_s=settings.worker_redis_timeout_s,
        retry_s=settings.worker_heartbeat_timeout_s * 0.75,
    )


def build_worker(
    ctx: EngineContext, queues: list[str], name_prefix: str = WORKER_NAME_PREFIX
) -> SightlineWorker:
    """A worker on `queues`, named `<prefix>-<8 random characters>`."""
    name = f"{name_prefix}-{new_job_id()[4:12]}"
    return SightlineWorker(
        queues, connection=ctx.redis, name=name, ctx=ctx, worker_ttl=ctx.settings.rq_worker_ttl_s
    )


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Work jobs until SIGTERM/SIGINT; runs the reaper in a thread alongside."""
    setup_logging(settings)
    ctx = worker_context(settings)
    metrics.bind(ctx.redis)
    warm_up()
    share_context(ctx)
    worker = build_worker(ctx, [QUEUE_NAME])
    stop = threading.Event()
    Reaper(ctx).start_thread(stop)
    log.info("Worker %s listening on %s", worker.name, QUEUE_NAME)
    try:
        worker.work(burst=burst, logging_level=settings.log_level, with_scheduler=False)
    finally:
        stop.set()
