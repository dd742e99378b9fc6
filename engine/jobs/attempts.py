"""Attempts and their fencing tokens: who may work on a job, and when it goes back to the queue.

Every time a job is put on the queue is one attempt (`attempt` in the record,
from 1). A worker that takes a delivery of the job *claims* the attempt before it
forks a horse: the claim succeeds only while the job is `submitted` and nobody
holds it, and makes the attempt number the record's `token`. Everything the
attempt does afterwards (start, heartbeat, progress, complete, fail) presents the
token, and the record refuses a token it does not hold. So:

- a second delivery of the same attempt (RQ handed the job out twice, a reaper
  re-queued it by mistake) finds the job held and is dropped unrun;
- the reaper re-queues a lost job only by moving its attempt number on, in one
  compare-and-set, so two sweeps cannot both re-queue the same attempt;
- an attempt that was given up on (its worker went silent: partitioned, frozen)
  may come back later; its token is no longer the record's, so its progress,
  its result and its failure are all refused. Tokens only grow, so a store that
  keeps the highest token it has seen can refuse a late writer too.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import clock
from engine.jobs.status import OPEN, JobStatus, Stage
from engine.jobs.store import Change, JobRecord, JobStore, Stale, attempt_of

BEAT_FIELDS = ("heartbeatAt", "claimedAt", "updatedAt")  # the last sign of life of an attempt


@dataclass(frozen=True)
class Attempt:
    """One attempt at one job, held by the worker that claimed it."""

    job_id: str
    token: int
    worker: str | None = None


def claim(store: JobStore, job_id: str, worker: str | None) -> tuple[Attempt | None, Change]:
    """Take the job's current attempt for `worker`, or say (`Change.reason`) why not.

    Reasons: `missing`; `status` (the job is processing or ended); `token` (another
    delivery holds it); `deadline` (past `timeoutAt`: time it out instead); `attempt`
    (it was re-queued meanwhile: that delivery will come).
    """
    record = store.get(job_id)
    if record is None:
        return None, Change(False, None, "missing")
    number = attempt_of(record)
    result = store.change(
        job_id,
        {"token": number, "workerName": worker, "claimedAt": clock.NOW, "heartbeatAt": clock.NOW},
        when={JobStatus.SUBMITTED},
        token=None,
        attempt=number,
        before_deadline=True,
    )
    return (Attempt(job_id, number, worker) if result.won else None), result


def beat(store: JobStore, attempt: Attempt) -> bool:
    """The attempt is alive; False when the job is no longer open or no longer its own."""
    return store.update(attempt.job_id, when=OPEN, token=attempt.token, heartbeatAt=clock.NOW)


def requeue(
    store: JobStore,
    record: JobRecord,
    *,
    stale: Stale | None = None,
    limbo_s: float | None = None,
) -> bool:
    """Give a `submitted` job a new attempt, if the evidence that its attempt is lost still holds.

    The evidence is checked in the same step as the change: the holder's heartbeat is
    stale (`stale`), or it has sat between dequeue and start longer than `limbo_s`, or
    (neither given) it is held by nobody. The caller then puts the job on the queue.
    """
    number = attempt_of(record)
    patch = {"attempt": number + 1, "token": None, "workerName": None, "claimedAt": None,
             "heartbeatAt": None, "stage": Stage.QUEUED.value, "progress": 0.0}  # fmt: skip
    result = store.change(
        record["jobId"],
        patch,
        when={JobStatus.SUBMITTED},
        token=record.get("token"),
        attempt=number,
        stale=stale,
        limbo_s=limbo_s,
    )
    return result.won
