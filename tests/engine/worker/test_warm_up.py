"""A worker imports, before it forks, every module a job imports only on first use.

`python -m engine analyze` defers what it may not need (scipy.special,
snowballstemmer, charset_normalizer, ...) so that it starts fast; a work-horse must
not pay for those imports on each job. The check finds every import made inside a
function in the modules a job runs (by reading their source, so a new deferred
import is covered the day it is written) and asserts that `warm_up()`, run in a
fresh interpreter, has loaded each one.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# What a job runs; engine/storage's S3 client is loaded by the backend's own warm_up, and
# the command line, supervisor and worker modules are not part of a job.
JOB_CODE = ("engine/analysis", "engine/ingest", "engine/narrative", "engine/resilience", "engine/jobs")
JOB_FILES = ("engine/config.py", "engine/pipeline.py", "engine/download.py")


def deferred_imports() -> dict[str, str]:
    """Module name -> where it is imported inside a function, for the code a job runs."""
    files = [p for d in JOB_CODE for p in sorted((ROOT / d).rglob("*.py"))] + [ROOT / f for f in JOB_FILES]
    found: dict[str, str] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if id(node) in top:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_scan_sees_the_known_deferred_imports() -> None:
    assert {"scipy.special", "snowballstemmer", "charset_normalizer"} <= set(deferred_imports())


def test_warm_up_imports_every_deferred_module() -> None:
    probe = (
        "import json, sys; from engine.pipeline import warm_up; warm_up(); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    missing = {name: where for name, where in deferred_imports().items() if name not in loaded}
    assert not missing, f"imported on first use but not by warm_up(): {missing}"
