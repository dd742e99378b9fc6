"""JOB_RETENTION_DAYS: ended jobs older than that go away whole.

A job's record, its index entries (recent jobs, its owner's list, the open,
unsealed and limbo sets) and RQ's keys for it are removed in one Redis step,
which also notes the job in a purging set; then its upload and documents are
deleted from storage and the note is dropped. A reader never finds a record
whose files are gone, and a crash between the two steps leaves the note, so the
next sweep deletes the files. Jobs still open are never removed.
"""

from __future__ import annotations

import logging
from typing import cast

from engine import clock
from engine.constants import (
    JOB_KEY_PREFIX,
    JOBS_ACTIVE_KEY,
    JOBS_INDEX_KEY,
    JOBS_LIMBO_KEY,
    JOBS_PURGING_KEY,
    JOBS_UNSEALED_KEY,
    RQ_JOB_KEY_PREFIX,
    RQ_RESULTS_KEY_PREFIX,
    owner_index_key,
)
from engine.jobs import scripts
from engine.jobs.store import JobStore
from engine.storage import BlobStore

log = logging.getLogger("sightline.retention")


class Retention:
    """Removes ended jobs past JOB_RETENTION_DAYS, a batch per call."""

    def __init__(self, store: JobStore, blobs: BlobStore) -> None:
        self.store = store
        self.blobs = blobs
        self._purge = store.redis.register_script(scripts.PURGE)

    def sweep(self) -> int:
        """Remove what is due; returns how many jobs were removed."""
        settings = self.store.settings
        retention_s = settings.job_retention_s
        redis = self.store.redis
        leftover = [i.decode() for i in cast(list[bytes], redis.zrange(JOBS_PURGING_KEY, 0, -1))]
        removed: list[str] = []
        if retention_s is not None:
            keys = [JOBS_INDEX_KEY, JOBS_ACTIVE_KEY, JOBS_UNSEALED_KEY, JOBS_LIMBO_KEY, JOBS_PURGING_KEY]
            prefixes = [JOB_KEY_PREFIX, owner_index_key(""), RQ_JOB_KEY_PREFIX, RQ_RESULTS_KEY_PREFIX]
            args: list[str | float] = [clock.pinned_arg(), retention_s, settings.retention_batch, *prefixes]
            removed = [i.decode() for i in cast(list[bytes], self._purge(keys=keys, args=args))]
        for job_id in dict.fromkeys(leftover + removed):
            self.blobs.delete_job(job_id)
            redis.zrem(JOBS_PURGING_KEY, job_id)
        if removed:
            log.info(
                "Removed %d job(s) older than JOB_RETENTION_DAYS=%g",
                len(removed),
                settings.job_retention_days,
            )
        return len(removed)
