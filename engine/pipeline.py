"""What a work-horse does with one job: parse, profile, find insights, narrate, save.

`run_job` is the RQ job function. It runs in the forked work-horse; the worker
process watching it (engine/worker) enforces cancellation, the deadline and
shutdown by killing the horse, so nothing here needs to poll for them. Progress
writes double as a check: once the record has left `processing`, the next write
fails and the horse stops on its own.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

from engine import analysis, clock, narrative
from engine.config import Settings
from engine.context import EngineContext
from engine.download import download
from engine.errors import ErrorCode, InputError, JobCancelled, SightlineError
from engine.jobs.status import TERMINAL, JobStatus, Stage
from engine.jobs.store import JobRecord

log = logging.getLogger("sightline.pipeline")

_PR_SET_PDEATHSIG = 1


_shared: dict[str, EngineContext] = {}


def share_context(ctx: EngineContext) -> None:
    """Let every horse forked from this worker use the worker's context.

    The horse then talks to Redis through the same client as RQ does in it (one
    connection per horse instead of two or three).
    """
    _shared["ctx"] = ctx


def _context() -> EngineContext:
    if "ctx" not in _shared:
        _shared["ctx"] = EngineContext.create()
    return _shared["ctx"]


def run_job(job_id: str) -> None:
    """RQ entry point: process one job to exactly one terminal state."""
    die_with_parent()
    JobRun(_context(), job_id).run()


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this horse if its worker dies, so no orphan works on."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the reaper still closes the job
        pass


class JobRun:
    """One attempt at one job."""

    def __init__(self, ctx: EngineContext, job_id: str) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self.progress = 0.0

    def run(self) -> None:
        record = self._start()
        if record is None:
            return
        try:
            doc = self._execute(record)
            self._report(Stage.SAVING, 0.95)
            if not self.ctx.lifecycle.complete(self.job_id, doc):
                log.info("Job %s ended while its result was being saved; result discarded", self.job_id)
        except JobCancelled:
            return
        except SightlineError as exc:
            self.ctx.lifecycle.fail(self.job_id, exc.code, exc.message)
        except Exception as exc:
            log.exception("Job %s failed unexpectedly", self.job_id)
            self.ctx.lifecycle.fail(
                self.job_id, ErrorCode.PROCESSING_ERROR, f"Unexpected error: {type(exc).__name__}: {exc}"
            )

    def _start(self) -> JobRecord | None:
        """Move the job to `processing`, or say why it will not run."""
        store = self.ctx.store
        record = store.get(self.job_id)
        if record is None:
            log.warning("Job %s has no record (expired?). Skipping.", self.job_id)
            return None
        if record["status"] == JobStatus.CANCELLED.value:
            log.info("Job %s was cancelled before processing. Skipping.", self.job_id)
            return None
        if JobStatus(record["status"]) in TERMINAL:
            log.info("Job %s already ended (%s). Skipping.", self.job_id, record["status"])
            return None
        if clock.now_s() >= clock.parse_iso(record["timeoutAt"]):
            if self.ctx.lifecycle.fail(self.job_id, ErrorCode.TIMEOUT, timeout_message(self.ctx)):
                log.warning("Job %s has timed out", self.job_id)
            return None
        won, found = store.transition(
            self.job_id,
            JobStatus.PROCESSING,
            stage=Stage.PARSING.value,
            progress=0.02,
            startedAt=clock.iso(),
            heartbeatAt=clock.iso(),
            workerName=os.environ.get("RQ_WORKER_ID"),
        )
        if not won:
            if found and found["status"] == JobStatus.CANCELLED.value:
                log.info("Job %s was cancelled before processing. Skipping.", self.job_id)
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
        blobs = self.ctx.blobs
        path = blobs.upload_path(self.job_id)
        if path is not None:
            return path
        url = record.get("sourceUrl")
        if not url:
            raise InputError("The uploaded file is missing from storage", job_id=self.job_id)
        with download(url, self.ctx.settings) as data:
            return blobs.save_upload(self.job_id, record.get("fileName") or "download.csv", data)

    def _on_progress(self, stage: str, fraction: float) -> None:
        self._report(Stage(stage), fraction)

    def _report(self, stage: Stage, fraction: float) -> None:
        self.progress = max(self.progress, min(fraction, 0.99))
        ok = self.ctx.store.update(
            self.job_id, when={JobStatus.PROCESSING}, stage=stage.value, progress=round(self.progress, 3)
        )
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


def timeout_message(ctx: EngineContext) -> str:
    return f"Job exceeded maximum processing time (JOB_TIMEOUT_SECONDS={ctx.settings.job_timeout_s:g})"


def warm_up() -> None:
    """Import what a job needs before the worker forks, so each horse starts warm.

    Only imports: running an analysis here would start polars' thread pool in
    the parent, and a pool does not survive fork() (the horse would deadlock).
    """
    import engine.analysis.pipeline
    import engine.narrative.service  # noqa: F401
