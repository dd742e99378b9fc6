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


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Work jobs until SIGTERM/SIGINT; runs the reaper in a thread alongside."""
    setup_logging(settings)
    ctx = EngineContext.create(settings)
    metrics.bind(ctx.redis)
    warm_up()
    share_context(ctx)
    name = f"{WORKER_NAME_PREFIX}-{new_job_id()[4:12]}"
    worker = SightlineWorker([QUEUE_NAME], connection=ctx.redis, name=name, ctx=ctx, worker_ttl=30)
    stop = threading.Event()
    Reaper(ctx).start_thread(stop)
    log.info("Worker %s listening on %s", name, QUEUE_NAME)
    try:
        worker.work(burst=burst, logging_level=settings.log_level, with_scheduler=False)
    finally:
        stop.set()
