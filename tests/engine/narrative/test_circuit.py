"""The circuit breaker's contract, run against both state stores (Redis and memory), time frozen."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from engine.clock import parse_iso
from engine.config import Settings
from engine.narrative import NarrativeService
from engine.resilience.circuit import CircuitBreaker, Permit
from tests.engine.narrative.conftest import Clock
from tests.fakes.llm_server import FakeLLMServer

OPENING = "Circuit breaker OPENING: 5 failures within 300s window (threshold: 5)"
OPEN = "Circuit breaker is OPEN. Using fallback."
CLOSING = "Circuit breaker cooldown complete. Closing circuit."

BreakerFactory = Callable[..., CircuitBreaker]


@pytest.fixture(params=["redis", "memory"])
def make_breaker(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings], clock: Clock
) -> Iterator[BreakerFactory]:
    """Breakers sharing one state (a fresh key prefix per test), in Redis or in memory."""
    client: redis.Redis | None = request.getfixturevalue("redis_client") if request.param == "redis" else None
    prefix = f"test:circuit:{uuid.uuid4().hex}"

    def build(**overrides: Any) -> CircuitBreaker:
        lease = overrides.pop("probe_lease_s", None)
        return CircuitBreaker(
            client, make_settings(**overrides), clock=clock, key_prefix=prefix, probe_lease_s=lease
        )

    yield build


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        permit = breaker.acquire()
        assert permit is not None and not permit.probe
        breaker.record_failure(permit)


def open_circuit(breaker: CircuitBreaker) -> None:
    fail(breaker, breaker.threshold)
    assert breaker.snapshot()["state"] == "open"


def test_opens_after_threshold_failures_within_the_window(
    make_breaker: BreakerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    breaker = make_breaker()
    fail(breaker, 4)
    assert breaker.snapshot()["state"] == "closed" and breaker.snapshot()["failures"] == 4
    fail(breaker, 1)
    assert caplog.messages.count(OPENING) == 1
    assert breaker.acquire() is None
    assert caplog.messages[-1] == OPEN


def test_failures_older_than_the_window_do_not_count(make_breaker: BreakerFactory, clock: Clock) -> None:
    breaker = make_breaker()
    fail(breaker, 4)
    clock.advance(301)
    fail(breaker, 4)
    assert breaker.snapshot() == {
        "state": "closed",
        "failures": 4,
        "threshold": 5,
        "windowS": 300,
        "cooldownS": 600,
        "openedAt": None,
        "reopensAt": None,
        "probeInFlight": False,
    }


def test_successes_do_not_reset_the_window_count(make_breaker: BreakerFactory) -> None:
    breaker = make_breaker()
    fail(breaker, 3)
    permit = breaker.acquire()
    assert permit is not None
    breaker.record_success(permit)
    fail(breaker, 2)
    assert breaker.snapshot()["state"] == "open"


def test_snapshot_while_open(make_breaker: BreakerFactory, clock: Clock) -> None:
    clock.now = 1_800_000_000.0  # 2027-01-15T08:00:00Z
    breaker = make_breaker()
    open_circuit(breaker)
    snap = breaker.snapshot()
    assert snap["state"] == "open"
    assert snap["openedAt"] == "2027-01-15T08:00:00.000Z"
    assert snap["reopensAt"] == "2027-01-15T08:10:00.000Z"
    clock.advance(600)
    assert breaker.snapshot()["state"] == "half_open"


def test_stays_open_until_the_cooldown_then_one_probe_closes_it(
    make_breaker: BreakerFactory, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    breaker, other_worker = make_breaker(), make_breaker()
    open_circuit(breaker)
    clock.advance(599)
    assert other_worker.acquire() is None
    clock.advance(1)
    probe = other_worker.acquire()
    assert probe is not None and probe.probe
    assert breaker.acquire() is None  # the probe is in flight: everyone else falls back
    assert breaker.snapshot()["probeInFlight"] is True
    other_worker.record_success(probe)
    assert CLOSING in caplog.messages
    assert breaker.snapshot()["state"] == "closed" and breaker.snapshot()["failures"] == 0
    permit = breaker.acquire()
    assert permit is not None and not permit.probe


def test_a_failed_probe_reopens_for_another_cooldown(make_breaker: BreakerFactory, clock: Clock) -> None:
    breaker = make_breaker()
    open_circuit(breaker)
    clock.advance(600)
    probe = breaker.acquire()
    assert probe is not None and probe.probe
    breaker.record_failure(probe)
    assert breaker.snapshot()["state"] == "open"
    clock.advance(599)
    assert breaker.acquire() is None
    clock.advance(1)
    again = breaker.acquire()
    assert again is not None and again.probe


def test_a_probe_that_never_reports_loses_its_permit_after_the_lease(
    make_breaker: BreakerFactory, clock: Clock
) -> None:
    breaker = make_breaker(probe_lease_s=30)
    open_circuit(breaker)
    clock.advance(600)
    stale = breaker.acquire()
    assert stale is not None and stale.probe
    clock.advance(29)
    assert breaker.acquire() is None
    clock.advance(2)
    fresh = breaker.acquire()
    assert fresh is not None and fresh.probe
    breaker.record_success(stale)  # the stale probe's late word decides nothing
    assert breaker.snapshot()["state"] == "half_open"
    breaker.record_success(fresh)
    assert breaker.snapshot()["state"] == "closed"


def test_a_released_probe_lets_the_next_caller_probe(make_breaker: BreakerFactory, clock: Clock) -> None:
    breaker = make_breaker()
    open_circuit(breaker)
    clock.advance(600)
    probe = breaker.acquire()
    assert probe is not None
    breaker.release(probe)
    next_probe = breaker.acquire()
    assert next_probe is not None and next_probe.probe


def test_late_failures_while_open_are_ignored(make_breaker: BreakerFactory, clock: Clock) -> None:
    breaker = make_breaker()
    late = breaker.acquire()
    open_circuit(breaker)
    assert late is not None
    breaker.record_failure(late)
    clock.advance(600)
    assert breaker.snapshot()["state"] == "half_open"


def test_exactly_one_probe_among_concurrent_callers(make_breaker: BreakerFactory, clock: Clock) -> None:
    open_circuit(make_breaker())
    clock.advance(600)
    permits: list[Permit | None] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        breaker = make_breaker()
        barrier.wait()
        permits.append(breaker.acquire())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sum(1 for p in permits if p is not None) == 1
    assert len(permits) == 8


def test_open_circuit_makes_no_call(
    fake_llm: FakeLLMServer,
    make_settings: Callable[..., Settings],
    redis_client: redis.Redis,
    clock: Clock,
    doc: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    settings = make_settings(llm_retry_attempts=1)
    fake_llm.set_mode("fail500")

    def attach() -> dict[str, Any]:
        breaker = CircuitBreaker(redis_client, settings, clock=clock)
        copy = {**doc, "narrative": dict(doc["narrative"]), "issues": list(doc["issues"])}
        NarrativeService(settings=settings, redis=redis_client, breaker=breaker).attach(copy)
        return copy

    reasons = [attach()["narrative"]["reason"] for _ in range(7)]
    assert reasons == ["llm_error:http_500"] * 5 + ["circuit_open"] * 2
    assert fake_llm.count == 5
    assert OPENING in caplog.messages and caplog.messages.count(OPEN) == 2
    fake_llm.set_mode("good")
    clock.advance(600)
    assert attach()["narrative"]["source"] == "llm"
    assert fake_llm.count == 6
    assert CLOSING in caplog.messages


class _Interrupted:
    def complete(self, messages: list[dict[str, str]]) -> Any:
        raise KeyboardInterrupt


def test_a_probe_stopped_by_a_signal_gives_its_permit_back(
    make_settings: Callable[..., Settings], redis_client: redis.Redis, clock: Clock, doc: dict[str, Any]
) -> None:
    settings = make_settings()
    breaker = CircuitBreaker(redis_client, settings, clock=clock)
    open_circuit(breaker)
    clock.advance(600)
    service = NarrativeService(settings=settings, redis=redis_client, breaker=breaker, client=_Interrupted())  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        service.attach(doc)
    probe = breaker.acquire()
    assert probe is not None and probe.probe


def test_without_a_clock_redis_decides_on_the_servers_time(
    make_settings: Callable[..., Settings], redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers whose wall clocks are hours apart share one window: only the server's TIME counts.

    (A guard: the breaker must never read this process's clock when it has Redis.)
    """
    prefix = f"test:circuit:{uuid.uuid4().hex}"
    settings = make_settings()
    real = time.time
    for skew in (0.0, 3600.0, -3600.0, 7200.0, -7200.0):  # each failure from a worker on another clock
        monkeypatch.setattr(time, "time", lambda s=skew: real() + s)  # type: ignore[misc]
        permit = CircuitBreaker(redis_client, settings, key_prefix=prefix).acquire()
        assert permit is not None
        CircuitBreaker(redis_client, settings, key_prefix=prefix).record_failure(permit)
    snapshot = CircuitBreaker(redis_client, settings, key_prefix=prefix).snapshot()
    assert snapshot["state"] == "open" and snapshot["failures"] == 5, snapshot
    seconds, micros = redis_client.time()
    assert abs(parse_iso(snapshot["openedAt"]) - (seconds + micros / 1e6)) < 5
    assert CircuitBreaker(redis_client, settings, key_prefix=prefix).acquire() is None
