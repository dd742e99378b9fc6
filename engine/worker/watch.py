"""The watch over one work-horse: it applies the policies on every tick until the horse exits.

The watch runs in the worker process, outside the horse, so it can stop a horse
stuck inside one long C call. It notices the exit at once through a pidfd, and
signals the horse through that same pidfd (never by pid, which the kernel may
have reused). After the exit it closes the job if the horse left it open, but
only if the job is still this attempt's: a job another attempt holds is not
this worker's to close.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import threading
import time

import redis

from engine import clock, memory
from engine.constants import RESULT_DOC
from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs.attempts import Attempt
from engine.jobs.status import JobStatus
from engine.jobs.store import JobRecord, holder
from engine.storage import clear_scratch
from engine.worker.policies import WATCH, Tick, Verdict
from engine.worker.policies import memory as memory_policy
from engine.worker.policies.base import Worker, phase

log = logging.getLogger("sightline.worker")


class HorseHandle:
    """A horse's pidfd, shared by the watch and whoever else may signal the horse (RQ's stop-job)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fd: int | None = None

    def open(self, pid: int) -> int:
        with self._lock:
            self._fd = os.pidfd_open(pid)
            return self._fd

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def signal(self, sig: int) -> bool:
        """Send `sig` to the horse; False when there is no horse (never a pid <= 0, never a group)."""
        with self._lock:
            if self._fd is None:
                return False
            try:
                signal.pidfd_send_signal(self._fd, sig)
            except ProcessLookupError:  # it exited and is not yet reaped
                return False
            return True


class HorseWatch:
    """Watches one horse until it exits, ending the job when a policy says so."""

    def __init__(
        self,
        ctx: EngineContext,
        worker: Worker,
        handle: HorseHandle,
        pid: int,
        job_id: str,
        attempt: Attempt | None,
    ) -> None:
        self.ctx = ctx
        self.worker = worker
        self.handle = handle
        self.pid = pid
        self.job_id = job_id
        self.attempt = attempt
        self.policies = [policy(ctx) for policy in WATCH]
        self.stopped = False
        self.last_redis_warning = float("-inf")  # local monotonic time
        self.clock = clock.ServerClock(ctx.redis)  # the server's time, counted on the monotonic clock

    def wait(self) -> int | None:
        """Tick until the horse exits; returns its wait status."""
        if self.pid <= 0:
            return None
        fd = self.handle.open(self.pid)
        try:
            while True:
                ready, _, _ = select.select([fd], [], [], self.ctx.settings.worker_tick_s)
                if ready:
                    _, status = os.waitpid(self.pid, 0)
                    return status
                if not self.stopped:
                    self._tick_safely()
        finally:
            self.handle.close()

    def _tick_safely(self) -> None:
        """A Redis outage must not take the worker down: the horse runs on, we look again."""
        try:
            self.tick()
        except redis.RedisError as exc:
            now = time.monotonic()
            if now - self.last_redis_warning > 5:
                log.warning("Job %s: cannot reach Redis (%s); retrying", self.job_id, exc)
                self.last_redis_warning = now

    def tick(self) -> None:
        """Ask each policy in turn; the first that acts ends this tick."""
        tick = Tick(
            ctx=self.ctx,
            worker=self.worker,
            job_id=self.job_id,
            attempt=self.attempt,
            record=self.ctx.store.get(self.job_id),
            horse_pid=self.pid,
            now=self.clock.now(),
        )
        for policy in self.policies:
            verdict = policy.watch(tick)
            if verdict is Verdict.STOP:
                self.stop()
                return
            if verdict is Verdict.LEAVE:
                return

    def stop(self) -> None:
        self.stopped = True
        self.handle.signal(signal.SIGKILL)

    # --- after the horse exited -------------------------------------------------
    def after_exit(self, status: int | None) -> None:
        """Close the job if the horse left it open; tidy what a killed horse left.

        Without Redis this is left to the reaper (the record stays open until then).
        """
        if self.attempt is None:  # not a Sightline job (no record, no scratch)
            return
        clear_scratch(self.ctx.settings, self.job_id)  # the horse's local copy of its input (S3)
        try:
            record, sealed = self.ctx.store.get_with_seal(self.job_id)
            if record is not None and holder(record) == self.attempt.token:
                self._close(record, sealed, status)
        except redis.RedisError as exc:
            log.warning("Job %s: cannot reach Redis after the horse exited (%s)", self.job_id, exc)

    def _close(self, record: JobRecord, sealed: bool, status_code: int | None) -> None:
        assert self.attempt is not None
        token = self.attempt.token
        status = JobStatus(record["status"])
        if status is JobStatus.CANCELLED and record.get("startedAt"):
            log.info("Job %s was cancelled during %s.", self.job_id, phase(record))
        if status is JobStatus.COMPLETED:  # result.json in place even if the horse died publishing
            if not sealed:
                self.ctx.lifecycle.seal(self.job_id, record)
            return
        self.ctx.blobs.discard_staged(self.job_id, RESULT_DOC, token)
        if status in (JobStatus.SUBMITTED, JobStatus.PROCESSING):
            message = self._exit_message(record, status_code)
            self.ctx.lifecycle.fail(self.job_id, ErrorCode.PROCESSING_ERROR, message, token=token)

    def _exit_message(self, record: JobRecord, status_code: int | None) -> str:
        """Why the horse ended; a horse killed on its way to the memory cap is told as a memory failure.

        Allocators (polars' among them) abort the process when the hard ceiling refuses
        them memory, before the watch's next look.
        """
        reason = exit_reason(status_code)
        cap = self.ctx.settings.max_job_memory_bytes
        peak = next((p.peak for p in self.policies if isinstance(p, memory_policy.Watch)), 0)
        killed = status_code is not None and os.WIFSIGNALED(status_code)
        if cap is not None and killed and peak >= cap // 2:
            size = self.ctx.blobs.upload_size(self.job_id)
            return f"{memory.over_cap_message(self.ctx.settings, record.get('fileName'), size)} ({reason})"
        return f"The analysis process ended unexpectedly ({reason})"


def exit_reason(status: int | None) -> str:
    if status is None:
        return "unknown exit"
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"
