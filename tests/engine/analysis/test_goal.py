"""Goal matching on operational tables: the analyst's own questions put their answer first.

The questions are the ones analysts ask of such exports; each test names the finding
(type, measure, column, entity) that should answer it, not its wording.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.analysis import analyze
from tests.engine.analysis.corpus.generators import REPEAT_USER, expense_claims, tickets


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("goal") / "incidents.csv"
    tickets(n=2000).write_csv(path)
    return path


@pytest.fixture(scope="module")
def claims(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("goal") / "expense_claims.csv"
    expense_claims().write_csv(path)
    return path


def _top(doc: dict[str, Any]) -> dict[str, Any]:
    top: dict[str, Any] = doc["insights"][0]
    assert top["goalMatch"] is True, (doc["goal"], top["title"])
    return top


def test_rising_resolution_time_is_answered_by_the_duration_over_time(incidents: Path) -> None:
    doc = analyze(incidents, goal="why is time to resolution rising?")
    top = _top(doc)
    assert doc["goal"]["measures"][0] == "opened_at→closed_at"
    assert top["evidence"]["measure"] == "opened_at→closed_at"
    assert top["type"] in ("segment_trend", "entity_trend", "trend", "change_point")


def test_an_overloaded_agent_is_answered_by_the_count_per_agent(incidents: Path) -> None:
    doc = analyze(incidents, goal="is one agent overloaded?")
    top = _top(doc)
    assert top["type"] in ("count_distribution", "concentration", "top_contributor")
    assert top["evidence"]["dimension"] == "assigned_to" and top["evidence"]["measureKind"] == "count"


def test_repeated_claims_are_answered_by_the_repeats(claims: Path) -> None:
    doc = analyze(claims, goal="where do repeated expense claims come from?")
    top = _top(doc)
    assert top["type"] == "repeats" and top["evidence"]["entity"] == REPEAT_USER


def test_rows_are_named_by_any_common_noun(incidents: Path) -> None:
    """The file calls its rows incidents; a goal saying tickets still asks about the row count."""
    doc = analyze(incidents, goal="how many tickets per month?")
    assert doc["goal"]["matched"] is True
    count = next(m["name"] for m in doc["semantics"]["measures"] if m["kind"] == "count")
    assert doc["goal"]["measures"] == [count]
    assert "time" in doc["goal"]["intents"] and "segments" not in doc["goal"]["intents"]
    top = _top(doc)
    assert top["evidence"]["measureKind"] == "count"
    assert top["type"] in ("trend", "change_point", "period_change", "seasonality", "anomaly")


def test_asking_for_a_summary_does_not_mean_the_text_column(claims: Path) -> None:
    doc = analyze(claims, goal="give me a summary of spending")
    assert "description" not in doc["goal"]["columns"]
    assert doc["goal"]["measures"][0] == "amount"
