"""What the fake LLM server answers in each mode (status, body, extra headers).

The good answer is written from the facts found in the request, the way a careful
model would: each sentence copies numbers from the one fact it cites. The bad
answers are the ways real providers and models go wrong.
"""

from __future__ import annotations

import json
import re
from typing import Any

_FACTS_RE = re.compile(r"<facts>\s*(.*?)\s*</facts>", re.DOTALL)
_GOAL_RE = re.compile(r"<goal>\s*(.*?)\s*</goal>", re.DOTALL)
INJECTION_MARK = "ignore previous instructions"
GOAL_INJECTION_MARK = "ignore the data"


def facts_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The facts block of the last user message, or {} when there is none."""
    messages = payload.get("messages") or []
    users = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    match = _FACTS_RE.search(users[-1]) if users else None
    if not match:
        return {}
    try:
        facts = json.loads(match.group(1))
    except ValueError:
        return {}
    return facts if isinstance(facts, dict) else {}


def goal_of(payload: dict[str, Any]) -> str | None:
    """The quoted goal of the last user message, or None."""
    messages = payload.get("messages") or []
    users = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    match = _GOAL_RE.search(users[-1]) if users else None
    try:
        goal = json.loads(match.group(1)) if match else None
    except ValueError:
        return None
    return goal if isinstance(goal, str) else None


def good_answer(facts: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to the goal a careful model gives: the first answering insight, in its words."""
    goal = facts.get("goal")
    if not isinstance(goal, dict):
        return None
    by_id = {i["id"]: i for i in facts.get("insights") or []}
    answering = [by_id[i] for i in goal.get("answerInsightIds") or [] if i in by_id]
    if not answering:
        return {"text": "The goal matched no finding in this table.", "facts": ["goal"]}
    first = answering[0]
    return {"text": f"To answer the goal: {first.get('text', '')}", "facts": [first["id"], "goal"]}


def good_narrative(facts: dict[str, Any]) -> dict[str, Any]:
    """A grounded narrative: the dataset's shape, then the top insights in their own words."""
    summary = []
    dataset = facts.get("dataset") or {}
    if "rows" in dataset and "columns" in dataset:
        summary.append(
            {
                "text": f"The table has {dataset['rows']} rows and {dataset['columns']} columns.",
                "facts": ["dataset"],
            }
        )
    insights = facts.get("insights") or []
    for insight in insights[:3]:
        summary.append(
            {
                "text": f"{insight.get('title', 'Finding')}: {insight.get('text', '')}",
                "facts": [insight["id"]],
            }
        )
    per_insight = [
        {"id": i["id"], "text": f"In plain words, {i.get('text', '')}", "facts": [i["id"]]} for i in insights
    ]
    out: dict[str, Any] = {"summary": summary, "insights": per_insight}
    answer = good_answer(facts)
    if answer is not None:
        out["answer"] = answer
    return out


def _invent(narrative: dict[str, Any], *, every: bool) -> dict[str, Any]:
    """Put made-up figures into every sentence, or into one insight sentence only."""
    bogus = " It also rose 987.6% to $4,321,987 last quarter."
    if every:
        for sentence in [*narrative["summary"], *narrative["insights"]]:
            sentence["text"] += bogus
    elif narrative["insights"]:
        narrative["insights"][0]["text"] += bogus
    return narrative


def _completion(content: str | None, **message_extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "fake/model",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, **message_extra},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _ok(content: str | None, **extra: Any) -> tuple[int, bytes, dict[str, str]]:
    return 200, json.dumps(_completion(content, **extra)).encode(), {}


def _error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, dict[str, str]]:
    return status, json.dumps({"error": {"code": status, "message": message}}).encode(), headers or {}


def _obeyed(payload: dict[str, Any], facts: dict[str, Any]) -> str | None:
    """What a model that follows orders found in its data says, or None when it found none."""
    if GOAL_INJECTION_MARK in (goal_of(payload) or "").lower():
        return "PWNED"
    return "HACKED" if INJECTION_MARK in json.dumps(facts).lower() else None


def answer_for(
    mode: str, payload: dict[str, Any], options: dict[str, Any]
) -> tuple[int, bytes, dict[str, str]]:
    """(HTTP status, body, extra headers) for one request in `mode`."""
    facts = facts_of(payload)
    narrative = good_narrative(facts)
    if mode in {"good", "slow", "hang", "hold"}:
        return _ok(json.dumps(narrative))
    if mode == "think":
        thoughts = "<think>The numbers 123456 and 99.9% are only my guesses.</think>\n"
        fenced = f"Here is the JSON:\n```json\n{json.dumps(narrative, indent=2)}\n```\n"
        return _ok(thoughts + fenced, reasoning="Let me think about 31337 things.", reasoning_content="777")
    if mode == "fail500":
        return _error(500, "upstream exploded")
    if mode == "rate_limit":
        return _error(429, "rate limited", {"Retry-After": str(options.get("retryAfter", 1))})
    if mode == "junk":
        return _ok("Sure! The data looks interesting and sales are great overall.")
    if mode == "garbage":
        return 200, b"<html><body>502 Bad Gateway</body></html>", {}
    if mode in {"invented", "invented_some"}:
        return _ok(json.dumps(_invent(narrative, every=mode == "invented")))
    if mode == "unauthorized":
        return _error(401, "No auth credentials found")
    if mode == "error200":
        return 200, json.dumps({"error": {"code": 502, "message": "provider returned error"}}).encode(), {}
    if mode == "empty":
        return _ok("")
    if mode == "obey_injection":
        return _ok(_obeyed(payload, facts) or json.dumps(narrative))
    raise ValueError(f"unknown mode {mode!r}")
