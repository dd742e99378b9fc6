"""Client settings from the environment: the one place the client reads it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_API_URL = "http://127.0.0.1:5328"
DEFAULT_MAX_WAIT_S = 600.0
DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ClientConfig:
    """Where the API is and how long to wait for it."""

    api_url: str = DEFAULT_API_URL
    api_key: str | None = None
    max_wait_s: float = DEFAULT_MAX_WAIT_S
    timeout_s: float = DEFAULT_TIMEOUT_S


def load_config(environ: Mapping[str, str] | None = None) -> ClientConfig:
    """Build the config from `API_URL`, `SIGHTLINE_API_KEY` and `CLIENT_MAX_WAIT_SECONDS`.

    Blank values fall back to the defaults, so an exported-but-empty variable is harmless.
    """
    env = os.environ if environ is None else environ
    wait_raw = env.get("CLIENT_MAX_WAIT_SECONDS", "").strip()
    return ClientConfig(
        api_url=(env.get("API_URL", "").strip() or DEFAULT_API_URL).rstrip("/"),
        api_key=env.get("SIGHTLINE_API_KEY", "").strip() or None,
        max_wait_s=float(wait_raw) if wait_raw else DEFAULT_MAX_WAIT_S,
    )
