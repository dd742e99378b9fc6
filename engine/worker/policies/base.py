"""What a policy sees: a tick of a horse watch, or an open job in a reaper sweep."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from engine.context import EngineContext
from engine.jobs.attempts import Attempt
from engine.jobs.status import Stage
from engine.jobs.store import JobRecord

if TYPE_CHECKING:
    from rq.job import Job


class Verdict(Enum):
    """A watch policy's answer for this tick."""

    GO_ON = "go_on"  # nothing for this policy to do: ask the next one
    LEAVE = "leave"  # leave the horse alone this tick, and ask no other policy
    STOP = "stop"  # stop (kill) the horse


class Worker(Protocol):
    """The parts of the worker a policy may use."""

    shutdown_signal: int | None

    def get_current_job(self) -> Job | None: ...

    def maintain_heartbeats(self, job: Job) -> None: ...


@dataclass(frozen=True)
class Tick:
    """One look at one running horse."""

    ctx: EngineContext
    worker: Worker
    job_id: str
    attempt: Attempt | None  # None: a job of another queue, with no record (bench's no-op)
    record: JobRecord | None  # as read this tick; None when it is gone
    horse_pid: int
    now: float

    @property
    def token(self) -> int | None:
        return self.attempt.token if self.attempt is not None else None


class WatchPolicy(Protocol):
    """One rule of the horse watch; an instance lives as long as one horse."""

    def __init__(self, ctx: EngineContext) -> None: ...

    def watch(self, tick: Tick) -> Verdict: ...


@dataclass(frozen=True)
class OpenJob:
    """An open (submitted or processing) job, as one reaper sweep sees it."""

    ctx: EngineContext
    record: JobRecord
    now: float
    queued: frozenset[str]  # job ids waiting in RQ's queue
    between: frozenset[str]  # job ids in RQ's intermediate list (dequeued, not yet started)

    @property
    def job_id(self) -> str:
        return str(self.record["jobId"])


def phase(record: JobRecord | None) -> str:
    """`parsing` or `processing`: the word the card's log lines use for where the job was."""
    stage = (record or {}).get("stage") or Stage.QUEUED.value
    return Stage(stage).phase
