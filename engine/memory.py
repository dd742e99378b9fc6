"""MAX_JOB_MEMORY_MB: how much memory one job's work-horse uses, and its hard ceiling.

The worker's watch reads the horse's private memory (pages it does not share with
the worker it was forked from) on every tick and ends the job when it passes the
cap (`engine.worker.policies.memory`). A burst faster than one tick meets a hard
ceiling set in the horse itself (RLIMIT_DATA: twice the cap, plus 256 MB for the
address space allocators reserve without using), so one job can never take the
machine's memory from the worker or the other jobs.
"""

from __future__ import annotations

import contextlib
import resource
from pathlib import Path

from engine.config import Settings

_MB = 1024 * 1024


def private_bytes(pid: int) -> int | None:
    """The process's private resident memory (None when it cannot be read)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    total = 0
    for line in text.splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1]) * 1024
    return total


def _data_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def cap_this_process(settings: Settings) -> None:
    """Set the hard ceiling in the horse: its data segment may grow by twice the cap (+256 MB)."""
    cap = settings.max_job_memory_bytes
    current = _data_bytes()
    if cap is None or current is None:
        return
    ceiling = current + 2 * cap + 256 * _MB
    with contextlib.suppress(ValueError, OSError):  # a lower limit set from outside stays
        resource.setrlimit(resource.RLIMIT_DATA, (ceiling, ceiling))


def over_cap_message(settings: Settings, file_name: str | None, file_bytes: int | None) -> str:
    """The job's errorMessage: the limit, and the file that needed more."""
    size = f"{file_bytes / _MB:.1f} MB" if file_bytes is not None else "size unknown"
    return (
        f"The analysis needed more memory than MAX_JOB_MEMORY_MB={settings.max_job_memory_mb:g} allows "
        f"(file {file_name or 'upload'}, {size}); raise MAX_JOB_MEMORY_MB or send a smaller file"
    )
