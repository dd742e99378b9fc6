"""Clocks: the Redis server's, which judges time, and one ISO 8601 format (UTC, `Z`) everywhere.

Every time that judges another host (a job's deadline, a heartbeat's age, the
reaper's verdict that a worker is dead, the circuit breaker's window, the upload
rate limit) is read on the Redis server's clock: `TIME` inside the Lua scripts,
`server_now` where no script runs. Hosts' own wall clocks may be off by any amount;
they only date log lines. A process that must judge time on its own between calls
(a worker's watch over its job's deadline) uses `ServerClock`: the server's time
read once, then counted on in the local monotonic clock, never the local wall clock.
Records' timestamps (`createdAt`, `heartbeatAt`, `timeoutAt`, ...) are the server's too:
a patch value `NOW` is replaced by the script's own `TIME`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import redis


class ServerNow:
    def __repr__(self) -> str:
        return "NOW"


NOW: Final = ServerNow()  # in a job record patch: the Redis server's time of the write


def now_s() -> float:
    """This host's wall clock (seconds since the epoch): for display only, never for a judgement."""
    return time.time()


def pinned_s() -> float | None:
    """A time that stands in for the server's (tests move time by hand); None: the server's own."""
    return None


def pinned_arg() -> str:
    """`pinned_s` as a script argument: '' when the script is to read `TIME` itself."""
    pinned = pinned_s()
    return "" if pinned is None else repr(pinned)


def server_now(connection: redis.Redis) -> float:
    """The Redis server's time, seconds since the epoch (one round trip)."""
    pinned = pinned_s()
    if pinned is not None:
        return pinned
    seconds, micros = connection.time()
    return float(seconds) + float(micros) / 1e6


class ServerClock:
    """The Redis server's time, read once (and again every `resync_s`), counted on the monotonic clock."""

    def __init__(self, connection: redis.Redis, *, resync_s: float = 60.0) -> None:
        self.connection = connection
        self.resync_s = resync_s
        self._offset: float | None = None  # server time minus local monotonic time
        self._synced_at = float("-inf")

    def now(self) -> float:
        """The server's time now; reads it from Redis when due (a RedisError with no earlier reading)."""
        pinned = pinned_s()
        if pinned is not None:
            return pinned
        if time.monotonic() - self._synced_at >= self.resync_s:
            try:
                self._sync()
            except Exception:
                if self._offset is None:
                    raise
        assert self._offset is not None
        return time.monotonic() + self._offset

    def _sync(self) -> None:
        before = time.monotonic()
        seconds, micros = self.connection.time()
        after = time.monotonic()
        self._offset = float(seconds) + float(micros) / 1e6 - (before + after) / 2
        self._synced_at = after


def iso(ts: float | None = None) -> str:
    """`2025-12-06T10:30:00.123Z` for `ts` (default: this host's now, for display)."""
    moment = datetime.fromtimestamp(now_s() if ts is None else ts, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    """Epoch seconds of a timestamp written by `iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
