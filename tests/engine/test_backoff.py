"""Backoff is a pure function; retry_call logs the card's attempt lines."""

from __future__ import annotations

import logging

import pytest

from engine.resilience import BackoffPolicy, compute_backoff, retry_call

POLICY = BackoffPolicy(initial_s=0.5, factor=2.0, max_s=10.0, jitter=0.0)


@pytest.mark.parametrize(
    ("attempt", "expected"), [(1, 0.5), (2, 1.0), (3, 2.0), (5, 8.0), (6, 10.0), (20, 10.0)]
)
def test_backoff_grows_by_factor_up_to_the_cap(attempt: int, expected: float) -> None:
    assert compute_backoff(attempt, POLICY) == pytest.approx(expected)


def test_jitter_stays_within_bounds() -> None:
    policy = BackoffPolicy(initial_s=1.0, factor=2.0, max_s=10.0, jitter=0.1)
    assert compute_backoff(1, policy, rand=lambda: 0.0) == pytest.approx(0.9)
    assert compute_backoff(1, policy, rand=lambda: 0.999999) == pytest.approx(1.1, abs=1e-5)
    assert compute_backoff(10, policy, rand=lambda: 0.999999) == 10.0


def test_retry_logs_each_attempt_and_waits_per_policy(caplog: pytest.LogCaptureFixture) -> None:
    waits: list[float] = []
    calls = {"n": 0}

    def flaky() -> str:
        calls["n"] += 1
        if calls["n"] < 3:
            raise OSError("disk hiccup")
        return "saved"

    with caplog.at_level(logging.INFO):
        result = retry_call(
            flaky, what="Save file test.csv for job job_123", attempts=3, policy=POLICY, sleep=waits.append
        )
    assert result == "saved"
    assert waits == [0.5, 1.0]
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [f"Save file test.csv for job job_123: Attempt {n}/3" for n in (1, 2, 3)]


def test_retry_stops_on_non_retryable_and_honours_retry_after() -> None:
    waits: list[float] = []

    class Fatal(Exception):
        pass

    with pytest.raises(Fatal):
        retry_call(lambda: (_ for _ in ()).throw(Fatal()), what="x", attempts=5, policy=POLICY,
                   retryable=lambda e: not isinstance(e, Fatal), sleep=waits.append)  # fmt: skip
    assert waits == []
    with pytest.raises(OSError):
        retry_call(lambda: (_ for _ in ()).throw(OSError()), what="x", attempts=3, policy=POLICY,
                   retry_after=lambda e: 99.0, retry_after_max_s=7.0, sleep=waits.append)  # fmt: skip
    assert waits == [7.0, 7.0]
