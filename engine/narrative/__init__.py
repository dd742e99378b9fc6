"""The LLM narrative of a result: grounded in computed facts, with a template fallback."""

from engine.narrative.service import NarrativeService, attach_narrative

__all__ = ["NarrativeService", "attach_narrative"]
