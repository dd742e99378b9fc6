"""Wall-clock helpers: one ISO 8601 format (UTC, `Z`) everywhere."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_s() -> float:
    """Seconds since the epoch."""
    return time.time()


def iso(ts: float | None = None) -> str:
    """`2025-12-06T10:30:00.123Z` for `ts` (default: now)."""
    moment = datetime.fromtimestamp(now_s() if ts is None else ts, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    """Epoch seconds of a timestamp written by `iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
