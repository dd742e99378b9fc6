"""Job records, their states and transitions, the queue, and how jobs end.

The names below load on first use (PEP 562): `engine.jobs.store` imports redis,
and `python -m engine analyze` reaches this package only for `engine.jobs.goal`,
which must not pay for a Redis client it never opens.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.jobs.ids import is_valid_job_id, new_job_id
    from engine.jobs.status import TERMINAL, JobStatus, Stage
    from engine.jobs.store import JobStore, public_view

__all__ = ["TERMINAL", "JobStatus", "JobStore", "Stage", "is_valid_job_id", "new_job_id", "public_view"]

_HOME = {
    "is_valid_job_id": "engine.jobs.ids",
    "new_job_id": "engine.jobs.ids",
    "TERMINAL": "engine.jobs.status",
    "JobStatus": "engine.jobs.status",
    "Stage": "engine.jobs.status",
    "JobStore": "engine.jobs.store",
    "public_view": "engine.jobs.store",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:  # AttributeError lets `from engine.jobs import queue` import the submodule
        raise AttributeError(f"module 'engine.jobs' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
