"""`python -m bench` (what `make bench` runs): the job-engine benchmarks, one after another.

Each prints its figures, its same-run baseline, the ratio and whether the
issue's target was met. A benchmark that breaks prints why and the next one
runs; the exit status is always 0, because benchmarks never fail a build.

bench/bench_analysis.py (analyze() against ydata-profiling and polars.read_csv)
is not run from here: its default is a one-million-row file plus a separate
ydata-profiling virtualenv, far beyond this command's few minutes. Run it on
its own: `python bench/bench_analysis.py --rows 100000 --skip-ydata`.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable

from bench import bench_latency, bench_startup, bench_status, bench_storage, bench_throughput

BENCHMARKS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("bench_startup", bench_startup.run),
    ("bench_latency", bench_latency.run),
    ("bench_throughput", bench_throughput.run),
    ("bench_status", bench_status.run),
    ("bench_storage", bench_storage.run),
)


def main() -> int:
    started = time.perf_counter()
    for name, run in BENCHMARKS:
        try:
            run()
        except Exception:  # a broken benchmark is reported, never fatal
            print(f"\n!! {name} did not finish:\n{traceback.format_exc()}")
    print(f"\nbenchmarks took {time.perf_counter() - started:.0f} s")
    print("analysis benchmark (separate, slow): python bench/bench_analysis.py --help")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
