"""Keep the template narrative when the LLM cannot be used, and say why in `issues`.

The insight engine writes `doc["narrative"]` from templates before the LLM is
tried. On a fallback that narrative stays, marked `source: "fallback"` with a
machine `reason`, and `issues` gets one `llm_failure_fallback` entry with the
reason and a sentence for people. When the document arrives without a usable
template narrative, a plain one is made from the insight texts, so a fallback
is always worth reading.
"""

from __future__ import annotations

from typing import Any

from engine.errors import ErrorCode

ISSUE_CODE = ErrorCode.LLM_FAILURE_FALLBACK.value
TAIL = "the narrative was written from the insights by templates."

_MESSAGES = {
    "missing_api_key": "No LLM API key is configured (OPENROUTER_API_KEY or LLM_API_KEY)",
    "circuit_open": "The LLM circuit breaker is open after repeated provider failures, so no call was made",
    "invalid_output": "The LLM answer was not a narrative in the expected JSON shape",
    "ungrounded": "Fewer than half of the LLM's sentences matched the computed facts they cited",
}


def fallback_message(reason: str) -> str:
    """A sentence for people explaining `reason`."""
    if reason.startswith("llm_error:"):
        head = f"The LLM call failed ({reason.split(':', 1)[1]})"
    else:
        head = _MESSAGES.get(reason, f"The LLM narrative could not be used ({reason})")
    return f"{head}; {TAIL}"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _template_summary(doc: dict[str, Any]) -> list[str]:
    insights = _list(doc.get("insights"))
    texts = [str(i["text"]) for i in insights if isinstance(i, dict) and i.get("text")]
    if texts:
        return texts[:5]
    info = doc.get("fileInfo")
    info = info if isinstance(info, dict) else {}
    rows, cols = info.get("rows"), info.get("columns")
    if rows is not None and cols is not None:
        return [f"The file has {rows} rows and {cols} columns; no insight stood out."]
    return ["No insight stood out in this file."]


def ensure_template_narrative(doc: dict[str, Any]) -> dict[str, Any]:
    """The document's template narrative, made from the insights when missing or empty."""
    narrative = doc.get("narrative")
    if not isinstance(narrative, dict):
        narrative = {"source": "template"}
    if not narrative.get("summary"):
        narrative["summary"] = _template_summary(doc)
    doc["narrative"] = narrative
    return narrative


def apply_fallback(doc: dict[str, Any], reason: str, *, extra: dict[str, Any] | None = None) -> None:
    """Mark the template narrative as the fallback for `reason` and record the issue."""
    narrative = ensure_template_narrative(doc)
    narrative["source"] = "fallback"
    narrative["reason"] = reason
    if extra:
        narrative.update(extra)
    issues = [
        i for i in _list(doc.get("issues")) if not (isinstance(i, dict) and i.get("code") == ISSUE_CODE)
    ]
    message = fallback_message(reason)
    issues.append({"code": ISSUE_CODE, "reason": reason, "message": message, "severity": "warning"})
    doc["issues"] = issues
