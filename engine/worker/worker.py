"""An RQ worker that enforces cancel, deadline and shutdown from outside the horse.

RQ's forking Worker runs each job in a work-horse process. This subclass
replaces only the loop that watches the horse: every tick (0.1 s) it reads the
job record and kills the horse (SIGKILL to its process group) when the job was
cancelled, has passed `timeoutAt`, or the worker was asked to stop. Because the
kill comes from another process, a horse stuck inside one long C call is
stopped just the same. Exits are noticed at once through a pidfd.

On SIGTERM/SIGINT the worker fails its in-flight job with `worker_shutdown`
(with error.json), then exits. Log lines are the card's.
"""

from __future__ import annotations

import logging
import os
import select
import signal
from types import FrameType
from typing import Any

import redis
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, StopRequested
from rq.job import Job
from rq.job import JobStatus as RQJobStatus
from rq.utils import now as rq_now

from engine import clock
from engine.constants import RESULT_DOC
from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs.status import JobStatus, Stage
from engine.jobs.store import JobRecord
from engine.pipeline import timeout_message
from engine.storage import clear_scratch

log = logging.getLogger("sightline.worker")

TICK_S = 0.1
HEARTBEAT_EVERY_S = 1.0
RQ_HEARTBEAT_EVERY_S = 5.0


