"""Liveness (reaper): jobs that no live worker will finish.

- A `processing` job whose attempt stopped heartbeating for
  WORKER_HEARTBEAT_TIMEOUT_SECONDS (SIGKILL, crash, lost machine) fails with
  `worker_shutdown`.
- A `submitted` job is queued again, under a new attempt, when its delivery was
  lost: its worker claimed it and went silent before the horse started; or it
  has sat in RQ's intermediate list (popped by a worker that died before taking
  it) for the heartbeat timeout; or RQ holds it nowhere at all.

Each judgement is made again inside the record's compare-and-set (the heartbeat
really is stale, the attempt is still the one seen), so overlapping sweeps of
several reapers re-queue an attempt at most once.
"""

from __future__ import annotations

import logging

from engine.constants import JOBS_LIMBO_KEY, RQ_INTERMEDIATE_KEY
from engine.jobs import attempts, queue
from engine.jobs.status import JobStatus
from engine.jobs.store import Stale, holder
from engine.worker.policies.base import OpenJob

log = logging.getLogger("sightline.reaper")

PROCESSING_BEAT = ("heartbeatAt", "startedAt", "updatedAt")


def reap(job: OpenJob) -> bool:
    status = JobStatus(job.record["status"])
    if status is JobStatus.PROCESSING:
        return _fail_silent(job)
    if status is JobStatus.SUBMITTED:
        return _requeue_lost(job)
    return False


def _fail_silent(job: OpenJob) -> bool:
    stale = Stale(PROCESSING_BEAT, job.ctx.settings.worker_heartbeat_timeout_s)
    worker = job.record.get("workerName") or "unknown"
    message = f"The worker processing this job ({worker}) stopped without finishing it"
    if job.ctx.lifecycle.give_up(job.job_id, message, token=holder(job.record), stale=stale):
        log.warning("Reaped job %s: worker %s stopped responding", job.job_id, worker)
        return True
    return False


def _requeue_lost(job: OpenJob) -> bool:
    store, settings = job.ctx.store, job.ctx.settings
    timeout_s = settings.worker_heartbeat_timeout_s
    if holder(job.record) is not None:
        how = f"by worker {job.record.get('workerName') or 'unknown'} before it started"
        won = attempts.requeue(store, job.record, stale=Stale(attempts.BEAT_FIELDS, timeout_s))
    elif job.job_id in job.between:
        how = "between dequeue and start"
        won = attempts.requeue(store, job.record, limbo_s=timeout_s)
    elif job.job_id not in job.queued:
        how = "from the queue"
        won = attempts.requeue(store, job.record, stale=Stale(("updatedAt",), timeout_s))
    else:
        return False  # waiting its turn
    if not won:
        return False
    with job.ctx.redis.pipeline(transaction=False) as pipe:
        pipe.lrem(RQ_INTERMEDIATE_KEY, 1, job.job_id)
        pipe.zrem(JOBS_LIMBO_KEY, job.job_id)
        pipe.execute()
    queue.enqueue(job.ctx.redis, settings, job.job_id)
    log.warning("Job %s was lost %s; queued it again", job.job_id, how)
    return True
