"""Job records: creation, the transition table, absorbing terminal states."""

from __future__ import annotations

import json

import pytest

from engine import clock
from engine.constants import JOBS_ACTIVE_KEY, JOBS_UNSEALED_KEY, job_key
from engine.context import EngineContext
from engine.jobs import JobStatus, is_valid_job_id, new_job_id, public_view


def test_new_ids_are_unguessable_and_valid() -> None:
    ids = {new_job_id() for _ in range(1000)}
    assert len(ids) == 1000
    for job_id in ids:
        assert job_id.startswith("job_") and len(job_id) >= 16 and is_valid_job_id(job_id)


@pytest.mark.parametrize("bad", ["../x", "*", "job_", "job_short", "job_" + "a" * 10_000, "job_abc/../../x"])
def test_hostile_ids_are_not_valid(bad: str) -> None:
    assert not is_valid_job_id(bad)


def test_created_record_is_readable_with_redis_cli_get(ctx: EngineContext) -> None:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="sales.csv")
    raw = ctx.redis.get(job_key(job_id))
    assert raw is not None
    record = json.loads(raw)
    assert record["status"] == "submitted" and record["stage"] == "queued" and record["progress"] == 0
    view = public_view(record)
    assert set(view) >= {"jobId", "status", "progress", "resultUrl", "error", "errorMessage", "createdAt",
                         "updatedAt", "cancelledAt", "timeoutAt", "stage"}  # fmt: skip
    assert ctx.redis.zscore(JOBS_ACTIVE_KEY, job_id) is not None


def test_transitions_follow_the_table(ctx: EngineContext) -> None:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")
    won, _ = ctx.store.transition(job_id, JobStatus.COMPLETED)
    assert not won, "submitted -> completed skips processing"
    won, record = ctx.store.transition(job_id, JobStatus.PROCESSING, stage="parsing")
    assert won and record is not None and record["status"] == "processing"
    won, record = ctx.store.transition(job_id, JobStatus.COMPLETED)
    assert won and record is not None and record["finishedAt"]
    assert ctx.redis.zscore(JOBS_ACTIVE_KEY, job_id) is None
    assert ctx.redis.zscore(JOBS_UNSEALED_KEY, job_id) is not None


@pytest.mark.parametrize("terminal", [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED])
def test_terminal_states_are_absorbing(ctx: EngineContext, terminal: JobStatus) -> None:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")
    ctx.store.transition(job_id, JobStatus.PROCESSING)
    won, _ = ctx.store.transition(job_id, terminal)
    assert won
    for target in JobStatus:
        if target is JobStatus.SUBMITTED:
            continue
        won, found = ctx.store.transition(job_id, target)
        assert not won and found is not None and found["status"] == terminal.value
    assert not ctx.store.update(job_id, when={JobStatus.PROCESSING}, progress=0.5)


def test_missing_job_transition_is_a_lost_race(ctx: EngineContext) -> None:
    assert ctx.store.transition(new_job_id(), JobStatus.CANCELLED) == (False, None)


def test_recent_lists_newest_first(ctx: EngineContext) -> None:
    ids = [new_job_id() for _ in range(5)]
    for job_id in ids:
        ctx.store.create(job_id, file_name="a.csv")
    recent = [r["jobId"] for r in ctx.store.recent(3)]
    assert recent == list(reversed(ids))[:3]


def test_ended_records_are_served_from_cache_and_open_ones_never(ctx: EngineContext) -> None:
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="a.csv")
    assert ctx.reader.status(job_id)["status"] == "submitted"  # type: ignore[index]
    ctx.store.transition(job_id, JobStatus.PROCESSING)
    assert ctx.reader.status(job_id)["status"] == "processing", "open jobs are always read fresh"  # type: ignore[index]
    ctx.lifecycle.cancel(job_id)
    assert ctx.reader.status(job_id)["status"] == "cancelled"  # type: ignore[index]
    ctx.redis.delete(job_key(job_id))
    assert ctx.reader.status(job_id)["status"] == "cancelled", "an ended record never changes"  # type: ignore[index]
    assert ctx.store.get(job_id) is None


@pytest.mark.parametrize(
    "moment",
    [
        1_700_000_000.0,
        951_782_399.9994,
        1_709_164_800.5,
        946_684_799.999,
        4_107_542_400.25,
        1_798_761_599.001,
    ],
)
def test_a_change_stamps_the_servers_time_as_clock_iso_writes_it(
    ctx: EngineContext, monkeypatch: pytest.MonkeyPatch, moment: float
) -> None:
    """updatedAt and NOW fields are the script's time, in the card's format (leap days, year ends)."""
    job_id = new_job_id()
    ctx.store.create(job_id, file_name="t.csv")
    monkeypatch.setattr(clock, "pinned_s", lambda: moment)
    assert ctx.store.update(job_id, when={JobStatus.SUBMITTED}, heartbeatAt=clock.NOW)
    record = ctx.store.get(job_id)
    assert record is not None
    assert record["updatedAt"] == record["heartbeatAt"] == clock.iso(moment)


def test_without_a_pinned_time_the_record_gets_the_servers_time(ctx: EngineContext) -> None:
    job_id = new_job_id()
    created = ctx.store.create(job_id, file_name="t.csv")
    assert ctx.store.update(job_id, when={JobStatus.SUBMITTED}, heartbeatAt=clock.NOW)
    record = ctx.store.get(job_id)
    assert record is not None
    server = clock.server_now(ctx.redis)
    assert abs(clock.parse_iso(record["heartbeatAt"]) - server) < 2
    assert (
        abs(
            clock.parse_iso(created["timeoutAt"])
            - clock.parse_iso(created["createdAt"])
            - ctx.settings.job_timeout_s
        )
        < 0.01
    )
