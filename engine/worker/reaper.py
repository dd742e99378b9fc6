"""Finds jobs no live worker will finish, and closes them.

Runs in a thread of every worker. A sweep asks the reaper side of each policy
about every open job (`engine.worker.policies.REAP`: deadline, then liveness),
puts in place the document of an ended job whose writer died between the state
change and the write (`Lifecycle.seal`), and removes jobs past their retention
(`Retention`).

A Redis key limits sweeps to about one per REAPER_INTERVAL_SECONDS across all
workers. It is a rate limit, not a lock: two sweeps may overlap (a slow one and
the next), which is safe because every action re-checks its evidence inside the
record's compare-and-set.
"""

from __future__ import annotations

import logging
import threading
from typing import cast

import redis

from engine import clock
from engine.constants import JOBS_LIMBO_KEY, REAPER_LOCK_KEY, RQ_INTERMEDIATE_KEY, RQ_QUEUE_KEY
from engine.context import EngineContext
from engine.jobs import scripts
from engine.jobs.retention import Retention
from engine.jobs.status import TERMINAL, JobStatus
from engine.worker.policies import REAP, OpenJob

log = logging.getLogger("sightline.reaper")


class Reaper:
    """One sweep over the open jobs; `start_thread` repeats it."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self._limbo = ctx.redis.register_script(scripts.LIMBO)
        self.retention = Retention(ctx.store, ctx.blobs)

    def sweep(self) -> int:
        """Close what needs closing; returns how many jobs were acted on."""
        store = self.ctx.store
        now = clock.server_now(self.ctx.redis)  # a first look; each action is judged again in its script
        limbo = self._limbo(keys=[RQ_INTERMEDIATE_KEY, JOBS_LIMBO_KEY], args=[clock.pinned_arg()])
        between = frozenset(i.decode() for i in cast(list[bytes], limbo))
        queued = frozenset(i.decode() for i in cast(list[bytes], self.ctx.redis.lrange(RQ_QUEUE_KEY, 0, -1)))
        acted = 0
        ids = store.active_ids()
        for job_id, record in zip(ids, store.get_many(ids), strict=True):
            if record is None or JobStatus(record["status"]) in TERMINAL:
                store.forget_active(job_id)
                continue
            job = OpenJob(self.ctx, record, now, queued, between)
            acted += any(policy(job) for policy in REAP)
        for job_id in store.unsealed_ids(older_than_s=self.ctx.settings.reaper_seal_after_s):
            self.ctx.lifecycle.seal(job_id)
            acted += 1
        return acted + self.retention.sweep()

    def sweep_if_due(self) -> None:
        """Sweep unless another process started a sweep within the interval."""
        interval_ms = int(self.ctx.settings.reaper_interval_s * 1000)
        if self.ctx.redis.set(REAPER_LOCK_KEY, "1", nx=True, px=interval_ms):
            self.sweep()

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        def loop() -> None:
            while not stop.wait(self.ctx.settings.reaper_interval_s / 2):
                try:
                    self.sweep_if_due()
                except redis.RedisError as exc:
                    log.warning("Reaper sweep skipped: %s", exc)
                except Exception:
                    log.exception("Reaper sweep failed")

        thread = threading.Thread(target=loop, name="sightline-reaper", daemon=True)
        thread.start()
        return thread
