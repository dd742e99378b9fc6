"""The bare-RQ baseline of bench_throughput: a no-op job and a worker for its queue.

`python -m bench.noop_worker` builds its worker with engine/worker/main.py's own
`worker_context` and `build_worker` (same settings, timeouts, logging, warm
imports, TTL and work() arguments) but listens on NOOP_QUEUE, so the baseline pays
the same fork-per-job and horse watch as Sightline's jobs and differs only in the
job (which has no record and no attempt to claim).
It does not start the reaper thread (a sweep every REAPER_INTERVAL_SECONDS,
which has nothing to do with the queue).

No job record exists for a no-op job, so the horse watch would kill a horse that
outlives one tick (0.1 s); after the horse exits, the watch finds no record and
does nothing more. bench_throughput reports any no-op job that did not finish.
"""

from __future__ import annotations

from engine.config import get_settings
from engine.logs import setup_logging
from engine.pipeline import warm_up
from engine.worker.main import build_worker, worker_context

NOOP_QUEUE = "bench_noop"
NOOP_FUNCTION = "bench.noop_worker.noop"


def noop() -> None:
    """The job that does nothing: what is left is the queue's own cost."""


def main() -> None:
    settings = get_settings()
    setup_logging(settings)
    ctx = worker_context(settings)
    warm_up()
    worker = build_worker(ctx, [NOOP_QUEUE], name_prefix="bench-noop")
    worker.work(logging_level=settings.log_level, with_scheduler=False)


if __name__ == "__main__":
    main()
