"""Turn a model's answer text into a validated `NarrativeAnswer`, or say it is invalid.

Reasoning models wrap answers in `<think>` blocks and code fences, or add prose
around the JSON; all of that is stripped, and the first JSON object that fits the
shape wins. Validation is pydantic's: a sentence is text plus the fact ids it
cites (also accepted as `citations`, `fact_ids` or `sources`); a bare string is
taken as a sentence citing nothing, which the grounding check will then drop.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

_THINK_BLOCK_RE = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_CLOSE_RE = re.compile(r"</(?:think|thinking|reasoning)>", re.IGNORECASE)
_FENCE_RE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", re.DOTALL)


class InvalidAnswer(ValueError):
    """The answer holds no JSON object of the narrative's shape."""


class CitedSentence(BaseModel):
    """One sentence and the ids of the facts it rests on."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    text: str = Field(min_length=1, max_length=1000)
    facts: list[str] = Field(
        default_factory=list,
        max_length=30,
        validation_alias=AliasChoices("facts", "citations", "fact_ids", "factIds", "sources"),
    )

    @field_validator("facts", mode="before")
    @classmethod
    def _one_id_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("text")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return " ".join(value.split())


class InsightSentence(CitedSentence):
    """The plain-language sentence for one insight, by the insight's id."""

    id: str = Field(
        min_length=1, max_length=100, validation_alias=AliasChoices("id", "insightId", "insight_id")
    )


class NarrativeAnswer(BaseModel):
    """The JSON the model is asked for: summary bullets, one sentence per insight, and the
    answer to the analyst's goal when one was given."""

    model_config = ConfigDict(extra="ignore")

    summary: list[CitedSentence] = Field(min_length=1, max_length=10)
    insights: list[InsightSentence] = Field(default_factory=list, max_length=40)
    answer: CitedSentence | None = None

    @field_validator("answer", mode="before")
    @classmethod
    def _string_is_a_sentence(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @field_validator("summary", mode="before")
    @classmethod
    def _strings_are_sentences(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value


def strip_reasoning(text: str) -> str:
    """Remove `<think>` blocks, and anything before a stray closing tag."""
    text = _THINK_BLOCK_RE.sub("", text)
    closing = list(_THINK_CLOSE_RE.finditer(text))
    if closing:
        text = text[closing[-1].end() :]
    return text.strip()


def _json_objects(text: str) -> list[Any]:
    """JSON values found in fenced blocks first, then at each '{' of the plain text."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    for block in [*_FENCE_RE.findall(text), text]:
        start = block.find("{")
        while start != -1:
            try:
                value, end = decoder.raw_decode(block, start)
            except ValueError:
                start = block.find("{", start + 1)
                continue
            found.append(value)
            start = block.find("{", end)
    return found


def parse_answer(text: str) -> NarrativeAnswer:
    """The first object in `text` that validates as a narrative; `InvalidAnswer` otherwise."""
    cleaned = strip_reasoning(text)
    last_error: ValidationError | None = None
    for value in _json_objects(cleaned):
        if not isinstance(value, dict):
            continue
        try:
            return NarrativeAnswer.model_validate(value)
        except ValidationError as exc:
            last_error = exc
    detail = f": {last_error.error_count()} validation errors" if last_error else ": no JSON object"
    raise InvalidAnswer(f"LLM answer is not a valid narrative{detail}")
