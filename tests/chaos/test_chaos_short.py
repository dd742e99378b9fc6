"""The chaos run's short form: workers SIGKILLed and Redis restarted, nothing lost."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.stack import REPO, base_env


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_short_chaos_run_ends_every_job_exactly_once() -> None:
    env = base_env()
    env.pop("LLM_BASE_URL")
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "chaos.py"), "--jobs", "40", "--kill-every", "2"],
        env=env, capture_output=True, text=True, timeout=380,
    )  # fmt: skip
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "0 problem(s)" in run.stdout
    assert "1 Redis restart(s)" in run.stdout
