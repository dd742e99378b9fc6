"""Robust parsing of model answers into the validated narrative shape."""

from __future__ import annotations

import json

import pytest

from engine.narrative.parsing import InvalidAnswer, parse_answer, strip_reasoning

ANSWER = {
    "summary": [{"text": "North leads.", "facts": ["ins_1"]}],
    "insights": [{"id": "ins_1", "text": "North  leads\nrevenue.", "facts": ["ins_1"]}],
}


def test_plain_json() -> None:
    answer = parse_answer(json.dumps(ANSWER))
    assert answer.summary[0].facts == ["ins_1"]
    assert answer.insights[0].text == "North leads revenue."


def test_think_block_and_fence_are_stripped() -> None:
    text = '<think>maybe {"summary": 1}</think>\nSure:\n```json\n' + json.dumps(ANSWER) + "\n```\nDone."
    assert parse_answer(text).insights[0].id == "ins_1"


def test_stray_closing_think_tag_drops_what_came_before() -> None:
    assert strip_reasoning("thinking about 99 things</think> {}") == "{}"


def test_prose_around_json() -> None:
    assert parse_answer("Here you go: " + json.dumps(ANSWER) + " Hope it helps!").summary


def test_aliases_and_bare_strings_are_accepted() -> None:
    text = json.dumps(
        {"summary": ["A bullet."], "insights": [{"insightId": "ins_1", "text": "x", "citations": "ins_1"}]}
    )
    answer = parse_answer(text)
    assert answer.summary[0].facts == []
    assert answer.insights[0].facts == ["ins_1"]


@pytest.mark.parametrize(
    "text",
    ["", "no json here", "[1, 2]", '{"summary": []}', '{"insights": []}', '{"summary": [{"facts": ["x"]}]}'],
)
def test_invalid_answers(text: str) -> None:
    with pytest.raises(InvalidAnswer):
        parse_answer(text)
