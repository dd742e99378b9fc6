"""The job record: a JSON string at `job:<jobId>`, changed only by compare-and-set.

Every write is one run of `scripts.CHANGE`: it checks the record against the
caller's conditions (allowed states, the fencing token of the attempt that holds
the job, a stale heartbeat, a passed deadline), merges the patch and, when the
new status is terminal, moves the job from the active set to the unsealed set
(its document is about to be put in place). A write whose conditions do not hold
changes nothing: that is a lost race, and callers handle it on purpose.

Each delivery of a job to the queue is an *attempt* (`attempt`, from 1). A worker
that takes the job claims the attempt: the record's `token` becomes the attempt
number, and only calls that present that token may start, beat for, complete
or fail the job (`engine.jobs.attempts`).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, cast

import redis

from engine import clock
from engine.config import Settings
from engine.constants import (
    JOBS_ACTIVE_KEY,
    JOBS_INDEX_KEY,
    JOBS_LIMBO_KEY,
    JOBS_UNSEALED_KEY,
    METRICS_KEY,
    job_key,
    owner_index_key,
)
from engine.jobs import scripts
from engine.jobs.status import ALLOWED_FROM, TERMINAL, JobStatus, Stage

JobRecord = dict[str, Any]
Token = int | None  # the attempt number that holds a job; None: nobody holds it


class AnyHolder:
    def __repr__(self) -> str:
        return "ANY_HOLDER"


ANY_HOLDER: Final = AnyHolder()  # a condition that does not look at the token (the user's cancel)

# Fields a client sees in /api/job-status (the card's, plus ours).
PUBLIC_FIELDS = (
    "jobId",
    "status",
    "progress",
    "stage",
    "resultUrl",
    "error",
    "errorMessage",
    "createdAt",
    "updatedAt",
    "cancelledAt",
    "timeoutAt",
    "startedAt",
    "finishedAt",
    "fileName",
    "goal",
)


def public_view(record: JobRecord) -> JobRecord:
    """The record as the API shows it: every public field, null when unset."""
    return {name: record.get(name) for name in PUBLIC_FIELDS}


def holder(record: JobRecord) -> Token:
    """The token of the attempt that holds the job (None: nobody)."""
    token = record.get("token")
    return int(token) if token is not None else None


def attempt_of(record: JobRecord) -> int:
    return int(record.get("attempt") or 1)


@dataclass(frozen=True)
class Stale:
    """Condition: the first of `fields` the record has is a time more than `s` seconds ago."""

    fields: tuple[str, ...]
    s: float


@dataclass(frozen=True)
class Change:
    """What a compare-and-set did: `won`, the record after (or as found), and why it lost."""

    won: bool
    record: JobRecord | None
    reason: str  # ok, replay, missing, status, token, attempt, fresh, deadline, limbo


class JobStore:
    """Reads and atomically changes job records in Redis.

    `retry_s`: for how long a change whose reply was lost (a connection dropped, a
    Redis restart, a read that timed out) is sent again. Each change carries an op
    id, so a resent change that had in fact been applied is reported as won, never
    applied twice. Workers retry for a while; the API answers 503 at once.
    """

    def __init__(self, connection: redis.Redis, settings: Settings, *, retry_s: float = 0.0) -> None:
        self.redis = connection
        self.settings = settings
        self.retry_s = retry_s
        self._change = connection.register_script(scripts.CHANGE)

    # --- reading -----------------------------------------------------------
    def get(self, job_id: str) -> JobRecord | None:
        raw = self.redis.get(job_key(job_id))
        return json.loads(raw) if raw else None

    def get_with_seal(self, job_id: str) -> tuple[JobRecord | None, bool]:
        """The record and whether it is sealed (its document in place), in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(job_key(job_id))
            pipe.zscore(JOBS_UNSEALED_KEY, job_id)
            raw, unsealed = pipe.execute()
        return (json.loads(raw) if raw else None), unsealed is None

    def get_many(self, job_ids: Iterable[str]) -> list[JobRecord | None]:
        ids = list(job_ids)
        if not ids:
            return []
        raws = cast(list[bytes | None], self.redis.mget([job_key(i) for i in ids]))
        return [json.loads(r) if r else None for r in raws]

    def recent_ids(self, limit: int, owner: str | None = None) -> list[str]:
        """Newest first (only `owner`'s jobs when given)."""
        index = JOBS_INDEX_KEY if owner is None else owner_index_key(owner)
        return [i.decode() for i in cast(list[bytes], self.redis.zrevrange(index, 0, limit - 1))]

    def recent(self, limit: int, owner: str | None = None) -> list[JobRecord]:
        """Newest first (only `owner`'s jobs when given); missing records are skipped."""
        return [r for r in self.get_many(self.recent_ids(limit * 2, owner)) if r is not None][:limit]

    def unsealed_among(self, job_ids: list[str]) -> set[str]:
        if not job_ids:
            return set()
        with self.redis.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.zscore(JOBS_UNSEALED_KEY, job_id)
            scores = pipe.execute()
        return {job_id for job_id, score in zip(job_ids, scores, strict=True) if score is not None}

    def active_ids(self) -> list[str]:
        return [i.decode() for i in cast(list[bytes], self.redis.zrange(JOBS_ACTIVE_KEY, 0, -1))]

    def unsealed_ids(self, older_than_s: float) -> list[str]:
        cutoff = clock.server_now(self.redis) - older_than_s
        raw = cast(list[bytes], self.redis.zrangebyscore(JOBS_UNSEALED_KEY, "-inf", cutoff))
        return [i.decode() for i in raw]

    # --- writing -----------------------------------------------------------
    def create(self, job_id: str, *, file_name: str, **extra: Any) -> JobRecord:
        """A new `submitted` job (attempt 1, held by nobody) whose deadline runs from now (the server's)."""
        created = clock.server_now(self.redis)
        record: JobRecord = {
            "jobId": job_id,
            "status": JobStatus.SUBMITTED.value,
            "progress": 0.0,
            "stage": Stage.QUEUED.value,
            "resultUrl": None,
            "error": None,
            "errorMessage": None,
            "createdAt": clock.iso(created),
            "updatedAt": clock.iso(created),
            "cancelledAt": None,
            "timeoutAt": clock.iso(created + self.settings.job_timeout_s),
            "startedAt": None,
            "finishedAt": None,
            "fileName": file_name,
            "attempt": 1,
            "token": None,
            **extra,
        }
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(job_key(job_id), json.dumps(record))
            pipe.zadd(JOBS_INDEX_KEY, {job_id: created})
            if extra.get("owner"):
                pipe.zadd(owner_index_key(extra["owner"]), {job_id: created})
            pipe.zadd(JOBS_ACTIVE_KEY, {job_id: created})
            pipe.hincrby(METRICS_KEY, "jobs_created_total", 1)
            pipe.execute()
        return record

    def change(
        self,
        job_id: str,
        patch: JobRecord,
        *,
        when: Iterable[JobStatus],
        token: Token | AnyHolder = ANY_HOLDER,
        attempt: int | None = None,
        stale: Stale | None = None,
        past_deadline_s: float | None = None,
        before_deadline: bool = False,
        limbo_s: float | None = None,
    ) -> Change:
        """Apply `patch` if every condition holds (see `scripts.CHANGE`); `updatedAt` is set too.

        Judged at, and stamped with, the Redis server's time: fields whose value is
        `clock.NOW` get that time, as `updatedAt` does.
        """
        stamped = [name for name, value in patch.items() if value is clock.NOW]
        patch = {name: value for name, value in patch.items() if value is not clock.NOW}
        cond: dict[str, Any] = {"status": [s.value for s in when]}
        if not isinstance(token, AnyHolder):
            cond["token"] = token
        if attempt is not None:
            cond["attempt"] = attempt
        if stale is not None:
            cond["stale"] = {"fields": list(stale.fields), "s": stale.s}
        if past_deadline_s is not None:
            cond["pastDeadline"] = past_deadline_s
        if before_deadline:
            cond["beforeDeadline"] = True
        if limbo_s is not None:
            cond["limbo"] = limbo_s
        keys = [job_key(job_id), JOBS_ACTIVE_KEY, JOBS_UNSEALED_KEY, METRICS_KEY, JOBS_LIMBO_KEY]
        op = secrets.token_hex(8)
        give_up_at = time.monotonic() + self.retry_s
        wait_s = 0.1
        while True:
            args = [json.dumps(cond), json.dumps(patch), job_id, json.dumps(stamped), op, clock.pinned_arg()]
            try:
                won, raw, reason = self._change(keys=keys, args=args)
            except (redis.ConnectionError, redis.TimeoutError):
                if time.monotonic() + wait_s > give_up_at:
                    raise
                time.sleep(wait_s)
                wait_s = min(wait_s * 2, 1.0)
                continue
            return Change(bool(won), json.loads(raw) if raw else None, reason.decode())

    def transition(
        self, job_id: str, to: JobStatus, *, token: Token | AnyHolder = ANY_HOLDER, **fields: Any
    ) -> tuple[bool, JobRecord | None]:
        """Move the job to `to` if the transition table allows it from its current state.

        Returns (won, record): `won` is False when the job was missing, in a state
        `to` cannot follow, or held by another attempt than `token`; `record` is
        then the record as found.
        """
        patch: JobRecord = {"status": to.value, **fields}
        if to in TERMINAL:
            patch.setdefault("finishedAt", clock.NOW)
        result = self.change(job_id, patch, when=ALLOWED_FROM[to], token=token)
        return result.won, result.record

    def update(
        self,
        job_id: str,
        *,
        when: Iterable[JobStatus],
        token: Token | AnyHolder = ANY_HOLDER,
        **fields: Any,
    ) -> bool:
        """Change fields (progress, stage, heartbeat) only while the job is in `when`."""
        return self.change(job_id, fields, when=when, token=token).won

    def seal(self, job_id: str) -> None:
        """The terminal job's document is in place."""
        self.redis.zrem(JOBS_UNSEALED_KEY, job_id)

    def forget_active(self, job_id: str) -> None:
        self.redis.zrem(JOBS_ACTIVE_KEY, job_id)
