"""The insight engine: `analyze(path) -> result.json document` (schema v2, docs/result-schema.md)."""

from engine.analysis.pipeline import SCHEMA_VERSION, ProgressFn, analyze

__all__ = ["SCHEMA_VERSION", "ProgressFn", "analyze"]
