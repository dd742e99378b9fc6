"""Call a flaky operation with the card's retry policy and attempt log lines.

Every attempt logs `<what>: Attempt n/N` (the card's format, e.g.
`Save file test.csv for job job_123: Attempt 1/3`). Built on tenacity.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from engine.resilience.backoff import BackoffPolicy, compute_backoff

T = TypeVar("T")
log = logging.getLogger("sightline.retry")


def retry_call(
    fn: Callable[[], T],
    *,
    what: str,
    attempts: int,
    policy: BackoffPolicy,
    retryable: Callable[[BaseException], bool] = lambda exc: True,
    retry_after: Callable[[BaseException], float | None] = lambda exc: None,
    retry_after_max_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    logger: logging.Logger = log,
    quiet_first: bool = False,
) -> T:
    """Run `fn` up to `attempts` times; re-raise the last error when all fail.

    `retryable` decides whether an error is worth another attempt (a 401 is not);
    `retry_after` may return a server's hint, which replaces the computed delay
    (capped at `retry_after_max_s`). `quiet_first` logs the first attempt at DEBUG
    only (for one operation of many, such as one part of a multipart upload).
    """

    def before(state: RetryCallState) -> None:
        level = logging.DEBUG if quiet_first and state.attempt_number == 1 else logging.INFO
        logger.log(level, "%s: Attempt %d/%d", what, state.attempt_number, attempts)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = retry_after(exc) if exc is not None else None
        if hint is not None:
            return max(0.0, min(hint, retry_after_max_s))
        return compute_backoff(state.attempt_number, policy)

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait,
        retry=retry_if_exception(retryable),
        before=before,
        sleep=sleep,
        reraise=True,
    )
    return retrying(fn)
