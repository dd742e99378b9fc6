"""Shutdown: the worker got SIGTERM/SIGINT while it held a job.

The job fails with `worker_shutdown` (and its error.json) before the horse is
stopped, so the job ends at once instead of waiting for a reaper.
"""

from __future__ import annotations

import logging

from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.worker.policies.base import Tick, Verdict

log = logging.getLogger("sightline.worker")


class Watch:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def watch(self, tick: Tick) -> Verdict:
        signum = tick.worker.shutdown_signal
        if signum is None:
            return Verdict.GO_ON
        if tick.attempt is not None:
            message = f"Worker received signal {signum} and shut down while processing the job"
            if self.ctx.lifecycle.fail(tick.job_id, ErrorCode.WORKER_SHUTDOWN, message, token=tick.token):
                log.warning("Marked job %s as failed due to shutdown", tick.job_id)
        return Verdict.STOP
