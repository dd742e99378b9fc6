"""The analyst's goal as a job input: optional free text, at most MAX_GOAL_CHARS characters.

Every entry point (the upload endpoint, `python -m engine analyze|submit`) reads the
goal through `clean_goal`, so they accept and refuse the same things. The length is
judged on the text as sent, before any trimming. Control characters become spaces and
runs of white space one space; a blank goal is no goal. The goal stays data: it is
stored on the job record, handed to the analysis, and shown; it is never run.
"""

from __future__ import annotations

import re

from engine.errors import GoalError

MAX_GOAL_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean_goal(raw: object) -> str | None:
    """The goal to store, or None when there is none; `GoalError` when it cannot be accepted."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise GoalError(f"goal must be text, not {type(raw).__name__}")
    if len(raw) > MAX_GOAL_CHARS:
        raise GoalError(f"goal is {len(raw):,} characters long; at most {MAX_GOAL_CHARS} are accepted")
    text = " ".join(_CONTROL.sub(" ", raw).split())
    return text or None
