"""Independent pieces of work on one big table, run side by side.

polars releases the GIL while it computes, so a few Python threads keep both
cores busy where single queries leave one idle (a strptime, a small group-by).
Results come back in the order of the calls, so what follows never depends on
which thread finished first. Small tables run in line: a thread costs more than
it saves there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import polars as pl

T = TypeVar("T")

PARALLEL_ROWS = 100_000  # below this, the work takes a few ms: run it in line


def side_by_side(calls: Sequence[Callable[[], T]], rows: int) -> list[T]:
    """Each call's result, in order; on polars' thread count when `rows` is large enough.

    The first exception raised by a call is raised here, after every call ended.
    """
    if len(calls) < 2 or rows < PARALLEL_ROWS:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=min(len(calls), pl.thread_pool_size())) as pool:
        futures = [pool.submit(call) for call in calls]
    return [future.result() for future in futures]
