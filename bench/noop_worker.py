"""The bare-RQ baseline of bench_throughput: a no-op job and a worker for its queue.

`python -m bench.noop_worker` builds SightlineWorker exactly as
engine/worker/main.py does (same settings, logging, warm imports, name, TTL and
work() arguments) but listens on NOOP_QUEUE, so the baseline pays the same
fork-per-job and horse watch as Sightline's jobs and differs only in the job.
It does not start the reaper thread (a sweep every REAPER_INTERVAL_SECONDS,
which has nothing to do with the queue).

No job record exists for a no-op job, so the horse watch would kill a horse that
outlives one tick (0.1 s); after the horse exits, the watch finds no record and
does nothing more. bench_throughput reports any no-op job that did not finish.
"""

from __future__ import annotations

from engine.config import get_settings
from engine.context import EngineContext
from engine.jobs.ids import new_job_id
from engine.logs import setup_logging
from engine.pipeline import warm_up
from engine.worker.worker import SightlineWorker

NOOP_QUEUE = "bench_noop"
NOOP_FUNCTION = "bench.noop_worker.noop"


def noop() -> None:
    """The job that does nothing: what is left is the queue's own cost."""


def main() -> None:
    settings = get_settings()
    setup_logging(settings)
    ctx = EngineContext.create(settings)
    warm_up()
    name = f"bench-noop-{new_job_id()[4:12]}"
    worker = SightlineWorker([NOOP_QUEUE], connection=ctx.redis, name=name, ctx=ctx, worker_ttl=30)
    worker.work(logging_level=settings.log_level, with_scheduler=False)


if __name__ == "__main__":
    main()
