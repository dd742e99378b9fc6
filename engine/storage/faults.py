"""Test-only storage fault injection, so the retry path can be shown.

`BLOB_FAULT_FAILURES=N` makes the first N attempts of every blob operation of
the kinds in `BLOB_FAULT_OPS` (default `upload,result`; also `error`) fail with
an OSError; `BLOB_FAULT_FAILURES=all` makes every attempt fail. `0` (the
default) injects nothing. Never set these in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.config import Settings


@dataclass(frozen=True)
class FaultInjector:
    failures: int | None  # None means every attempt fails
    ops: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> FaultInjector:
        raw = settings.blob_fault_failures
        failures = None if raw == "all" else int(raw)
        ops = frozenset(op.strip() for op in settings.blob_fault_ops.split(",") if op.strip())
        return cls(failures=failures, ops=ops)

    @property
    def active(self) -> bool:
        return self.failures is None or self.failures > 0

    def check(self, op: str, attempt: int) -> None:
        """Raise an injected OSError when this attempt of `op` is meant to fail."""
        if op in self.ops and (self.failures is None or attempt <= self.failures):
            raise OSError(f"injected storage fault ({op}, attempt {attempt})")
