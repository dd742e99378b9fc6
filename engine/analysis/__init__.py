"""The insight engine: `analyze(path) -> result.json document` (schema v1)."""

from engine.analysis.pipeline import SCHEMA_VERSION, ProgressFn, analyze

__all__ = ["SCHEMA_VERSION", "ProgressFn", "analyze"]
