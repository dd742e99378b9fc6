"""The job record: a JSON string at `job:<jobId>`, changed only by compare-and-set.

Every write goes through one Lua script that checks the record's current status
against the allowed set, merges the patch and, when the new status is terminal,
moves the job from the active set to the unsealed set (its document is about to
be put in place). A write that finds the job in another state changes nothing:
that is a lost race, and callers handle it on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

import redis

from engine import clock
from engine.config import Settings
from engine.constants import (
    JOBS_ACTIVE_KEY,
    JOBS_INDEX_KEY,
    JOBS_UNSEALED_KEY,
    METRICS_KEY,
    job_key,
    owner_index_key,
)
from engine.jobs.ended_cache import EndedJobCache
from engine.jobs.status import ALLOWED_FROM, TERMINAL, JobStatus, Stage

JobRecord = dict[str, Any]

_CAS_SCRIPT = """
local raw = redis.call('GET', KEYS[1])
if not raw then return {0, false} end
local rec = cjson.decode(raw)
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if rec['status'] == s then allowed = true end
end
if not allowed then return {0, raw} end
for k, v in pairs(cjson.decode(ARGV[2])) do rec[k] = v end
local out = cjson.encode(rec)
redis.call('SET', KEYS[1], out, 'KEEPTTL')
local st = rec['status']
if st == 'completed' or st == 'failed' or st == 'cancelled' then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
  local code = rec['error']
  if type(code) ~= 'string' then code = '' end
  redis.call('HINCRBY', KEYS[4], 'jobs_finished_total|error=' .. code .. '|status=' .. st, 1)
end
return {1, out}
"""

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


class JobStore:
    """Reads and atomically changes job records in Redis."""

    def __init__(self, connection: redis.Redis, settings: Settings) -> None:
        self.redis = connection
        self.settings = settings
        self._cas = connection.register_script(_CAS_SCRIPT)
        self._ended = EndedJobCache()

    # --- reading -----------------------------------------------------------
    def get(self, job_id: str) -> JobRecord | None:
        raw = self.redis.get(job_key(job_id))
        return json.loads(raw) if raw else None

    def get_for_reading(self, job_id: str) -> JobRecord | None:
        """Like `get`, but an ended job's record comes from this process's cache when it can.

        For readers such as the status endpoint; never for code that changes jobs.
        """
        cached = self._ended.get(job_id)
        if cached is not None:
            return cached
        record = self.get(job_id)
        if record is not None and JobStatus(record["status"]) in TERMINAL:
            self._ended.put(job_id, record)
        return record

    def get_many(self, job_ids: Iterable[str]) -> list[JobRecord | None]:
        ids = list(job_ids)
        if not ids:
            return []
        raws = cast(list[bytes | None], self.redis.mget([job_key(i) for i in ids]))
        return [json.loads(r) if r else None for r in raws]

    def recent(self, limit: int, owner: str | None = None) -> list[JobRecord]:
        """Newest first (only `owner`'s jobs when given); expired records are skipped."""
        index = JOBS_INDEX_KEY if owner is None else owner_index_key(owner)
        ids = [i.decode() for i in cast(list[bytes], self.redis.zrevrange(index, 0, limit * 2))]
        return [r for r in self.get_many(ids) if r is not None][:limit]

    def active_ids(self) -> list[str]:
        return [i.decode() for i in cast(list[bytes], self.redis.zrange(JOBS_ACTIVE_KEY, 0, -1))]

    def unsealed_ids(self, older_than_s: float) -> list[str]:
        cutoff = clock.now_s() - older_than_s
        raw = cast(list[bytes], self.redis.zrangebyscore(JOBS_UNSEALED_KEY, "-inf", cutoff))
        return [i.decode() for i in raw]

    # --- writing -----------------------------------------------------------
    def create(self, job_id: str, *, file_name: str, **extra: Any) -> JobRecord:
        """A new `submitted` job whose deadline runs from now."""
        created = clock.now_s()
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
            **extra,
        }
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(job_key(job_id), json.dumps(record), ex=self.settings.job_ttl_s)
            pipe.zadd(JOBS_INDEX_KEY, {job_id: created})
            if extra.get("owner"):
                pipe.zadd(owner_index_key(extra["owner"]), {job_id: created})
            pipe.zadd(JOBS_ACTIVE_KEY, {job_id: created})
            pipe.hincrby(METRICS_KEY, "jobs_created_total", 1)
            pipe.execute()
        return record

    def transition(self, job_id: str, to: JobStatus, **fields: Any) -> tuple[bool, JobRecord | None]:
        """Move the job to `to` if the transition table allows it from its current state.

        Returns (won, record): `won` is False when the job was missing or in a
        state `to` cannot follow; `record` is then the record as found.
        """
        now = clock.now_s()
        patch = {"status": to.value, "updatedAt": clock.iso(now), **fields}
        if to in TERMINAL:
            patch.setdefault("finishedAt", clock.iso(now))
        return self._apply(job_id, ALLOWED_FROM[to], patch, now)

    def update(self, job_id: str, *, when: Iterable[JobStatus], **fields: Any) -> bool:
        """Change fields (progress, stage, heartbeat) only while the job is in `when`."""
        now = clock.now_s()
        won, _ = self._apply(job_id, when, {"updatedAt": clock.iso(now), **fields}, now)
        return won

    def seal(self, job_id: str) -> None:
        """The terminal job's document is in place."""
        self.redis.zrem(JOBS_UNSEALED_KEY, job_id)

    def forget_active(self, job_id: str) -> None:
        self.redis.zrem(JOBS_ACTIVE_KEY, job_id)

    def _apply(
        self, job_id: str, allowed: Iterable[JobStatus], patch: JobRecord, now: float
    ) -> tuple[bool, JobRecord | None]:
        allowed_csv = ",".join(s.value for s in allowed)
        keys = [job_key(job_id), JOBS_ACTIVE_KEY, JOBS_UNSEALED_KEY, METRICS_KEY]
        ok, raw = self._cas(keys=keys, args=[allowed_csv, json.dumps(patch), job_id, now])
        return bool(ok), (json.loads(raw) if raw else None)
