"""Deadline: a job ends as `failed` / `timeout` once it passes `timeoutAt` (createdAt + JOB_TIMEOUT_SECONDS).

The worker holding the job fails it on the first tick past the deadline and
stops the horse, even one stuck inside a C call. The reaper does the same for
any open job a little later (REAPER_TIMEOUT_GRACE_SECONDS), so a job held by no
live worker ends too. The record's compare-and-set judges the deadline, on the
Redis server's clock; the watch's own look (`Tick.now`) is that clock too, read
once and counted on locally, so a horse stuck in C is stopped on time whatever
this host's wall clock says.
"""

from __future__ import annotations

import logging

from engine import clock
from engine.context import EngineContext
from engine.worker.policies.base import OpenJob, Tick, Verdict, phase

log = logging.getLogger("sightline.worker")
reaper_log = logging.getLogger("sightline.reaper")


def timeout_message(ctx: EngineContext) -> str:
    return f"Job exceeded maximum processing time (JOB_TIMEOUT_SECONDS={ctx.settings.job_timeout_s:g})"


class Watch:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def watch(self, tick: Tick) -> Verdict:
        if tick.record is None or tick.now < clock.parse_iso(tick.record["timeoutAt"]):
            return Verdict.GO_ON
        if not self.ctx.lifecycle.time_out(tick.job_id, timeout_message(self.ctx), token=tick.token):
            return Verdict.GO_ON  # not past it by the record's judgement yet, or the job ended elsewhere
        log.warning("Job %s has timed out", tick.job_id)
        log.warning("Job %s timed out during %s.", tick.job_id, phase(tick.record))
        return Verdict.STOP


def reap(job: OpenJob) -> bool:
    grace_s = job.ctx.settings.reaper_timeout_grace_s
    if job.now < clock.parse_iso(job.record["timeoutAt"]) + grace_s:
        return False
    message = timeout_message(job.ctx)
    if job.ctx.lifecycle.time_out(job.job_id, message, token=job.record.get("token"), grace_s=grace_s):
        reaper_log.warning("Job %s has timed out", job.job_id)
        return True
    return False
