"""Attach an LLM narrative to a result document, or keep the template one and say why.

The steps, each of which may end in a fallback with its reason: a key is
configured (`missing_api_key`); the shared circuit breaker allows a call
(`circuit_open`); the call succeeds within the retry policy (`llm_error:<kind>`);
the answer parses into the narrative shape (`invalid_output`); at least half its
sentences are grounded in the facts they cite (`ungrounded`). A job never fails
because of the LLM: every `Exception` ends in a fallback, except those that stop
the job (cancel, timeout, shutdown, RQ's time limit); those and every other
`BaseException` pass through, after giving back a probe permit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rq.timeouts import JobTimeoutException

from engine import metrics
from engine.config import Settings
from engine.errors import JobCancelled, JobTimedOut, LLMError, WorkerShutdown
from engine.narrative.client import ChatClient, ChatReply
from engine.narrative.facts import FactSheet, build_fact_sheet
from engine.narrative.fallback import apply_fallback, ensure_template_narrative
from engine.narrative.grounding import CheckedSentence, GroundingReport, check_grounding
from engine.narrative.parsing import InvalidAnswer, parse_answer
from engine.narrative.prompt import build_messages
from engine.resilience.backoff import BackoffPolicy
from engine.resilience.circuit import CircuitBreaker, Permit
from engine.resilience.retry import retry_call

if TYPE_CHECKING:
    import redis as redis_lib

log = logging.getLogger("sightline.narrative")

# Exceptions that stop a job (ours, and RQ's own time limit): they pass through untouched.
JOB_CONTROL: tuple[type[Exception], ...] = (JobCancelled, JobTimedOut, WorkerShutdown, JobTimeoutException)


class Fallback(Exception):
    """The LLM narrative cannot be used; `reason` is the card's fallback reason."""

    def __init__(self, reason: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.extra = extra or {}


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, LLMError) and exc.retryable


def _retry_after(exc: BaseException) -> float | None:
    return exc.retry_after_s if isinstance(exc, LLMError) else None


