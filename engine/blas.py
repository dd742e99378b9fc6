"""One BLAS thread per process, unless the environment says otherwise.

The analysis solves hundreds of tiny least-squares problems (a few hundred
rows, a few dozen columns). A threaded BLAS wakes its pool for each of them and
fights polars' own thread pool for the same cores: on two busy cores the
seasonal fits of a 1M-row table took 0.37 s instead of 2 ms. Nothing here is
large enough to gain from BLAS threads. The variable is read when numpy loads,
so this must run before the first numpy import; an explicit setting wins.
"""

from __future__ import annotations

import os

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def single_threaded_blas() -> None:
    """Ask the BLAS numpy will load for one thread, unless a variable already says how many."""
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
