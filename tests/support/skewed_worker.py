"""`python -m tests.support.skewed_worker`: `python -m engine worker` on a skewed clock (libfaketime).

`skew_env("+60s")` is the environment that preloads Debian's libfaketime with the
wall clock moved by that much. The monotonic clock is left true: libfaketime 0.9.10
moves it onto the faked wall clock, where CPython's timed waits (sem_clockwait)
never return. With it left true, the same version fails `clock_nanosleep`
(time.sleep: EINVAL), so this module sleeps with select() before starting the worker.
"""

from __future__ import annotations

import glob
import runpy
import select
import shutil
import sys
import time


def libfaketime() -> str | None:
    """The preload library of Debian's `faketime` package, or None when it is not installed."""
    if shutil.which("faketime") is None:
        return None
    found = sorted(
        glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob("/usr/lib/faketime/libfaketime.so.1")
    )
    return found[0] if found else None


def skew_env(offset: str) -> dict[str, str]:
    """Environment for a worker whose wall clock is `offset` ("+60s", "-60s") off the true time."""
    library = libfaketime()
    if library is None:
        raise RuntimeError("libfaketime is not installed (apt-get install faketime)")
    return {"LD_PRELOAD": library, "FAKETIME": offset, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


if __name__ == "__main__":
    time.sleep = _sleep
    sys.argv = ["engine", "worker"]
    runpy.run_module("engine", run_name="__main__", alter_sys=True)
