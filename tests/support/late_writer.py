"""The writes a given-up attempt would still make, sent from the host it ran on.

    python -m tests.support.late_writer JOB_ID TOKEN

Run inside a worker host (its environment: REDIS_URL, STORAGE_URL, ...) after another
host's reaper failed the job: a progress report, a heartbeat, a completion with a
result (staged in the bucket first, as the work-horse does) and a failure, each
presenting the attempt's token. Prints one JSON object saying which of them the job
accepted; every one must be refused, and nothing may be left in the bucket.
"""

from __future__ import annotations

import json
import sys

from engine.context import EngineContext
from engine.errors import ErrorCode
from engine.jobs import attempts
from engine.jobs.status import JobStatus


def main(argv: list[str]) -> int:
    job_id, token = argv[0], int(argv[1])
    ctx = EngineContext.create()
    accepted = {
        "progress": ctx.store.update(
            job_id, when={JobStatus.PROCESSING}, token=token, stage="saving", progress=0.95
        ),
        "heartbeat": attempts.beat(ctx.store, attempts.Attempt(job_id, token)),
        "result": ctx.lifecycle.complete(job_id, {"jobId": job_id, "late": True}, token=token),
        "failure": ctx.lifecycle.fail(job_id, ErrorCode.PROCESSING_ERROR, "late failure", token=token),
    }
    print(json.dumps(accepted))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
