"""Waiting for a job: the reference card's polling loop with its backoff 1, 2, 4, 8, 15 s.

Kept apart from the HTTP code so the clock, the sleep and the delays can be injected
and the loop tested without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from client.errors import WaitTimeout
from client.models import JobStatus

CARD_DELAYS_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)

ProgressCallback = Callable[[JobStatus], None]


def backoff_delay(attempt: int, delays_s: Sequence[float] = CARD_DELAYS_S) -> float:
    """Delay before poll number `attempt + 1`: the card's list, its last value repeated."""
    if not delays_s:
        raise ValueError("delays_s must not be empty")
    return delays_s[min(max(attempt, 0), len(delays_s) - 1)]


def poll_until_terminal(
    fetch: Callable[[], JobStatus],
    max_wait_s: float,
    *,
    delays_s: Sequence[float] = CARD_DELAYS_S,
    on_progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> JobStatus:
    """Call `fetch` until the job is terminal; raise `WaitTimeout` after `max_wait_s`.

    `on_progress` sees every status fetched (terminal one included). The last sleep is
    cut short at the deadline, and one final poll is made there, so the budget is honoured
    without losing a result that arrived during the last delay.
    """
    start = clock()
    deadline = start + max_wait_s
    attempt = 0
    while True:
        status = fetch()
        if on_progress is not None:
            on_progress(status)
        if status.is_terminal:
            return status
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(status.job_id, clock() - start, status)
        sleep(min(backoff_delay(attempt, delays_s), remaining))
        attempt += 1
