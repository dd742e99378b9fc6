"""The LLM circuit breaker, shared by every worker through Redis.

`LLM_CIRCUIT_THRESHOLD` failed calls within `LLM_CIRCUIT_WINDOW` seconds open the
circuit for `LLM_CIRCUIT_COOLDOWN` seconds; while open no call is made. After the
cooldown the first caller gets a probe permit and everyone else keeps falling back
until that one call decides: success closes the circuit, failure re-opens it. A
probe whose worker dies holds its permit only for a lease, then another may probe.

Every decision is one Lua script, so concurrent workers never race. Time is the
Redis server's (`TIME` inside the scripts), so workers whose clocks disagree share
one window and one cooldown; an injected clock stands in for it (tests freeze it).
With `redis=None` (the in-process CLI) the same state machine lives in this
process's memory, on this process's clock.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.clock import iso, server_now
from engine.config import Settings
from engine.constants import CIRCUIT_KEY_PREFIX

if TYPE_CHECKING:
    import redis as redis_lib

log = logging.getLogger("sightline.circuit")

# The time of a decision: ARGV[1] when the caller pinned one, else the server's clock.
_NOW = """
local now
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) else
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

# ARGV: now ('' : TIME), token, probe lease (s)
_ACQUIRE = (
    _NOW
    + """
local s = redis.call('HMGET', KEYS[1], 'state', 'reopensAt', 'probeUntil')
if not s[1] or s[1] == 'closed' then return 'call' end
if now < tonumber(s[2] or '0') then return 'reject' end
if s[3] and tonumber(s[3]) > now then return 'reject' end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probeUntil', tostring(now + tonumber(ARGV[3])),
  'probeToken', ARGV[2])
return 'probe'
"""
)

# ARGV: now ('' : TIME), token, ok, window (s), threshold, cooldown (s), window ms
_RECORD = (
    _NOW
    + """
local opened, reopens = tostring(now), tostring(now + tonumber(ARGV[6]))
local s = redis.call('HMGET', KEYS[1], 'state', 'probeToken')
if s[2] and s[2] == ARGV[2] then
  if ARGV[3] == '1' then redis.call('DEL', KEYS[1], KEYS[2]) return {'closed', 0} end
  redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', opened, 'reopensAt', reopens)
  redis.call('HDEL', KEYS[1], 'probeToken', 'probeUntil')
  return {'reopened', 0}
end
if ARGV[3] == '1' or (s[1] and s[1] ~= 'closed') then return {'ignored', 0} end
redis.call('ZADD', KEYS[2], now, opened .. ':' .. ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. tostring(now - tonumber(ARGV[4])))
redis.call('PEXPIRE', KEYS[2], ARGV[7])
local count = redis.call('ZCARD', KEYS[2])
if count >= tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', opened, 'reopensAt', reopens)
  return {'opened', count}
end
return {'counted', count}
"""
)

_RELEASE = """
if redis.call('HGET', KEYS[1], 'probeToken') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'state', 'open')
  redis.call('HDEL', KEYS[1], 'probeToken', 'probeUntil')
end
return 1
"""


@dataclass(frozen=True)
class Permit:
    """Leave to make one call; a probe's outcome decides the circuit."""

    token: str
    probe: bool


@dataclass
class _MemoryState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    fields: dict[str, str] = field(default_factory=dict)
    failures: list[tuple[float, str]] = field(default_factory=list)


_MEMORY: dict[str, _MemoryState] = {}
_MEMORY_LOCK = threading.Lock()


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else (None if value is None else str(value))


def _iso(epoch: str | None) -> str | None:
    return iso(float(epoch)) if epoch else None


