"""An RQ worker that claims each job's attempt and enforces the job rules from outside the horse.

RQ's forking Worker runs each job in a work-horse process. This subclass:
- claims the job's attempt (its fencing token) before forking, and drops a
  delivery it cannot claim (a duplicate, a cancelled or ended job) unrun;
- replaces the loop that watches the horse with `HorseWatch`, which applies the
  policies of `engine.worker.policies` on every tick and signals the horse only
  through its pidfd;
- keeps every Redis call inside the heartbeat timeout, and outlives Redis
  timeouts instead of quitting.

On SIGTERM/SIGINT the worker fails its in-flight job with `worker_shutdown`
(with error.json), then exits. Log lines are the card's.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

import redis
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, StopRequested
from rq.job import Job
from rq.job import JobStatus as RQJobStatus
from rq.utils import now as rq_now

from engine.constants import RQ_INTERMEDIATE_KEY
from engine.context import EngineContext
from engine.jobs import attempts
from engine.jobs.attempts import Attempt
from engine.jobs.queue import JOB_FUNCTION
from engine.jobs.status import TERMINAL, JobStatus
from engine.pipeline import hand_over
from engine.worker.policies.deadline import timeout_message
from engine.worker.watch import HorseHandle, HorseWatch, exit_reason

log = logging.getLogger("sightline.worker")


class SightlineWorker(Worker):
    """RQ Worker whose horse monitor applies Sightline's job rules."""

    def __init__(self, *args: Any, ctx: EngineContext, **kwargs: Any) -> None:
        self.ctx = ctx  # before RQ's __init__, which asks for connection_timeout
        super().__init__(*args, **kwargs)
        self.shutdown_signal: int | None = None
        self._busy = False  # from taking a job until its aftermath is done
        self._attempt: Attempt | None = None
        self._horse = HorseHandle()
        if threading.current_thread() is threading.main_thread():
            # RQ registers the worker (health counts it) before work() installs the handlers below: a
            # stop signal in between is kept, and the first turn of the work loop honours it
            signal.signal(signal.SIGINT, self._note_stop_signal)
            signal.signal(signal.SIGTERM, self._note_stop_signal)

    # --- Redis: every call inside the heartbeat timeout -------------------------
    @property
    def dequeue_timeout(self) -> float:  # type: ignore[override]
        """How long one blocking dequeue waits: half the worker's Redis read timeout."""
        return self.ctx.settings.worker_redis_timeout_s / 2

    @property
    def connection_timeout(self) -> float:  # type: ignore[override]
        """The read timeout RQ would raise the connection's to; ours already suffices."""
        return self.ctx.settings.worker_redis_timeout_s

    def dequeue_job_and_maintain_ttl(self, timeout: Any, max_idle_time: int | None = None) -> Any:
        """RQ's dequeue, which quits the worker on a Redis timeout; here it waits and tries again."""
        wait_s = 0.5
        while True:
            try:
                return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
            except redis.TimeoutError as exc:
                log.warning("Worker %s: Redis did not answer in time (%s); retrying", self.name, exc)
                time.sleep(wait_s)
                wait_s = min(wait_s * 2, 5.0)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        try:
            super().heartbeat(timeout, pipeline)
        except (redis.TimeoutError, redis.ConnectionError) as exc:  # RQ's worker key outlives a few misses
            log.warning("Worker %s: heartbeat not sent (%s)", self.name, exc)

    def check_for_suspension(self, burst: bool) -> None:
        try:
            super().check_for_suspension(burst)
        except (redis.TimeoutError, redis.ConnectionError) as exc:
            log.warning("Worker %s: could not check for suspension (%s)", self.name, exc)

    def _pubsub_exception_handler(self, exc: Exception, pubsub: Any, pubsub_thread: Any) -> None:
        if isinstance(exc, redis.TimeoutError):
            exc = redis.ConnectionError(str(exc))  # RQ retries connection errors and gives up on the rest
        super()._pubsub_exception_handler(exc, pubsub, pubsub_thread)

    # --- signals -------------------------------------------------------------
    def _install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGTERM, self._on_stop_signal)

    def _note_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.shutdown_signal is None:
            log.warning("Received signal %d. Shutting down gracefully...", signum)
        self.shutdown_signal = signum
        self._stop_requested = True

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        self._note_stop_signal(signum, frame)
        if not self._busy:
            raise StopRequested()  # idle (waiting for a job): stop at once
        # Busy: the shutdown policy sees the flag within one tick and ends the job; the
        # work loop then stops. Raising here could cut a job's aftermath in half.

    def kill_horse(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the running horse through its pidfd; with no horse running, signal nothing.

        RQ's own version calls killpg(getpgid(horse_pid)), which with horse_pid 0 (a
        stop-job command arriving after the horse was reaped) is the worker's own group.
        """
        if self._horse.signal(sig):
            log.info("Worker %s: killed horse pid %s", self.name, self.horse_pid)

    def teardown(self) -> None:
        super().teardown()
        if not self.is_horse:
            log.info("Worker shutdown complete.")

    # --- one job ---------------------------------------------------------------
    def execute_job(self, job: Job, queue: Queue) -> None:
        """Claim the delivery's attempt, then run it in a horse; a delivery that cannot be claimed is dropped.

        Losing Redis on the way (RQ's bookkeeping before or after the horse) does not end
        the worker: whatever the job was left in, the reaper finishes (a claim that never
        started is queued again, a started job whose heartbeat stops is failed).
        """
        self._busy = True
        try:
            attempt = None
            if job.func_name == JOB_FUNCTION:
                attempt = self._claim(job.id)
                if attempt is None:
                    self.connection.lrem(RQ_INTERMEDIATE_KEY, 1, job.id)  # this delivery is done with
                    return
            self._attempt = attempt
            hand_over(attempt)  # the horse forked next works for this attempt
            super().execute_job(job, queue)
        except (redis.TimeoutError, redis.ConnectionError) as exc:
            log.warning("Worker %s: lost Redis while handling job %s (%s); going on", self.name, job.id, exc)
        finally:
            hand_over(None)
            self._attempt = None
            self._busy = False

    def _claim(self, job_id: str) -> Attempt | None:
        """This delivery's attempt, or None (after saying why) when it must not run."""
        attempt, change = attempts.claim(self.ctx.store, job_id, self.name)
        if attempt is not None:
            return attempt
        record = change.record
        status = JobStatus(record["status"]) if record is not None else None
        if record is None:
            log.warning("Job %s has no record (expired?). Skipping.", job_id)
        elif status is JobStatus.CANCELLED:
            log.info("Job %s was cancelled before processing. Skipping.", job_id)
        elif status in TERMINAL:
            log.info("Job %s already ended (%s). Skipping.", job_id, record["status"])
        elif change.reason == "deadline":
            if self.ctx.lifecycle.time_out(job_id, timeout_message(self.ctx), token=None):
                log.warning("Job %s has timed out", job_id)
        else:
            log.info(
                "Job %s is already taken (attempt %s, worker %s). Skipping this delivery.",
                job_id, record.get("token") or record.get("attempt"), record.get("workerName"),
            )  # fmt: skip
        return None

    def monitor_work_horse(self, job: Job, queue: Queue) -> None:
        job.started_at = rq_now()
        watch = HorseWatch(self.ctx, self, self._horse, self.horse_pid, job.id, self._attempt)
        status = watch.wait()
        self.set_current_job_working_time(0)
        self._horse_pid = 0
        watch.after_exit(status)
        if status == os.EX_OK:
            return
        self._record_rq_failure(job, queue, status)

    def _record_rq_failure(self, job: Job, queue: Queue, status: int | None) -> None:
        """Keep RQ's own registries right when the horse did not exit cleanly."""
        try:
            job_status = job.get_status()
        except InvalidJobOperation:
            return
        if job_status in (RQJobStatus.FINISHED, RQJobStatus.FAILED):
            return
        job.ended_at = rq_now()
        self.handle_job_failure(job, queue=queue, exc_string=f"Work-horse ended: {exit_reason(status)}")
