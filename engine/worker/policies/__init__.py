"""The worker's job rules, one module per policy.

Each policy may act on a running horse (its `Watch` class: asked on every tick of
the worker's horse watch, in the order of `WATCH`) and on an open job seen by the
reaper (its `reap` function: asked on every sweep, in the order of `REAP`). The
first policy that acts ends the round.

    shutdown   the worker was asked to stop: fail its job (worker_shutdown), stop the horse
    cancel     the job ended elsewhere (cancelled, failed, taken by another attempt): stop the horse
    deadline   the job passed timeoutAt: fail it (timeout), stop the horse
    memory     the horse passed MAX_JOB_MEMORY_MB: fail the job (processing_error), stop the horse
    heartbeat  the attempt is alive: beat for it, and for RQ
    liveness   (reaper) an attempt's worker went silent, or the job was lost before it
               started: fail it (worker_shutdown) or queue it again
"""

from engine.worker.policies import cancel, deadline, heartbeat, liveness, memory, shutdown
from engine.worker.policies.base import OpenJob, Tick, Verdict, WatchPolicy

WATCH: tuple[type[WatchPolicy], ...] = (
    shutdown.Watch,
    cancel.Watch,
    deadline.Watch,
    memory.Watch,
    heartbeat.Watch,
)
REAP = (deadline.reap, liveness.reap)

__all__ = ["REAP", "WATCH", "OpenJob", "Tick", "Verdict", "WatchPolicy"]
