"""The RQ queue `data_jobs`: jobs are RQ jobs with the same id as the record."""

from __future__ import annotations

import redis
from rq import Queue, worker_registration
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job

from engine.config import Settings
from engine.constants import QUEUE_NAME

JOB_FUNCTION = "engine.pipeline.run_job"


def job_queue(connection: redis.Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)


def enqueue(connection: redis.Redis, settings: Settings, job_id: str) -> Job:
    """Queue the job's pipeline; the record must already exist."""
    return job_queue(connection).enqueue_call(
        JOB_FUNCTION,
        args=(job_id,),
        job_id=job_id,
        timeout=settings.rq_job_timeout_s,
        result_ttl=600,
        failure_ttl=24 * 3600,
    )


def live_workers(connection: redis.Redis) -> int:
    """How many workers of the queue are alive: registered, and their RQ key not yet expired.

    RQ's `Worker.count` counts its registry, which only a live worker's maintenance
    (every 10 minutes) cleans: a worker that died without unregistering (SIGKILL, a
    lost host) stays counted until then, and forever when no worker is left. Its key
    expires about 90 s after its last heartbeat, so this count drops by then.
    """
    keys = sorted(worker_registration.get_keys(queue=job_queue(connection)))
    if not keys:
        return 0
    with connection.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.exists(key)
        return sum(1 for found in pipe.execute() if found)


def stop_running(connection: redis.Redis, job_id: str) -> bool:
    """Ask the worker running this job to kill its work-horse (RQ's stop-job command)."""
    try:
        send_stop_job_command(connection, job_id)
    except (InvalidJobOperation, NoSuchJobError):
        return False
    return True


def rq_status(connection: redis.Redis, job_id: str) -> str | None:
    """RQ's own status of the job (`queued`, `started`, ...), None if RQ forgot it."""
    try:
        status = Job.fetch(job_id, connection=connection).get_status(refresh=False)
    except NoSuchJobError:
        return None
    return status.value if status is not None else None
