"""The RQ queue `data_jobs`: jobs are RQ jobs with the same id as the record."""

from __future__ import annotations

import redis
from rq import Queue
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
