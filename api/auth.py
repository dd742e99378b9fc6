"""Opt-in access control: API keys, job ownership, a per-key upload rate limit.

Off while API_KEYS is empty (local use). When on, every /api/ request but
/api/health needs `X-API-Key: <key>` or `Authorization: Bearer <key>`; a job
belongs to the key that created it, and any other key gets 404 for it, as if
it did not exist. Keys are never stored: a job records a hash of its key.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets

from flask import Flask, g, request

from api.errors import ApiError
from api.extensions import engine
from engine.constants import RATE_KEY_PREFIX
from engine.jobs.store import JobRecord

OPEN_PATHS = frozenset({"/api/health", "/api/openapi.json"})


def owner_of(key: str) -> str:
    """The owner id stored with a job: a hash, so Redis never holds the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def current_owner() -> str | None:
    """The caller's owner id, or None when access control is off."""
    owner: str | None = g.get("owner")
    return owner


def may_see(record: JobRecord) -> bool:
    owner = current_owner()
    return owner is None or hmac.compare_digest(str(record.get("owner") or ""), owner)


# KEYS: the owner's zset of upload times. ARGV: allowance per 60 s, a random member suffix.
# One upload on the Redis server's clock (TIME), so API hosts whose clocks disagree share one
# window. Returns {allowed (1/0), seconds until the oldest counted upload leaves the window}.
_UPLOAD_RATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tostring(tonumber(oldest[2]) + 60 - now)}
end
redis.call('ZADD', KEYS[1], now, t[1] .. '.' .. t[2] .. ':' .. ARGV[2])
redis.call('EXPIRE', KEYS[1], 120)
return {1, '0'}
"""


def check_upload_rate() -> None:
    """429 with Retry-After when this key made too many uploads in the last 60 s (sliding window).

    The window is judged on the Redis server's clock.
    """
    owner = current_owner()
    if owner is None:
        return
    ctx = engine()
    limit = ctx.settings.uploads_per_minute
    key = f"{RATE_KEY_PREFIX}:{owner}"
    allowed, wait_s = ctx.redis.eval(_UPLOAD_RATE, 1, key, limit, secrets.token_hex(4))
    if not int(allowed):  # a refused upload does not use up the allowance
        retry_after = max(1, math.ceil(float(wait_s)))
        raise ApiError(
            429,
            "rate_limited",
            f"More than {limit} uploads per minute for this API key",
            headers={"Retry-After": str(retry_after)},
            retryAfter=retry_after,
        )


def _presented_key() -> str | None:
    key = request.headers.get("X-API-Key")
    if key:
        return key.strip()
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _wire_bytes(header_value: str) -> bytes:
    """The bytes the client sent: WSGI hands header values over decoded as latin-1."""
    try:
        return header_value.encode("latin-1")
    except UnicodeEncodeError:  # not from a WSGI server (a test client): take it as text
        return header_value.encode("utf-8")


def _matches(presented: str, keys: tuple[str, ...]) -> bool:
    """Constant-time comparison of bytes: any header value (non-ASCII too) is wrong or right, never a 500."""
    sent = _wire_bytes(presented)
    found = False
    for key in keys:
        found |= hmac.compare_digest(sent, key.encode("utf-8"))
    return found


def init_app(app: Flask) -> None:
    @app.before_request
    def _authenticate() -> None:
        keys = engine().settings.api_key_list
        if not keys or not request.path.startswith("/api/") or request.path in OPEN_PATHS:
            return
        presented = _presented_key()
        if presented is None or not _matches(presented, keys):
            raise ApiError(401, "unauthorized", "Send a valid API key in X-API-Key or Authorization: Bearer")
        g.owner = owner_of(_wire_bytes(presented).decode("utf-8"))
