"""`make run` / `make serve`: start Redis (embedded Valkey), workers, API and UIs, and keep them up."""

from engine.supervisor.processes import Supervisor
from engine.supervisor.valkey import EmbeddedValkey

__all__ = ["EmbeddedValkey", "Supervisor"]
