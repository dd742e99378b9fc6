"""Redis key names and other fixed names, in one place."""

from __future__ import annotations

QUEUE_NAME = "data_jobs"  # RQ queue; its Redis list is rq:queue:data_jobs
RQ_QUEUE_KEY = f"rq:queue:{QUEUE_NAME}"

JOB_KEY_PREFIX = "job:"  # job:<jobId> holds the job record as a JSON string
JOBS_INDEX_KEY = "sightline:jobs"  # zset jobId -> created (epoch s), for /api/jobs
JOBS_ACTIVE_KEY = "sightline:jobs:active"  # zset of non-terminal jobIds -> created
JOBS_UNSEALED_KEY = "sightline:jobs:unsealed"  # zset of terminal jobs whose document is not yet in place
REAPER_LOCK_KEY = "sightline:reaper:lock"  # a rate limit: at most one sweep per interval starts
WORKER_NAME_PREFIX = "sightline"

CIRCUIT_KEY_PREFIX = "sightline:llm:circuit"  # the LLM circuit breaker's keys start here

JOB_ID_PREFIX = "job_"
JOB_ID_PATTERN = r"^job_[A-Za-z0-9_-]{12,64}$"

RESULT_DOC = "result.json"
ERROR_DOC = "error.json"


def job_key(job_id: str) -> str:
    return f"{JOB_KEY_PREFIX}{job_id}"


def inline_input_key(job_id: str) -> str:
    """A small upload's bytes, kept beside remote storage for the horse (engine/storage/inline.py)."""
    return f"sightline:input:{job_id}"


def owner_index_key(owner: str) -> str:
    """zset of one API key's jobs (access control on)."""
    return f"{JOBS_INDEX_KEY}:owner:{owner}"


RATE_KEY_PREFIX = "sightline:rate"  # sightline:rate:<owner> zset of upload times (last 60 s)

METRICS_KEY = "sightline:metrics"  # hash of counters and histogram buckets, see engine/metrics.py

# Between a worker's dequeue and its horse's start RQ keeps a job in this list.
RQ_INTERMEDIATE_KEY = f"{RQ_QUEUE_KEY}:intermediate"
RQ_JOB_KEY_PREFIX = "rq:job:"  # RQ's hash of one job
RQ_RESULTS_KEY_PREFIX = "rq:results:"  # RQ's stream of one job's results
JOBS_LIMBO_KEY = (
    "sightline:jobs:limbo"  # zset jobId -> when the reaper first saw it in RQ's intermediate list
)
JOBS_PURGING_KEY = "sightline:jobs:purging"  # zset of removed jobs whose files are still being deleted
