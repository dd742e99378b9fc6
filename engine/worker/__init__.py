"""Workers: the RQ worker class, the reaper, and the worker entry point."""

from engine.worker.main import run_worker
from engine.worker.reaper import Reaper
from engine.worker.worker import SightlineWorker

__all__ = ["Reaper", "SightlineWorker", "run_worker"]
