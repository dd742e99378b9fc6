"""Exponential backoff as a pure function of the attempt number."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from engine.config import Settings


@dataclass(frozen=True)
class BackoffPolicy:
    """The card's RETRY_INITIAL_DELAY / RETRY_FACTOR / RETRY_MAX_DELAY."""

    initial_s: float = 0.5
    factor: float = 2.0
    max_s: float = 10.0
    jitter: float = 0.1  # +- fraction of the delay, so workers do not retry in lockstep

    @classmethod
    def from_settings(cls, settings: Settings) -> BackoffPolicy:
        return cls(
            initial_s=settings.retry_initial_delay_s,
            factor=settings.retry_factor,
            max_s=settings.retry_max_delay_s,
        )


def compute_backoff(
    attempt: int,
    policy: BackoffPolicy,
    *,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    initial * factor**(attempt-1), capped at max_s, with symmetric jitter.
    `rand` returns a float in [0, 1); pass a constant for deterministic tests.
    """
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    base = min(policy.initial_s * policy.factor ** (attempt - 1), policy.max_s)
    spread = base * policy.jitter * (2 * rand() - 1)
    return max(0.0, min(base + spread, policy.max_s))
