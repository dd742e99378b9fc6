"""schemathesis against the live server: no 500s, and every answer matches the OpenAPI document.

Runs the schemathesis command line (its pytest plugin does not support this
pytest yet) with a fixed seed and a bounded number of examples per operation.
Every check runs but `positive_data_acceptance`: an upload can match the schema
and still be refused on purpose (a .png is not a table: 415; a URL to a private
address: 400), which the document states in words but JSON Schema cannot express.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tests.support.stack import Stack

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))


def test_the_document_is_served_and_names_every_endpoint(stack: Stack) -> None:
    document = requests.get(f"{stack.api_url}/api/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.0")
    expected = {
        "/api/upload",
        "/api/job-status/{jobId}",
        "/api/cancel",
        "/api/jobs",
        "/api/health",
        "/metrics",
    }
    assert expected <= set(document["paths"])


def test_api_conforms_to_its_document(stack: Stack, tmp_path: Path) -> None:
    run = subprocess.run(
        [
            SCHEMATHESIS, "run", f"{stack.api_url}/api/openapi.json",
            "--checks", "all", "--exclude-checks", "positive_data_acceptance",
            "--max-examples", "25", "--seed", "1234",
            "--request-timeout", "30", "--no-color", "--workers", "2",
            "--report-dir", str(tmp_path),
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    print(run.stdout[-6000:])
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
