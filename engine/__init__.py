"""Sightline's job engine: no Flask, no UI.

`engine.analyze(path)` is the pure analysis (see engine/analysis);
`engine.pipeline.run_job` is what a worker runs; `python -m engine` is the
command line. Nothing heavy is imported until it is used.
"""

from __future__ import annotations

from typing import Any

from engine.blas import single_threaded_blas

single_threaded_blas()  # before anything imports numpy

__all__ = ["analyze"]


def __getattr__(name: str) -> Any:
    if name == "analyze":
        from engine.analysis import analyze

        return analyze
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
