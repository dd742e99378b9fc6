"""attach_narrative end to end against the fake OpenAI-compatible server."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from rq.timeouts import JobTimeoutException

from engine.config import Settings
from engine.errors import JobCancelled
from engine.narrative import NarrativeService, attach_narrative
from tests.engine.narrative.conftest import API_KEY
from tests.fakes.llm_server import FakeLLMServer

SettingsFactory = Callable[..., Settings]


def run(doc: dict[str, Any], settings: Settings, sleeps: list[float] | None = None) -> dict[str, Any]:
    recorder = sleeps if sleeps is not None else []
    NarrativeService(settings=settings, redis=None, sleep=recorder.append).attach(doc)
    return doc


def fallback_issue(doc: dict[str, Any]) -> dict[str, Any]:
    [issue] = [i for i in doc["issues"] if i["code"] == "llm_failure_fallback"]
    return issue


def assert_fallback(doc: dict[str, Any], reason: str) -> None:
    narrative = doc["narrative"]
    assert narrative["source"] == "fallback"
    assert narrative["reason"] == reason
    assert narrative["summary"] == ["North leads revenue with 42.7% of the total."]  # template kept
    issue = fallback_issue(doc)
    assert issue["reason"] == reason
    assert issue["message"].endswith("written from the insights by templates.")
    assert doc["issues"][0]["code"] == "missing_values"  # earlier issues kept


def test_good_answer_becomes_the_narrative(
    fake_llm: FakeLLMServer,
    make_settings: SettingsFactory,
    doc: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    attach_narrative(doc, settings=make_settings(), redis=None)
    narrative = doc["narrative"]
    assert narrative["source"] == "llm"
    assert narrative["model"] == "fake/model"
    assert narrative["summary"][0] == "The table has 7 rows and 8 columns."
    assert len(narrative["summary"]) == len(narrative["summaryCitations"]) == 4
    assert [t["insightId"] for t in narrative["insightTexts"]] == ["ins_1", "ins_2", "ins_3"]
    assert narrative["insightTexts"][0]["facts"] == ["ins_1"]
    assert narrative["grounding"] == {"sentences": 7, "kept": 7, "dropped": 0, "droppedSentences": []}
    assert not [i for i in doc["issues"] if i["code"] == "llm_failure_fallback"]
    assert "LLM call (deepseek/deepseek-r1): Attempt 1/2" in caplog.messages
    assert fake_llm.count == 1


def test_request_is_plain_openai_for_a_non_openrouter_server(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    run(doc, make_settings())
    [request] = fake_llm.requests
    body, headers = request["body"], request["headers"]
    assert body["model"] == "deepseek/deepseek-r1"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "reasoning" not in body and "x-title" not in headers
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert "evidence" in body["messages"][1]["content"]  # facts, not rows
    assert "Globex" not in json.dumps(body)  # raw rows never sent


def test_think_block_fences_and_reasoning_fields_are_ignored(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    fake_llm.set_mode("think")
    run(doc, make_settings())
    assert doc["narrative"]["source"] == "llm"
    assert doc["narrative"]["grounding"]["dropped"] == 0
    assert "123456" not in json.dumps(doc["narrative"])


def test_500_then_success_is_retried(
    fake_llm: FakeLLMServer,
    make_settings: SettingsFactory,
    doc: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    fake_llm.script("fail500", "good")
    sleeps: list[float] = []
    run(doc, make_settings(retry_initial_delay_s=0.5), sleeps)
    assert doc["narrative"]["source"] == "llm"
    assert fake_llm.served == ["fail500", "good"]
    assert "LLM call (deepseek/deepseek-r1): Attempt 2/2" in caplog.messages
    assert len(sleeps) == 1 and 0.4 <= sleeps[0] <= 0.6  # the card's backoff, with jitter


def test_429_retry_after_is_honoured(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    fake_llm.set_mode("good", retryAfter=3)
    fake_llm.script("rate_limit", "good")
    sleeps: list[float] = []
    run(doc, make_settings(), sleeps)
    assert doc["narrative"]["source"] == "llm"
    assert sleeps == [3.0]


def test_429_retry_after_is_capped(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    fake_llm.set_mode("rate_limit", retryAfter=3600)
    sleeps: list[float] = []
    run(doc, make_settings(llm_retry_after_max_s=5), sleeps)
    assert_fallback(doc, "llm_error:http_429")
    assert sleeps == [5.0]
    assert fake_llm.count == 2


def test_hang_past_the_timeout_falls_back_promptly(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    fake_llm.set_mode("hang", hangS=30)
    started = time.monotonic()
    run(doc, make_settings(llm_timeout_s=0.5))
    elapsed = time.monotonic() - started
    assert_fallback(doc, "llm_error:timeout")
    assert fake_llm.count == 2
    assert elapsed < 3.0


@pytest.mark.parametrize(
    ("mode", "reason", "calls"),
    [
        ("junk", "invalid_output", 1),
        ("garbage", "llm_error:bad_response", 2),
        ("error200", "llm_error:provider_error", 2),
        ("empty", "llm_error:empty", 2),
        ("fail500", "llm_error:http_500", 2),
    ],
)
def test_bad_answers_fall_back(
    fake_llm: FakeLLMServer,
    make_settings: SettingsFactory,
    doc: dict[str, Any],
    mode: str,
    reason: str,
    calls: int,
) -> None:
    fake_llm.set_mode(mode)
    run(doc, make_settings())
    assert_fallback(doc, reason)
    assert fake_llm.count == calls


def test_invented_numbers_everywhere_fall_back_as_ungrounded(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    fake_llm.set_mode("invented")
    run(doc, make_settings())
    assert_fallback(doc, "ungrounded")
    grounding = doc["narrative"]["grounding"]
    assert grounding["kept"] == 0 and grounding["dropped"] == grounding["sentences"] == 7
    assert grounding["droppedSentences"][0]["reason"].startswith("number_not_in_cited_facts:")


def test_one_invented_sentence_is_dropped_and_counted(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    fake_llm.set_mode("invented_some")
    run(doc, make_settings())
    narrative = doc["narrative"]
    assert narrative["source"] == "llm"
    assert narrative["grounding"]["dropped"] == 1 and narrative["grounding"]["kept"] == 6
    assert "ins_1" not in [t["insightId"] for t in narrative["insightTexts"]]
    assert "987.6" not in json.dumps(narrative["summary"])


def test_401_is_not_retried_and_the_key_never_leaks(
    fake_llm: FakeLLMServer,
    make_settings: SettingsFactory,
    doc: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_llm.set_mode("unauthorized")
    run(doc, make_settings())
    assert_fallback(doc, "llm_error:http_401")
    assert fake_llm.count == 1
    assert API_KEY not in caplog.text
    assert API_KEY not in json.dumps(doc)


def test_invalid_key_card_scenario(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    """OPENROUTER_API_KEY=invalid_key: completed with the template narrative and the flag."""
    fake_llm.set_mode("good", requireKey="the-real-key")
    run(doc, make_settings(llm_api_key="invalid_key"))
    assert_fallback(doc, "llm_error:http_401")


def test_missing_key_makes_no_call(
    fake_llm: FakeLLMServer, make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    attach_narrative(doc, settings=make_settings(llm_api_key=None), redis=None)
    assert_fallback(doc, "missing_api_key")
    assert fake_llm.count == 0


def test_a_doc_without_template_narrative_still_gets_a_readable_fallback(
    make_settings: SettingsFactory, doc: dict[str, Any]
) -> None:
    del doc["narrative"]
    attach_narrative(doc, settings=make_settings(llm_api_key=None), redis=None)
    assert doc["narrative"]["source"] == "fallback"
    assert doc["narrative"]["summary"][0].startswith("North brought in $487.38")


class _Exploding:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def complete(self, messages: list[dict[str, str]]) -> Any:
        raise self.exc


def test_an_unexpected_error_never_fails_the_job(make_settings: SettingsFactory, doc: dict[str, Any]) -> None:
    service = NarrativeService(settings=make_settings(), redis=None, client=_Exploding(RuntimeError("bug")))  # type: ignore[arg-type]
    service.attach(doc)
    assert_fallback(doc, "llm_error:internal")


@pytest.mark.parametrize(
    "exc", [KeyboardInterrupt(), SystemExit(1), JobTimeoutException("rq limit"), JobCancelled("cancelled")]
)
def test_signals_pass_through(
    make_settings: SettingsFactory, doc: dict[str, Any], exc: BaseException
) -> None:
    service = NarrativeService(settings=make_settings(), redis=None, client=_Exploding(exc))  # type: ignore[arg-type]
    with pytest.raises(type(exc)):
        service.attach(doc)
