"""Benchmark: Sightline's analyze() against ydata-profiling (minimal) and a bare polars.read_csv.

Each contender runs in its own subprocess on the same generated sales CSV, in
the same run; the child first imports what Sightline's worker imports before
it forks (`engine.pipeline.warm_up`) and runs its contender once on the 7-row
dev-samples/sales_demo.csv,
then measures the wall time of the work itself (imports and warm-up excluded)
and reports its peak RSS (ru_maxrss, which includes the interpreter and its
imports). analyze and read_csv runs alternate, so both see the same
background load. Targets (issues 3 and 9): analyze ≥10× faster and ≤0.5× the
peak memory of ydata-profiling, ≤4× the time of polars.read_csv on the sales
table and on the ticket table (two timestamps, category, agent, location, a
short text), and 10M rows under 3 GB peak RSS. With ydata-profiling, both are
also timed as whole processes (`python -m engine analyze` against a script that
reads and profiles), start-up included, as a user sees them (issue 13).

ydata-profiling pins older numpy/pandas/scipy than Sightline, so it lives in
its own virtualenv (bench/out/ydata-venv, made with
`python -m venv bench/out/ydata-venv && bench/out/ydata-venv/bin/pip install
ydata-profiling polars`); pass --ydata-python to use another interpreter.

    python bench/bench_analysis.py [--rows 1000000] [--table sales|tickets|both] [--ten-million]
        [--skip-ydata]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from bench import gen_sales, gen_tickets  # noqa: E402

TABLES = {"sales": gen_sales.generate, "tickets": gen_tickets.generate}

_REPORT = """
import json, resource, time
def report(**fields):
    fields["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH " + json.dumps(fields))
"""

ANALYZE = (
    _REPORT
    + """
import sys
from engine.analysis import analyze
from engine.config import Settings
from engine.pipeline import warm_up
settings = Settings(MAX_UPLOAD_MB=100_000)
warm_up()  # the worker's imports before it forks (scipy.special for the tail probabilities of big samples)
analyze("dev-samples/sales_demo.csv", settings=settings)  # warm-up run
start = time.perf_counter()
result = analyze(sys.argv[1], settings=settings)
report(seconds=time.perf_counter() - start, insights=len(result["insights"]), timings=result["timings"])
"""
)

READ_CSV = (
    _REPORT
    + """
import sys
import polars as pl
pl.read_csv("dev-samples/sales_demo.csv")  # warm-up, same as analyze gets
start = time.perf_counter()
df = pl.read_csv(sys.argv[1])
report(seconds=time.perf_counter() - start, rows=df.height)
"""
)

YDATA = (
    _REPORT
    + """
import sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from ydata_profiling import ProfileReport
ProfileReport(pd.read_csv("dev-samples/sales_demo.csv"), minimal=True, progress_bar=False).to_json()
start = time.perf_counter()
df = pd.read_csv(sys.argv[1])
read = time.perf_counter() - start
ProfileReport(df, minimal=True, progress_bar=False).to_json()
report(seconds=time.perf_counter() - start, read_seconds=read)
"""
)


YDATA_WHOLE = """
import sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from ydata_profiling import ProfileReport
ProfileReport(pd.read_csv(sys.argv[1]), minimal=True, progress_bar=False).to_json()
"""


def whole_process(argv: list[str], env: dict[str, str]) -> tuple[float, float] | None:
    """(wall seconds, peak RSS MB) of one command, start-up included, as a user times it."""
    with tempfile.TemporaryDirectory(prefix="sightline-bench-") as tmp:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        print(f"  {argv[:3]}: failed (exit {proc.returncode})")
        return None
    return seconds, usage.ru_maxrss / 1024


def whole_process_comparison(path: Path, ydata_python: str, repeat: int) -> None:
    """`python -m engine analyze` against a ydata-profiling minimal script, each a whole process."""
    ours_cmd = [sys.executable, "-m", "engine", "analyze", str(path), "--out", "result.json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MAX_UPLOAD_MB": "100000"}
    ours_runs, ydata_runs = [], []
    for _ in range(repeat):
        ours = whole_process(ours_cmd, env)
        ours_runs += [ours] if ours else []
    for _ in range(max(1, repeat - 1)):
        ydata = whole_process([ydata_python, "-c", YDATA_WHOLE, str(path)], dict(os.environ))
        ydata_runs += [ydata] if ydata else []
    if not ours_runs or not ydata_runs:
        return
    ours_s, ydata_s = min(r[0] for r in ours_runs), min(r[0] for r in ydata_runs)
    ours_mb, ydata_mb = max(r[1] for r in ours_runs), max(r[1] for r in ydata_runs)
    print(f"  whole process: python -m engine analyze {ours_s:.2f} s ({ours_mb:.0f} MB), "
          f"ydata-profiling minimal {ydata_s:.2f} s ({ydata_mb:.0f} MB)")  # fmt: skip
    print(f"  whole process ydata / analyze time: {ydata_s / ours_s:.1f}x  (target >= 10x: "
          f"{_verdict(ydata_s / ours_s >= 10)}); peak RSS {ours_mb / ydata_mb:.2f}x  "
          f"(target <= 0.5x: {_verdict(ours_mb / ydata_mb <= 0.5)})")  # fmt: skip


def run(python: str, code: str, path: Path, label: str) -> dict[str, Any] | None:
    """Run one contender in a fresh interpreter; None (with the reason printed) if it failed."""
    proc = subprocess.run(
        [python, "-c", textwrap.dedent(code), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH "):
            data: dict[str, Any] = json.loads(line[6:])
            return data
    print(f"  {label}: failed (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
    return None


def paired(repeat: int, path: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[float]]:
    """Alternate analyze and read_csv runs so that both see the same background load.

    Returns the fastest run of each (peak RSS: the largest seen) and the time ratio of each pair.
    """
    ours_runs, read_runs, ratios = [], [], []
    for _ in range(repeat):
        ours = run(sys.executable, ANALYZE, path, "analyze")
        read = run(sys.executable, READ_CSV, path, "polars.read_csv")
        ours_runs += [ours] if ours else []
        read_runs += [read] if read else []
        if ours and read:
            ratios.append(ours["seconds"] / read["seconds"])
    return _best(ours_runs), _best(read_runs), ratios


def _best(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not runs:
        return None
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "runs": [r["seconds"] for r in runs]}


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def bench(rows: int, ydata_python: str | None, repeat: int, table: str = "sales") -> None:
    """Generate (or reuse) the CSV for `rows` rows of `table` and print figures and ratios."""
    path = OUT / f"{table}_{rows}.csv"
    if not path.exists():
        print(f"generating {path} ...")
        TABLES[table](rows, path)
    size_mb = path.stat().st_size / 1048576
    print(f"\n== {table}: {rows:,} rows, {size_mb:.1f} MB ({path.name})")
    print(f"  (each run in a fresh interpreter; {repeat} alternating analyze / read_csv pairs, best kept)")
    ours, read, ratios = paired(repeat, path)
    ydata = run(ydata_python, YDATA, path, "ydata-profiling") if ydata_python else None
    if ours:
        print(f"  sightline analyze      {ours['seconds']:8.2f} s   peak RSS {ours['peak_rss_mb']:8.0f} MB")
        print(f"    stages of the best run: {ours['timings']}")
    if read:
        print(f"  polars.read_csv        {read['seconds']:8.2f} s   peak RSS {read['peak_rss_mb']:8.0f} MB")
    if ydata:
        print(f"  ydata-profiling (min.) {ydata['seconds']:8.2f} s   peak RSS {ydata['peak_rss_mb']:8.0f} MB")
        print(f"    of which pandas.read_csv {ydata['read_seconds']:.2f} s")
    elif ydata_python is None:
        print("  ydata-profiling: skipped")
    for name, res in (("analyze", ours), ("read_csv", read)):
        if res:
            print(f"  {name} runs: {', '.join(f'{t:.2f}' for t in res['runs'])} s")
    if ours and read:
        ratio = ours["seconds"] / read["seconds"]
        print(f"  analyze / read_csv, best vs best: {ratio:.2f}x  (target <= 4x: {_verdict(ratio <= 4)})")
        pairs = ", ".join(f"{r:.2f}" for r in ratios)
        print(f"  analyze / read_csv per pair: {pairs} (median {median(ratios):.2f}x)")
    if ours and ydata:
        speed = ydata["seconds"] / ours["seconds"]
        profile_only = (ydata["seconds"] - ydata["read_seconds"]) / ours["seconds"]
        mem = ours["peak_rss_mb"] / ydata["peak_rss_mb"]
        print(f"  ydata / analyze time: {speed:.1f}x (profile step alone {profile_only:.1f}x)  "
              f"(target >= 10x: {_verdict(speed >= 10)})")  # fmt: skip
        print(f"  analyze / ydata peak RSS: {mem:.2f}x  (target <= 0.5x: {_verdict(mem <= 0.5)})")
        whole_process_comparison(path, ydata_python or sys.executable, repeat)
    if ours and rows >= 10_000_000:
        ok = ours["peak_rss_mb"] <= 3 * 1024
        print(f"  10M-row peak RSS {ours['peak_rss_mb']:.0f} MB (target <= 3072 MB: {_verdict(ok)})")
    print(f"  load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    """Parse options and run the benchmark(s)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows of the main run (default 1,000,000)"
    )
    parser.add_argument(
        "--ten-million", action="store_true", help="also run 10,000,000 rows (analyze, read_csv)"
    )
    parser.add_argument("--skip-ydata", action="store_true", help="do not run ydata-profiling")
    parser.add_argument(
        "--table",
        choices=[*TABLES, "both"],
        default="both",
        help="sales (10 columns), tickets (two timestamps, category, agent, location, text), or both",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternating analyze/read_csv pairs (best kept)"
    )
    parser.add_argument("--ydata-python", default=str(OUT / "ydata-venv" / "bin" / "python"))
    args = parser.parse_args()
    ydata = None if args.skip_ydata else args.ydata_python
    if ydata and not Path(ydata).exists():
        print(
            f"ydata-profiling interpreter {ydata} not found; create it as the docstring says. Skipping ydata."
        )
        ydata = None
    for table in TABLES if args.table == "both" else [args.table]:
        bench(args.rows, ydata if table == "sales" else None, args.repeat, table)
    if args.ten_million:
        bench(10_000_000, None, 1)


if __name__ == "__main__":
    main()
