"""The card's polling loop: backoff 1, 2, 4, 8, 15 s, the wait budget, progress callbacks."""

from __future__ import annotations

import pytest

from client import CARD_DELAYS_S, JobStatus, WaitTimeout, backoff_delay, poll_until_terminal


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def statuses(*names: str) -> list[JobStatus]:
    return [JobStatus(job_id="job_x", status=n, progress=i / 10) for i, n in enumerate(names)]


def test_card_delays_are_the_reference_list() -> None:
    assert CARD_DELAYS_S == (1, 2, 4, 8, 15)
    assert [backoff_delay(n) for n in range(8)] == [1, 2, 4, 8, 15, 15, 15, 15]


def test_backoff_rejects_an_empty_list() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0, ())


def test_polls_with_backoff_until_terminal_and_reports_each_status() -> None:
    clock = FakeClock()
    answers = iter(statuses("submitted", "processing", "processing", "processing", "completed"))
    seen: list[str] = []
    final = poll_until_terminal(
        lambda: next(answers),
        600,
        on_progress=lambda s: seen.append(s.status),
        sleep=clock.sleep,
        clock=clock,
    )
    assert final.status == "completed"
    assert clock.sleeps == [1, 2, 4, 8]
    assert seen == ["submitted", "processing", "processing", "processing", "completed"]


def test_gives_up_at_the_budget_without_oversleeping() -> None:
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as caught:
        poll_until_terminal(
            lambda: JobStatus(job_id="job_slow", status="processing"), 10, sleep=clock.sleep, clock=clock
        )
    assert clock.sleeps == [1, 2, 4, 3]  # the last sleep is cut to the deadline
    assert caught.value.job_id == "job_slow"
    assert caught.value.last_status.status == "processing"


def test_a_result_arriving_during_the_last_delay_is_not_lost() -> None:
    clock = FakeClock()
    answers = iter(statuses("processing", "processing", "completed"))
    final = poll_until_terminal(lambda: next(answers), 2, sleep=clock.sleep, clock=clock)
    assert final.status == "completed"
    assert clock.sleeps == [1, 1]


def test_injected_delays_replace_the_card_list() -> None:
    clock = FakeClock()
    answers = iter(statuses("submitted", "processing", "failed"))
    poll_until_terminal(lambda: next(answers), 60, delays_s=(0.01,), sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [0.01, 0.01]
