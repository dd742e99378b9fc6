"""`python -m engine analyze` starts fast: it imports no module the analysis does not use.

Each check runs a fresh interpreter exactly as `python -m engine analyze FILE` does
(runpy on the `engine` package) and reports which heavy top-level packages ended up
in sys.modules. Redis, RQ, boto3, requests, Flask and plotly serve the service, never an
in-process analysis; pandas and pyarrow the analysis never needs (settings are a
pydantic-settings model, which the analysis reads: pydantic is expected). scipy is
allowed only when a detector tests something (the 7-row demo table); a two-column
table of seven rows tests nothing. No timing
is asserted: speed is the benchmark's (bench/bench_startup.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "dev-samples" / "sales_demo.csv"

SERVICE_ONLY = frozenset({"redis", "rq", "boto3", "botocore", "requests", "plotly", "flask"})
NOT_FOR_ANALYSIS = frozenset({"pandas", "pyarrow"})
HEAVY = SERVICE_ONLY | NOT_FOR_ANALYSIS | {"scipy"}

_PROBE = """
import json, runpy, sys
sys.argv = ["engine", *sys.argv[1:]]
try:
    runpy.run_module("engine", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def loaded_by_analyze(path: Path, out: Path, *extra: str) -> set[str]:
    """The top-level packages a fresh `python -m engine analyze` process has imported at its end."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "analyze", str(path), "--out", str(out), "--quiet", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    assert out.exists()
    return set(report["modules"])


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text("a,b\n1,2\n3,4\n5,6\n7,8\n9,1\n2,3\n4,5\n", encoding="utf-8")
    return path


def test_tiny_table_imports_nothing_heavy(tiny: Path, tmp_path: Path) -> None:
    loaded = loaded_by_analyze(tiny, tmp_path / "result.json")
    assert not loaded & HEAVY, f"heavy modules imported: {sorted(loaded & HEAVY)}"


def test_demo_table_imports_no_service_module(tmp_path: Path) -> None:
    loaded = loaded_by_analyze(DEMO, tmp_path / "result.json", "--goal", "revenue by region")
    unwanted = SERVICE_ONLY | NOT_FOR_ANALYSIS
    assert not loaded & unwanted, f"modules the analysis does not use imported: {sorted(loaded & unwanted)}"
