"""What a work-horse does with one job: parse, profile, find insights, narrate, save.

`run_job` is the RQ job function. It runs in the forked work-horse, on behalf of
the attempt its worker claimed before the fork (`hand_over`): every write it makes
presents that attempt's fencing token. The worker process watching it
(engine/worker) enforces cancellation, the deadline, shutdown and the memory cap
by killing the horse, so nothing here needs to poll for them. Progress writes
double as a check: once the record has left `processing`, or another attempt
holds it, the next write fails and the horse stops on its own.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import logging
import re
import signal
import time
from pathlib import Path
from typing import Any

import redis

from engine import analysis, clock, memory, narrative
from engine.config import Settings
from engine.context import EngineContext
from engine.download import download
from engine.errors import InputError, JobCancelled, MemoryLimitExceeded, SightlineError
from engine.jobs.attempts import Attempt
from engine.jobs.status import JobStatus, Stage
from engine.jobs.store import JobRecord, holder
from engine.storage import inline as inline_inputs
from engine.storage import job_scratch
from engine.storage.inline import keeps_inline

log = logging.getLogger("sightline.pipeline")

_PR_SET_PDEATHSIG = 1


_shared: dict[str, EngineContext] = {}
_attempt: dict[str, Attempt] = {}


def share_context(ctx: EngineContext) -> None:
    """Let every horse forked from this worker use the worker's context.

    The horse then talks to Redis through the same client as RQ does in it (one
    connection per horse instead of two or three), and finds the storage's client
    library loaded.
    """
    _shared["ctx"] = ctx
    ctx.blobs.warm_up()
    # What exists now lives as long as the worker: keep it out of the collector, so
    # a horse's first garbage collection does not touch (and copy) the whole heap
    # shared with its parent; under load that cost a horse a few hundred ms.
    gc.freeze()


def _context() -> EngineContext:
    if "ctx" not in _shared:
        _shared["ctx"] = EngineContext.create()
    return _shared["ctx"]


def hand_over(attempt: Attempt | None) -> None:
    """The attempt the next horse forked from this worker works for (None: none)."""
    _attempt.clear()
    if attempt is not None:
        _attempt["current"] = attempt


def run_job(job_id: str) -> None:
    """RQ entry point: process one job to exactly one terminal state."""
    die_with_parent()
    attempt = _attempt.get("current")
    if attempt is None or attempt.job_id != job_id:
        log.warning("Job %s reached a work-horse without a claimed attempt. Skipping.", job_id)
        return
    ctx = _context()
    memory.cap_this_process(ctx.settings)
    JobRun(ctx, attempt).run()


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this horse if its worker dies, so no orphan works on."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the reaper still closes the job
        pass


class JobRun:
    """One attempt at one job."""

    def __init__(self, ctx: EngineContext, attempt: Attempt) -> None:
        self.ctx = ctx
        self.attempt = attempt
        self.job_id = attempt.job_id
        self.progress = 0.0

    def run(self) -> None:
        record = self._start()
        if record is None:
            return
        token = self.attempt.token
        try:
            doc = self._execute(record)
            self._report(Stage.SAVING, 0.95)
            if not self.ctx.lifecycle.complete(self.job_id, doc, token=token):
                log.info("Job %s ended while its result was being saved; result discarded", self.job_id)
        except JobCancelled:
            return
        except MemoryError:
            self._fail(MemoryLimitExceeded(self._over_cap_message(record), job_id=self.job_id))
        except SightlineError as exc:
            self._fail(exc)
        except Exception as exc:
            log.exception("Job %s failed unexpectedly", self.job_id)
            self._fail(SightlineError(f"Unexpected error: {type(exc).__name__}: {exc}", job_id=self.job_id))

    def _fail(self, exc: SightlineError) -> None:
        self.ctx.lifecycle.fail(self.job_id, exc.code, exc.message, token=self.attempt.token)

    def _over_cap_message(self, record: JobRecord) -> str:
        size = self.ctx.blobs.upload_size(self.job_id)
        return memory.over_cap_message(self.ctx.settings, record.get("fileName"), size)

    def _start(self) -> JobRecord | None:
        """Move the claimed job to `processing`, or say why it will not run."""
        won, found = self.ctx.store.transition(
            self.job_id,
            JobStatus.PROCESSING,
            token=self.attempt.token,
            stage=Stage.PARSING.value,
            progress=0.02,
            startedAt=clock.NOW,
            heartbeatAt=clock.NOW,
        )
        if (
            not won
            and found
            and found["status"] == JobStatus.PROCESSING.value
            and holder(found) == self.attempt.token
        ):
            # this start went through but its reply was lost (a Redis restart) and the worker's
            # heartbeat has since replaced the change's op id, so the resent start is not seen as
            # a replay: only this attempt's horse moves its job to processing, so it is this one
            log.info("Job %s: its start was applied before a lost reply; carrying on", self.job_id)
            return found
        if not won:
            if found and found["status"] == JobStatus.CANCELLED.value:
                log.info("Job %s was cancelled before processing. Skipping.", self.job_id)
            else:
                log.info("Job %s is no longer this attempt's to run. Skipping.", self.job_id)
            return None
        return found

    def _execute(self, record: JobRecord) -> dict[str, Any]:
        settings = self.ctx.settings
        path = self._input(record)
        simulate_slow_work(settings)
        doc = analysis.analyze(
            path,
            file_name=record.get("fileName"),
            job_id=self.job_id,
            settings=settings,
            progress=self._on_progress,
            goal=record.get("goal"),
        )
        self._report(Stage.NARRATIVE, 0.8)
        narrative.attach_narrative(doc, settings=settings, redis=self.ctx.redis)
        return doc

    def _input(self, record: JobRecord) -> Path:
        """A local copy of the job's input: in place (file storage) or in this worker's scratch (S3).

        A small S3 upload is taken from Redis when it is kept there (engine/storage/inline.py).

        The worker removes the scratch folder once the horse has exited.
        """
        blobs = self.ctx.blobs
        scratch = job_scratch(self.ctx.settings, self.job_id)
        name = record.get("fileName") or "download.csv"
        if keeps_inline(self.ctx.settings, blobs.backend):
            kept = inline_inputs.take(self.ctx.redis, self.ctx.settings, self.job_id, name)
            if kept is not None:
                return kept
        path = blobs.fetch_upload(self.job_id, name, scratch)
        if path is not None:
            return path
        url = record.get("sourceUrl")
        if not url:
            raise InputError("The uploaded file is missing from storage", job_id=self.job_id)
        with download(url, self.ctx.settings) as data:
            blobs.save_upload(self.job_id, name, data)
        path = blobs.fetch_upload(self.job_id, name, scratch)
        if path is None:
            raise InputError("The downloaded file is missing from storage", job_id=self.job_id)
        return path

    def _on_progress(self, stage: str, fraction: float) -> None:
        self._report(Stage(stage), fraction)

    def _report(self, stage: Stage, fraction: float) -> None:
        self.progress = max(self.progress, min(fraction, 0.99))
        try:
            ok = self.ctx.store.update(
                self.job_id,
                when={JobStatus.PROCESSING},
                token=self.attempt.token,
                stage=stage.value,
                progress=round(self.progress, 3),
            )
        except redis.RedisError as exc:  # progress is best effort; the watch still enforces the rules
            log.warning("Job %s: progress not recorded (%s)", self.job_id, exc)
            return
        if not ok:
            raise JobCancelled("The job ended while it was being processed", job_id=self.job_id)


def simulate_slow_work(settings: Settings) -> None:
    """SIMULATED_SLOW_PROCESSING_SECONDS: a demo and test aid for cancel and timeout.

    `c_call` mode blocks inside one regular-expression call in C that holds the
    GIL and never returns, which no in-process signal can interrupt: only the
    worker's kill stops it.
    """
    if not settings.simulated_slow_processing_s:
        return
    if settings.simulated_slow_mode == "c_call":
        re.match(r"(a+)+$", "a" * 64 + "!")
    else:
        time.sleep(settings.simulated_slow_processing_s)


# What a job's code imports only on first use, so that `python -m engine analyze`
# starts fast; a worker imports it all before it forks (tests/engine/worker/test_warm_up.py
# finds every such import in the job's code and checks it is covered).
DEFERRED_IMPORTS = (
    "charset_normalizer",  # engine.ingest.encoding: files that are not UTF-8
    "python_calamine",  # engine.ingest.readers: an Excel workbook
    "scipy.special",  # engine.analysis.special: tail probabilities of very large samples
    "snowballstemmer",  # engine.analysis.goal: a goal
    "tempfile",  # engine.config: scratch_root
    "urllib.request",  # engine.config: a file:// STORAGE_URL
)


def warm_up() -> None:
    """Import what a job needs before the worker forks, so each horse starts warm.

    Only imports: running an analysis here would start polars' thread pool in
    the parent, and a pool does not survive fork() (the horse would deadlock).
    """
    import engine.analysis.pipeline
    import engine.narrative.service  # noqa: F401

    for name in DEFERRED_IMPORTS:
        importlib.import_module(name)
    # The modules' objects live as long as the process: out of the collector's reach, a job's
    # full collections walk only what the job made (on a million rows one walk of the ~100,000
    # imported objects cost ~60 ms, at a moment set by the allocation count)
    gc.freeze()
