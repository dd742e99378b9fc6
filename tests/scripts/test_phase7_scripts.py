"""The card's test scripts run green against a server each one starts itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.stack import REPO, base_env

SCRIPTS = [
    "test_phase7_cancel.sh",
    "test_phase7_timeout.sh",
    "test_phase7_retry_blob.sh",
    "test_phase7_llm_fail.sh",
]


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_card_script_passes(script: str, tmp_path: Path) -> None:
    env = base_env({"PYTHON": sys.executable, "TMPDIR": str(tmp_path)})
    env.pop("LLM_BASE_URL")
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / script)], env=env, capture_output=True, text=True, timeout=150
    )
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\u2717" not in done.stdout
    assert "All checks passed." in done.stdout
