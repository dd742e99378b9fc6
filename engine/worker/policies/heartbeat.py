"""Heartbeat: the attempt's worker is alive.

Every WORKER_HEARTBEAT_INTERVAL_SECONDS the watch writes `heartbeatAt` for its
attempt (fenced by the token: a given-up attempt cannot beat), which the
reaper's liveness policy reads; every RQ_HEARTBEAT_INTERVAL_SECONDS it keeps RQ's
own worker and job registries alive.
"""

from __future__ import annotations

from engine.context import EngineContext
from engine.jobs import attempts
from engine.worker.policies.base import Tick, Verdict


class Watch:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.last_beat = float("-inf")
        self.last_rq_beat: float | None = None

    def watch(self, tick: Tick) -> Verdict:
        settings = self.ctx.settings
        if tick.attempt is not None and tick.now - self.last_beat >= settings.worker_heartbeat_interval_s:
            attempts.beat(self.ctx.store, tick.attempt)
            self.last_beat = tick.now
        if self.last_rq_beat is None:
            self.last_rq_beat = tick.now  # RQ beat itself when the horse started
        elif tick.now - self.last_rq_beat >= settings.rq_heartbeat_interval_s:
            job = tick.worker.get_current_job()
            if job is not None:
                tick.worker.maintain_heartbeats(job)
            self.last_rq_beat = tick.now
        return Verdict.GO_ON
