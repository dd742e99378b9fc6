"""Finds jobs no live worker will finish, and closes them.

Runs in a thread of every worker (one sweep per interval across all of them,
by a Redis lock). It ends:
- a `processing` job whose worker stopped heartbeating (SIGKILL, crash, lost
  machine) as `failed` / `worker_shutdown`;
- any open job past `timeoutAt` (plus a grace the worker's own check gets
  first) as `failed` / `timeout`;
- a `submitted` job that RQ no longer holds in its queue (lost between dequeue
  and start) by queueing it again;
and it puts in place the document of a terminal job whose writer died between
the state change and the write (`Lifecycle.seal`).
"""

from __future__ import annotations

import logging
import threading

import redis

from engine import clock
from engine.constants import REAPER_LOCK_KEY
from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs import queue
from engine.jobs.status import TERMINAL, JobStatus
from engine.jobs.store import JobRecord
from engine.pipeline import timeout_message

log = logging.getLogger("sightline.reaper")

TIMEOUT_GRACE_S = 1.5
SEAL_AFTER_S = 10.0


class Reaper:
    """One sweep over the open jobs; `start_thread` repeats it."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.stale_s = ctx.settings.worker_heartbeat_timeout_s

    def sweep(self) -> int:
        """Close what needs closing; returns how many jobs were acted on."""
        acted = 0
        store = self.ctx.store
        ids = store.active_ids()
        for job_id, record in zip(ids, store.get_many(ids), strict=True):
            if record is None or JobStatus(record["status"]) in TERMINAL:
                store.forget_active(job_id)
                continue
            acted += self._check(job_id, record)
        for job_id in store.unsealed_ids(older_than_s=SEAL_AFTER_S):
            self.ctx.lifecycle.seal(job_id)
            acted += 1
        return acted

    def _check(self, job_id: str, record: JobRecord) -> int:
        now = clock.now_s()
        status = JobStatus(record["status"])
        if now >= clock.parse_iso(record["timeoutAt"]) + TIMEOUT_GRACE_S:
            if self.ctx.lifecycle.fail(job_id, ErrorCode.TIMEOUT, timeout_message(self.ctx)):
                log.warning("Job %s has timed out", job_id)
                return 1
            return 0
        if status is JobStatus.PROCESSING:
            beat = record.get("heartbeatAt") or record.get("startedAt") or record["updatedAt"]
            if now - clock.parse_iso(beat) > self.stale_s:
                worker = record.get("workerName") or "unknown"
                message = f"The worker processing this job ({worker}) stopped without finishing it"
                if self.ctx.lifecycle.fail(job_id, ErrorCode.WORKER_SHUTDOWN, message):
                    log.warning("Reaped job %s: worker %s stopped responding", job_id, worker)
                    return 1
            return 0
        return self._requeue_if_lost(job_id, record, now)

    def _requeue_if_lost(self, job_id: str, record: JobRecord, now: float) -> int:
        if now - clock.parse_iso(record["updatedAt"]) <= self.stale_s:
            return 0
        if queue.rq_status(self.ctx.redis, job_id) in ("queued", "scheduled", "deferred"):
            return 0
        queue.enqueue(self.ctx.redis, self.ctx.settings, job_id)
        self.ctx.store.update(job_id, when={JobStatus.SUBMITTED})
        log.warning("Job %s was lost from the queue; queued it again", job_id)
        return 1

    def sweep_if_due(self) -> None:
        """Sweep unless another process swept within the interval."""
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
