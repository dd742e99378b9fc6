"""Memory: a horse that passes MAX_JOB_MEMORY_MB fails its job with `processing_error`.

The watch reads the horse's private memory on every tick; over the cap, the job
fails with a message naming the limit and the file's size, and the horse is
stopped. The worker and every other job go on. (`engine.memory` also sets a hard
ceiling inside the horse against bursts faster than a tick.)
"""

from __future__ import annotations

import logging

from engine import memory
from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.worker.policies.base import Tick, Verdict

log = logging.getLogger("sightline.worker")


class Watch:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.cap = ctx.settings.max_job_memory_bytes
        self.peak = 0  # the most private memory seen, for the worker's account of an abnormal exit

    def watch(self, tick: Tick) -> Verdict:
        if self.cap is None or tick.attempt is None:
            return Verdict.GO_ON
        used = memory.private_bytes(tick.horse_pid)
        if used is None:
            return Verdict.GO_ON
        self.peak = max(self.peak, used)
        if used <= self.cap:
            return Verdict.GO_ON
        message = memory.over_cap_message(
            self.ctx.settings, (tick.record or {}).get("fileName"), self.ctx.blobs.upload_size(tick.job_id)
        )
        if self.ctx.lifecycle.fail(tick.job_id, ErrorCode.PROCESSING_ERROR, message, token=tick.token):
            log.warning("Job %s passed MAX_JOB_MEMORY_MB (%d MB in use); stopped it", tick.job_id, used >> 20)
        return Verdict.STOP