class SightlineWorker(Worker):
    """RQ Worker whose horse monitor applies Sightline's job rules."""

    def __init__(self, *args: Any, ctx: EngineContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx = ctx
        self._shutdown_signal: int | None = None
        self._busy = False  # from taking a job until its aftermath is done

    # --- signals -------------------------------------------------------------
    def _install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGTERM, self._on_stop_signal)

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._shutdown_signal is None:
            log.warning("Received signal %d. Shutting down gracefully...", signum)
        self._shutdown_signal = signum
        self._stop_requested = True
        if not self._busy:
            raise StopRequested()  # idle (waiting for a job): stop at once
        # Busy: the horse monitor sees the flag within one tick and ends the job; the
        # work loop then stops. Raising here could cut a job's aftermath in half.

    def teardown(self) -> None:
        super().teardown()
        if not self.is_horse:
            log.info("Worker shutdown complete.")

    # --- the horse -------------------------------------------------------------
    def kill_horse(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """RQ's, but only while there is a horse.

        With none (pid 0, e.g. a stop-job command arriving while the worker tidies
        up after its horse exited) RQ's `os.killpg(os.getpgid(0))` would kill the
        worker's own process group: the worker itself, and whatever shares its group.
        """
        if self.horse_pid:
            super().kill_horse(sig)

    def execute_job(self, job: Job, queue: Queue) -> None:
        self._busy = True
        try:
            super().execute_job(job, queue)
        finally:
            self._busy = False

    def monitor_work_horse(self, job: Job, queue: Queue) -> None:
        job.started_at = rq_now()
        watch = _HorseWatch(self, job.id)
        ret_val = watch.wait()
        self.set_current_job_working_time(0)
        self._horse_pid = 0
        watch.after_exit(ret_val)
        if ret_val == os.EX_OK:
            return
        self._record_rq_failure(job, queue, ret_val)

    def _record_rq_failure(self, job: Job, queue: Queue, ret_val: int | None) -> None:
        """Keep RQ's own registries right when the horse did not exit cleanly."""
        try:
            job_status = job.get_status()
        except InvalidJobOperation:
            return
        if job_status in (RQJobStatus.FINISHED, RQJobStatus.FAILED):
            return
        job.ended_at = rq_now()
        reason = _exit_reason(ret_val)
        self.handle_job_failure(job, queue=queue, exc_string=f"Work-horse ended: {reason}")


class _HorseWatch:
    """Watches one horse until it exits, ending the job when it must."""

    def __init__(self, worker: SightlineWorker, job_id: str) -> None:
        self.worker = worker
        self.ctx = worker.ctx
        self.job_id = job_id
        self.pid = worker.horse_pid
        self.killed = False
        self.last_beat = 0.0
        self.last_rq_beat = clock.now_s()
        self.last_redis_warning = 0.0

    def wait(self) -> int | None:
        fd = os.pidfd_open(self.pid)
        try:
            while True:
                ready, _, _ = select.select([fd], [], [], TICK_S)
                if ready:
                    _, status = os.waitpid(self.pid, 0)
                    return status
                if not self.killed:
                    self._tick_safely()
        finally:
            os.close(fd)

    def _tick_safely(self) -> None:
        """A Redis outage must not take the worker down: the horse runs on, we look again."""
        try:
            self._tick()
        except redis.RedisError as exc:
            now = clock.now_s()
            if now - self.last_redis_warning > 5:
                log.warning("Job %s: cannot reach Redis (%s); retrying", self.job_id, exc)
                self.last_redis_warning = now

    def _tick(self) -> None:
        now = clock.now_s()
        record = self.ctx.store.get(self.job_id)
        if record is None:
            self._kill()
            return
        status = JobStatus(record["status"])
        if self.worker._shutdown_signal is not None:
            self._shutdown(record)
        elif status in (JobStatus.CANCELLED, JobStatus.FAILED):
            self._kill()  # ended by the user or elsewhere (reaper): its work is moot
        elif status is JobStatus.COMPLETED:
            pass  # the horse itself completed the job and is putting result.json in place
        elif now >= clock.parse_iso(record["timeoutAt"]):
            self._time_out(record)
        else:
            self._heartbeat(now)

    def _heartbeat(self, now: float) -> None:
        if now - self.last_beat >= HEARTBEAT_EVERY_S:
            self.ctx.store.update(self.job_id, when={JobStatus.PROCESSING}, heartbeatAt=clock.iso(now))
            self.last_beat = now
        if now - self.last_rq_beat >= RQ_HEARTBEAT_EVERY_S:
            job = self.worker.get_current_job()
            if job is not None:
                self.worker.maintain_heartbeats(job)
            self.last_rq_beat = now

    def _time_out(self, record: JobRecord) -> None:
        if self.ctx.lifecycle.fail(self.job_id, ErrorCode.TIMEOUT, timeout_message(self.ctx)):
            log.warning("Job %s has timed out", self.job_id)
            log.warning("Job %s timed out during %s.", self.job_id, _phase(record))
        self._kill()

    def _shutdown(self, record: JobRecord) -> None:
        signum = self.worker._shutdown_signal
        message = f"Worker received signal {signum} and shut down while processing the job"
        if self.ctx.lifecycle.fail(self.job_id, ErrorCode.WORKER_SHUTDOWN, message):
            log.warning("Marked job %s as failed due to shutdown", self.job_id)
        self._kill()

    def _kill(self) -> None:
        self.killed = True
        self.worker.kill_horse(signal.SIGKILL)

    def after_exit(self, ret_val: int | None) -> None:
        """Close the job if the horse left it open; tidy what a killed horse left.

        Without Redis this is left to the reaper (the record stays open until then).
        """
        clear_scratch(self.ctx.settings, self.job_id)  # the horse's local copy of its input (S3)
        try:
            self._close(ret_val)
        except redis.RedisError as exc:
            log.warning("Job %s: cannot reach Redis after the horse exited (%s)", self.job_id, exc)

    def _close(self, ret_val: int | None) -> None:
        record = self.ctx.store.get(self.job_id)
        if record is None:
            return
        status = JobStatus(record["status"])
        if status is JobStatus.CANCELLED and record.get("startedAt"):
            log.info("Job %s was cancelled during %s.", self.job_id, _phase(record))
        if status is JobStatus.COMPLETED:
            self.ctx.lifecycle.seal(
                self.job_id, record
            )  # result.json in place even if the horse died publishing
        else:
            self.ctx.blobs.discard_staged(self.job_id, RESULT_DOC)
        if status in (JobStatus.SUBMITTED, JobStatus.PROCESSING):
            message = f"The analysis process ended unexpectedly ({_exit_reason(ret_val)})"
            self.ctx.lifecycle.fail(self.job_id, ErrorCode.PROCESSING_ERROR, message)


def _phase(record: JobRecord) -> str:
    stage = record.get("stage") or Stage.QUEUED.value
    return Stage(stage).phase


def _exit_reason(ret_val: int | None) -> str:
    if ret_val is None:
        return "unknown exit"
    if os.WIFSIGNALED(ret_val):
        return f"killed by signal {os.WTERMSIG(ret_val)}"
    return f"exit code {os.WEXITSTATUS(ret_val)}"
