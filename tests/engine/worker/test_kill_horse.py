"""A stop-job command that arrives when no horse is running signals nothing (never pid 0)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from engine.supervisor.valkey import EmbeddedValkey
from tests.support.stack import REPO, base_env, claim_db, release_db

# A worker whose horse has just been reaped (horse pid 0) but whose current job is still
# set gets RQ's stop-job command for that job. It runs in its own session, so a kill of
# "its own process group" can only hit itself.
LATE_STOP = textwrap.dedent(
    """
    import sys
    from rq.command import handle_stop_job_command
    from engine.config import Settings
    from engine.context import EngineContext
    from engine.worker.worker import SightlineWorker

    ctx = EngineContext.create(Settings(_env_file=None, REDIS_URL=sys.argv[1]))
    worker = SightlineWorker(["data_jobs"], connection=ctx.redis, name="sightline-latestop", ctx=ctx)
    worker.register_birth()
    worker.set_current_job_id("job_latestop000000")
    assert worker.horse_pid == 0
    handle_stop_job_command(worker, {"command": "stop-job", "job_id": "job_latestop000000"})
    worker.kill_horse()
    worker.register_death()
    print("worker survived")
    """
)


def test_a_late_stop_job_command_does_not_kill_the_worker(redis_server: EmbeddedValkey) -> None:
    db = claim_db()
    try:
        url = f"redis://127.0.0.1:{redis_server.port}/{db}"
        run = subprocess.run(
            [sys.executable, "-c", LATE_STOP, url], cwd=REPO, env=base_env(), capture_output=True,
            text=True, timeout=60, start_new_session=True,
        )  # fmt: skip
    finally:
        release_db(db)
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stdout}\n{run.stderr[-2000:]}"
    assert "worker survived" in run.stdout
