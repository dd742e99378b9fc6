"""Cancel: the job ended elsewhere, so its horse's work is moot.

Its user cancelled it, a reaper failed it, its record is gone, or another
attempt holds it now (this attempt was given up on). A completed job is left
alone: its own horse completed it and is putting result.json in place.
"""

from __future__ import annotations

from engine.context import EngineContext
from engine.jobs.status import JobStatus
from engine.jobs.store import holder
from engine.worker.policies.base import Tick, Verdict


class Watch:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def watch(self, tick: Tick) -> Verdict:
        record = tick.record
        if record is None:
            return Verdict.STOP
        if tick.attempt is not None and holder(record) != tick.token:
            return Verdict.STOP
        status = JobStatus(record["status"])
        if status is JobStatus.COMPLETED:
            return Verdict.LEAVE
        if status in (JobStatus.CANCELLED, JobStatus.FAILED):
            return Verdict.STOP
        return Verdict.GO_ON
