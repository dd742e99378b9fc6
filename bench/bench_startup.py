"""Benchmark: a whole `python -m engine analyze FILE` process on a 7-row CSV.

What a person waits for at the command line: interpreter start, imports, settings,
the analysis, writing result.json and the summary. Target (issue 13, "fast
start"): median ≤ 0.35 s.

The baseline, measured in the same run and alternating with it so both see the
same load, is `python -c "import polars, numpy"`: the two imports no analysis can
do without. The ratio analyze / baseline and the difference say what Sightline
adds on top. CPU time (user + system of the child) is printed beside the wall
time: on a 2-core machine shared with other work it moves much less.

Both run from a scratch folder (a developer's `.env` is never read). Engine
sources are compiled to bytecode first (`compileall`, as an installed copy has
them): with PYTHONDONTWRITEBYTECODE set and no `__pycache__`, every run would
also compile ~120 engine modules, ~0.1-0.2 s that measures the compiler rather
than the start-up. `--no-compile` measures the tree as it is.

    python -m bench.bench_startup [--runs 7] [--no-compile]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stack import REPO, bench_env, machine_note
from bench.stack import verdict as met

TARGET_S = 0.35
TINY_CSV = "a,b\n1,2\n3,4\n5,6\n7,8\n9,1\n2,3\n4,5\n"


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one run of `cmd`; raises if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def missing_bytecode() -> int:
    """Engine modules without a current .pyc for this interpreter."""
    tag = sys.implementation.cache_tag
    sources = list((REPO / "engine").rglob("*.py"))
    return sum(not (p.parent / "__pycache__" / f"{p.stem}.{tag}.pyc").exists() for p in sources)


def _figures(label: str, samples: list[tuple[float, float]]) -> tuple[float, float]:
    walls = sorted(w for w, _ in samples)
    cpus = [c for _, c in samples]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"  {label:<42} median {wall:.3f} s (min {walls[0]:.3f}, max {walls[-1]:.3f}); CPU median {cpu:.3f} s"
    )
    return wall, cpu


def run(runs: int = 7, compile_first: bool = True) -> None:
    """Time `runs` analyze processes and `runs` baseline imports, alternating, and print the figures."""
    print("\n== bench_startup: python -m engine analyze on a 7-row CSV, whole process")
    if compile_first:
        compileall.compile_dir(REPO / "engine", quiet=1)
        compileall.compile_dir(REPO / "client", quiet=1)
    print(
        f"  engine modules without bytecode: {missing_bytecode()}"
        + (" (compiled first)" if compile_first else "")
        + f"; PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}"
    )
    print(f"  before: {machine_note()}")
    env = bench_env({})
    with tempfile.TemporaryDirectory(prefix="sightline-bench-startup-") as scratch:
        root = Path(scratch)
        (root / "tiny.csv").write_text(TINY_CSV, encoding="utf-8")
        analyze = [sys.executable, "-m", "engine", "analyze", "tiny.csv", "--out", "result.json"]
        baseline = [sys.executable, "-c", "import polars, numpy"]
        timed(analyze, root, env)  # one unmeasured run each: disk cache, not start-up, would be timed
        timed(baseline, root, env)
        ours: list[tuple[float, float]] = []
        bare: list[tuple[float, float]] = []
        for _ in range(runs):
            ours.append(timed(analyze, root, env))
            bare.append(timed(baseline, root, env))
    print(f"  after:  {machine_note()}")
    wall, cpu = _figures("python -m engine analyze tiny.csv", ours)
    base_wall, base_cpu = _figures('baseline python -c "import polars, numpy"', bare)
    print(
        f"  ratio analyze / baseline: {wall / base_wall:.2f} (CPU {cpu / base_cpu:.2f}); "
        f"Sightline adds {1000 * (wall - base_wall):.0f} ms (CPU {1000 * (cpu - base_cpu):.0f} ms)"
    )
    print(f"  target ≤ {TARGET_S:.2f} s (median): {met(wall <= TARGET_S)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="measured runs of each (default 7, at least 5)")
    parser.add_argument("--no-compile", action="store_true", help="do not compile engine bytecode first")
    args = parser.parse_args()
    run(max(5, args.runs), compile_first=not args.no_compile)


if __name__ == "__main__":
    main()