class NarrativeService:
    """Writes `doc["narrative"]` from the LLM; parts are injectable for tests and tools."""

    def __init__(
        self,
        *,
        settings: Settings,
        redis: redis_lib.Redis | None,
        breaker: CircuitBreaker | None = None,
        client: ChatClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._redis = redis
        self._breaker = breaker
        self._client = client
        self._sleep = sleep

    def attach(self, doc: dict[str, Any]) -> None:
        """Replace the template narrative with a grounded LLM one, or mark the fallback."""
        ensure_template_narrative(doc)
        try:
            doc["narrative"] = self._narrate(doc)
        except Fallback as fb:
            log.warning("LLM narrative not used (%s); keeping the template narrative.", fb.reason)
            apply_fallback(doc, fb.reason, extra=fb.extra)
            metrics.incr("llm_fallbacks_total", reason=fb.reason.split(":")[0])
        except JOB_CONTROL:
            raise  # the job is being stopped: not the narrative's business
        except Exception as exc:  # the job must not fail because of the narrative
            log.error("LLM narrative step failed unexpectedly: %s", type(exc).__name__)
            apply_fallback(doc, "llm_error:internal")
            metrics.incr("llm_fallbacks_total", reason="llm_error")

    def _narrate(self, doc: dict[str, Any]) -> dict[str, Any]:
        if not self._settings.llm_api_key:
            raise Fallback("missing_api_key")
        sheet = build_fact_sheet(doc)
        goal = doc.get("goal")
        reply = self._call(build_messages(sheet, goal.get("text") if isinstance(goal, dict) else None))
        try:
            answer = parse_answer(reply.content)
        except InvalidAnswer as exc:
            log.warning("%s", exc)
            raise Fallback("invalid_output") from exc
        report = check_grounding(answer, sheet)
        if report.dropped:
            log.info("Grounding dropped %d of %d LLM sentences.", len(report.dropped), report.total)
        if not report.mostly_grounded():
            raise Fallback("ungrounded", {"grounding": report.as_dict()})
        return self._narrative(reply, report, doc["narrative"], sheet)

    def _call(self, messages: list[dict[str, str]]) -> ChatReply:
        """One guarded, retried call: the breaker decides first and hears the outcome after."""
        breaker = self._breaker or CircuitBreaker(self._redis, self._settings)
        permit = breaker.acquire()
        if permit is None:
            raise Fallback("circuit_open")
        client = self._client or ChatClient(self._settings)
        decided = False
        try:
            reply = self._retried(client, messages, permit)
            breaker.record_success(permit)
            decided = True
            return reply
        except LLMError as exc:
            log.warning("LLM call failed: %s", exc.message)
            breaker.record_failure(permit)
            decided = True
            raise Fallback(f"llm_error:{exc.kind}") from exc
        finally:
            if client is not self._client:
                client.close()
            if not decided:
                self._release(breaker, permit)

    @staticmethod
    def _release(breaker: CircuitBreaker, permit: Permit) -> None:
        """Give back a probe permit without masking what interrupted the call."""
        try:
            breaker.release(permit)
        except Exception as exc:
            log.error("Could not release the circuit probe permit: %s", type(exc).__name__)

    def _retried(self, client: ChatClient, messages: list[dict[str, str]], permit: Permit) -> ChatReply:
        settings = self._settings
        return retry_call(
            lambda: _counted(client.complete, messages),
            what=f"LLM call ({settings.llm_model})",
            attempts=1 if permit.probe else settings.llm_retry_attempts,
            policy=BackoffPolicy.from_settings(settings),
            retryable=_is_retryable,
            retry_after=_retry_after,
            retry_after_max_s=settings.llm_retry_after_max_s,
            sleep=self._sleep,
        )

    @staticmethod
    def _narrative(
        reply: ChatReply, report: GroundingReport, template: dict[str, Any], sheet: FactSheet
    ) -> dict[str, Any]:
        """The LLM narrative in the template's shape; computed headline and caveats carry over,
        and so does the computed answer to the goal unless the model's own passed the check."""
        summary = [s for s in report.kept if s.section == "summary"]
        per_insight = [s for s in report.kept if s.section == "insight"]
        carried: dict[str, Any] = {k: template[k] for k in ("headline", "caveats", "answer") if k in template}
        said = next((s for s in report.kept if s.section == "answer"), None)
        if said is not None and isinstance(template.get("answer"), dict):
            carried["answer"] = llm_answer(said, template["answer"], sheet)
        return {
            "source": "llm",
            "model": reply.model,
            **carried,
            "summary": [s.text for s in summary],
            "summaryCitations": [list(s.facts) for s in summary],
            "insightTexts": [
                {"insightId": s.insight_id, "text": s.text, "facts": list(s.facts)} for s in per_insight
            ],
            "grounding": report.as_dict(),
        }


def llm_answer(said: CheckedSentence, computed: dict[str, Any], sheet: FactSheet) -> dict[str, Any]:
    """The model's grounded answer to the goal, with the computed answer's flags."""
    insights = set(sheet.insight_ids())
    return {
        "text": said.text,
        "insightIds": [f for f in said.facts if f in insights],
        "negative": bool(computed.get("negative")),
        "matched": bool(computed.get("matched")),
        "facts": list(said.facts),
    }


def attach_narrative(doc: dict[str, Any], *, settings: Settings, redis: redis_lib.Redis | None) -> None:
    """The job pipeline's entry: an LLM narrative on `doc`, or the marked template fallback."""
    NarrativeService(settings=settings, redis=redis).attach(doc)


def _counted(call: Callable[[list[dict[str, str]]], ChatReply], messages: list[dict[str, str]]) -> ChatReply:
    """One LLM call, counted for /metrics by outcome."""
    try:
        reply = call(messages)
    except Exception:
        metrics.incr("llm_calls_total", outcome="error")
        raise
    metrics.incr("llm_calls_total", outcome="ok")
    return reply
