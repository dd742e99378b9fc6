"""The goal as a job input: the same rules at every entry point."""

from __future__ import annotations

import pytest

from engine.analysis.goal import MAX_GOAL_CHARS as ANALYSIS_MAX
from engine.errors import GoalError, InputError
from engine.jobs.goal import MAX_GOAL_CHARS, clean_goal


def test_the_limit_is_the_analysis_limit() -> None:
    assert MAX_GOAL_CHARS == ANALYSIS_MAX == 500


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (None, None),
        ("", None),
        ("   \n\t ", None),
        ("resolution time by agent", "resolution time by agent"),
        ("  why is\n\ntime to resolution\x00 rising? ", "why is time to resolution rising?"),
        ("x" * 500, "x" * 500),
    ],
)
def test_clean_goal(raw: str | None, kept: str | None) -> None:
    assert clean_goal(raw) == kept


@pytest.mark.parametrize("raw", ["x" * 501, " " * 501, 42, ["a"], {"goal": "a"}])
def test_refused_goals(raw: object) -> None:
    with pytest.raises(GoalError) as caught:
        clean_goal(raw)
    assert isinstance(caught.value, InputError)
    assert "500" in caught.value.message or "text" in caught.value.message