class CircuitBreaker:
    """The shared breaker; build one per use, the state lives in Redis (or this process)."""

    def __init__(
        self,
        redis: redis_lib.Redis | None,
        settings: Settings,
        *,
        clock: Callable[[], float] | None = None,
        key_prefix: str = CIRCUIT_KEY_PREFIX,
        probe_lease_s: float | None = None,
    ) -> None:
        self._redis = redis
        self._clock = clock
        self.threshold = settings.llm_circuit_threshold
        self.window_s = settings.llm_circuit_window_s
        self.cooldown_s = settings.llm_circuit_cooldown_s
        self.probe_lease_s = probe_lease_s or settings.llm_timeout_s + 30
        self._state_key = f"{key_prefix}:state"
        self._failures_key = f"{key_prefix}:failures"
        if redis is None:
            with _MEMORY_LOCK:
                self._memory = _MEMORY.setdefault(key_prefix, _MemoryState())
        else:
            self._scripts = {
                n: redis.register_script(s)
                for n, s in [("acquire", _ACQUIRE), ("record", _RECORD), ("release", _RELEASE)]
            }

    def _run(self, name: str, keys: list[str], args: list[Any]) -> Any:
        if self._redis is not None:
            return self._scripts[name](keys=keys, args=[str(a) for a in args])
        with self._memory.lock:
            return getattr(self, f"_memory_{name}")(*[str(a) for a in args])

    def _now_arg(self) -> str:
        """The time of a decision for the scripts: '' (the Redis server's), or this process's."""
        if self._clock is not None:
            return repr(self._clock())
        return "" if self._redis is not None else repr(time.time())

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        return server_now(self._redis) if self._redis is not None else time.time()

    def acquire(self) -> Permit | None:
        """A permit to call the provider, or None (logged) when the circuit says fall back."""
        token = uuid.uuid4().hex
        verdict = _text(self._run("acquire", [self._state_key], [self._now_arg(), token, self.probe_lease_s]))
        if verdict == "reject":
            log.warning("Circuit breaker is OPEN. Using fallback.")
            return None
        if verdict == "probe":
            log.info("Circuit breaker cooldown elapsed: one probe call decides.")
        return Permit(token=token, probe=verdict == "probe")

    def record_success(self, permit: Permit) -> None:
        """The call reached a working provider; a successful probe closes the circuit."""
        self._record(permit, ok=True)

    def record_failure(self, permit: Permit) -> None:
        """The call failed; counts towards the threshold, or re-opens after a failed probe."""
        self._record(permit, ok=False)

    def _record(self, permit: Permit, *, ok: bool) -> None:
        args = [
            self._now_arg(),
            permit.token,
            int(ok),
            self.window_s,
            self.threshold,
            self.cooldown_s,
            int(self.window_s * 1000) + 1000,
        ]
        event, count = (_text(x) for x in self._run("record", [self._state_key, self._failures_key], args))
        if event == "opened":
            log.warning(
                "Circuit breaker OPENING: %s failures within %gs window (threshold: %d)",
                count,
                self.window_s,
                self.threshold,
            )
        elif event == "closed":
            log.info("Circuit breaker cooldown complete. Closing circuit.")
        elif event == "reopened":
            log.warning("Circuit breaker probe failed. Re-opening for %gs.", self.cooldown_s)

    def release(self, permit: Permit) -> None:
        """Give back a probe permit whose outcome is unknown (the call was interrupted)."""
        if permit.probe:
            self._run("release", [self._state_key], [permit.token])

    def snapshot(self) -> dict[str, Any]:
        """State for /api/health: closed | open | half_open, failures in the window, times."""
        now = self._now()
        if self._redis is not None:
            raw = self._redis.hmget(self._state_key, ["state", "openedAt", "reopensAt", "probeUntil"])
            values = [_text(v) for v in raw]
            failures = int(self._redis.zcount(self._failures_key, now - self.window_s, "+inf"))
        else:
            with self._memory.lock:
                f = self._memory.fields
                values = [f.get(k) for k in ("state", "openedAt", "reopensAt", "probeUntil")]
                failures = sum(1 for t, _ in self._memory.failures if t >= now - self.window_s)
        state, opened, reopens, probe_until = values
        state = state or "closed"
        if state == "open" and reopens and now >= float(reopens):
            state = "half_open"
        return {
            "state": state,
            "failures": failures,
            "threshold": self.threshold,
            "windowS": self.window_s,
            "cooldownS": self.cooldown_s,
            "openedAt": _iso(opened) if state != "closed" else None,
            "reopensAt": _iso(reopens) if state != "closed" else None,
            "probeInFlight": bool(probe_until and float(probe_until) > now),
        }

    # --- the same scripts for the in-memory state (called under its lock) ---

    def _memory_acquire(self, now: str, token: str, lease_s: str) -> str:
        f = self._memory.fields
        if f.get("state", "closed") == "closed":
            return "call"
        if float(now) < float(f.get("reopensAt", "0")) or float(f.get("probeUntil", "0")) > float(now):
            return "reject"
        f.update(state="half_open", probeUntil=str(float(now) + float(lease_s)), probeToken=token)
        return "probe"

    def _memory_record(
        self, now: str, token: str, ok: str, window_s: str, threshold: str, cooldown_s: str, _ms: str
    ) -> tuple[str, int]:
        f, failures = self._memory.fields, self._memory.failures
        start, reopens, member = (
            float(now) - float(window_s),
            str(float(now) + float(cooldown_s)),
            f"{now}:{token}",
        )
        if f.get("probeToken") == token:
            if ok == "1":
                f.clear()
                failures.clear()
                return "closed", 0
            f.update(state="open", openedAt=now, reopensAt=reopens)
            f.pop("probeToken", None)
            f.pop("probeUntil", None)
            return "reopened", 0
        if ok == "1" or f.get("state", "closed") != "closed":
            return "ignored", 0
        failures.append((float(now), member))
        failures[:] = [(t, m) for t, m in failures if t >= start]
        if len(failures) >= int(threshold):
            f.update(state="open", openedAt=now, reopensAt=reopens)
            return "opened", len(failures)
        return "counted", len(failures)

    def _memory_release(self, token: str) -> int:
        f = self._memory.fields
        if f.get("probeToken") == token:
            f["state"] = "open"
            f.pop("probeToken", None)
            f.pop("probeUntil", None)
        return 1


def reset_memory_state(key_prefix: str = CIRCUIT_KEY_PREFIX) -> None:
    """Forget the in-process circuit state (tests, and a CLI run that wants a fresh start)."""
    with _MEMORY_LOCK:
        _MEMORY.pop(key_prefix, None)
