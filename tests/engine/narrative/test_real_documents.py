"""The narrative over documents made by the real insight engine (engine.analyze)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.config import Settings
from engine.narrative import attach_narrative
from engine.narrative.facts import build_fact_sheet
from engine.narrative.grounding import check_grounding
from engine.narrative.parsing import NarrativeAnswer
from tests.fakes.llm_server import FakeLLMServer

ROOT = Path(__file__).resolve().parents[3]


def sales_file(path: Path) -> Path:
    """A year of daily sales with a trend, a leading region and a weekly pattern."""
    rng = random.Random(7)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["date", "region", "product", "units", "price", "revenue"])
        for day in range(300):
            date = dt.date(2024, 1, 1) + dt.timedelta(days=day)
            for region in ("North", "South", "East", "West"):
                base = 10 + day * 0.05 + (15 if region == "North" else 0) + (5 if date.weekday() < 5 else 0)
                units = max(1, round(rng.gauss(base, 2)))
                out.writerow([date.isoformat(), region, "Widget", units, 9.99, round(units * 9.99, 2)])
    return path


@pytest.fixture(scope="module")
def real_docs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    from engine.analysis import analyze

    settings = Settings(_env_file=None)
    generated = sales_file(tmp_path_factory.mktemp("nar") / "sales.csv")
    return [analyze(p, settings=settings) for p in (ROOT / "dev-samples/sales_demo.csv", generated)]


def test_every_insight_text_grounds_itself(real_docs: list[dict[str, Any]]) -> None:
    """The number formats of the insight engine (2.20M, 2.0×, p<0.001, +110%) pass the check."""
    for doc in real_docs:
        sentences = [{"id": i["id"], "text": i["text"], "facts": []} for i in doc["insights"]]
        answer = NarrativeAnswer.model_validate(
            {"summary": [{"text": "x", "facts": ["dataset"]}], "insights": sentences}
        )
        report = check_grounding(answer, build_fact_sheet(doc))
        assert report.dropped == []


def test_llm_narrative_on_real_documents(
    fake_llm: FakeLLMServer, make_settings: Callable[..., Settings], real_docs: list[dict[str, Any]]
) -> None:
    for doc in real_docs:
        work = {**doc, "narrative": dict(doc["narrative"]), "issues": list(doc["issues"])}
        attach_narrative(work, settings=make_settings(), redis=None)
        narrative = work["narrative"]
        assert narrative["source"] == "llm", narrative
        assert narrative["grounding"]["dropped"] == 0
        assert narrative["headline"] == doc["narrative"]["headline"]
        assert len(narrative["insightTexts"]) == len(doc["insights"])


def test_fallback_on_a_real_document_keeps_the_template(
    make_settings: Callable[..., Settings], real_docs: list[dict[str, Any]]
) -> None:
    doc = real_docs[0]
    work = {**doc, "narrative": dict(doc["narrative"]), "issues": list(doc["issues"])}
    attach_narrative(work, settings=make_settings(llm_api_key=None), redis=None)
    assert work["narrative"] == {**doc["narrative"], "source": "fallback", "reason": "missing_api_key"}
    assert work["issues"][:-1] == doc["issues"]
    assert work["issues"][-1]["code"] == "llm_failure_fallback"
