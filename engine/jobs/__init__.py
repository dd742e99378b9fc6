"""Job records, their states and transitions, the queue, and how jobs end."""

from engine.jobs.ids import is_valid_job_id, new_job_id
from engine.jobs.status import TERMINAL, JobStatus, Stage
from engine.jobs.store import JobStore, public_view

__all__ = ["TERMINAL", "JobStatus", "JobStore", "Stage", "is_valid_job_id", "new_job_id", "public_view"]
