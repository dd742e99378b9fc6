"""The chaos run's short form: workers SIGKILLed, Redis restarted, jobs delivered twice; nothing lost."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.stack import REPO, base_env


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_short_chaos_run_ends_every_job_exactly_once() -> None:
    env = base_env()
    env.pop("LLM_BASE_URL")
    argv = ["--jobs", "80", "--kill-every", "2", "--duplicates", "0.5", "--redeliver-every", "0.5"]
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "chaos.py"), *argv],
        env=env, capture_output=True, text=True, timeout=380,
    )  # fmt: skip
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "0 problem(s)" in run.stdout
    assert "1 Redis restart(s)" in run.stdout
    kills = re.search(r"(\d+) worker kills", run.stdout)
    assert kills is not None and int(kills.group(1)) >= 1, run.stdout
    injected = re.search(r"chaos: (\d+) duplicate deliveries, (\d+) dropped unrun", run.stdout)
    assert injected is not None, run.stdout
    assert int(injected.group(1)) >= 30 and int(injected.group(2)) >= 1, injected.group(0)
