"""The template narrative answers the goal first, and phrases every finding kind by its template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.analysis import analyze
from engine.analysis.narrative import NOTHING_MATCHED, readable_duration, sentence
from tests.engine.analysis.corpus.generators import expense_claims, tickets


@pytest.fixture(scope="module")
def ticket_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("narrative_goal") / "tickets.csv"
    tickets(n=1500).write_csv(path)
    return path


def _answer(doc: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = doc["narrative"]["answer"]
    assert doc["narrative"]["summary"][0].startswith(answer["text"])  # the answer opens the summary
    assert doc["narrative"]["paragraphs"][0].startswith("Answer to your goal:")
    return answer


def test_a_positive_answer_cites_its_findings(ticket_csv: Path) -> None:
    doc = analyze(ticket_csv, goal="resolution time by agent")
    answer = _answer(doc)
    assert answer["matched"] and not answer["negative"]
    assert answer["insightIds"][0] == doc["goal"]["answer"]["insightIds"][0] == "ins_1"
    assert "Fred Luddy" in answer["text"] and " h" in answer["text"]
    assert doc["narrative"]["summary"][0].endswith("]") and "[ins_1" in doc["narrative"]["summary"][0]


def test_a_negative_answer_is_said_as_such(ticket_csv: Path) -> None:
    doc = analyze(ticket_csv, goal="incident volume by category over time")
    answer = _answer(doc)
    top = doc["insights"][0]
    if top["evidence"].get("negative"):
        assert answer["negative"] and answer["text"].startswith(top["text"])
    else:
        assert not answer["negative"]


def test_a_goal_that_names_nothing(ticket_csv: Path) -> None:
    doc = analyze(ticket_csv, goal="weather on mars")
    answer = _answer(doc)
    assert answer == {"text": NOTHING_MATCHED, "insightIds": [], "negative": False, "matched": False}


def test_without_a_goal_there_is_no_answer(ticket_csv: Path) -> None:
    doc = analyze(ticket_csv)
    assert doc["narrative"]["answer"] is None and doc["goal"] is None


def test_every_new_kind_has_its_template(ticket_csv: Path, tmp_path: Path) -> None:
    claims = tmp_path / "claims.csv"
    expense_claims().write_csv(claims)
    docs = [analyze(ticket_csv), analyze(ticket_csv, goal="resolution time by agent"), analyze(claims)]
    seen = set()
    for doc in docs:
        measures = {
            m["name"]: {**m, "noun": doc["semantics"]["rowMeaning"]} for m in doc["semantics"]["measures"]
        }
        texts = {t["insightId"]: t["text"] for t in doc["narrative"]["insightTexts"]}
        for ins in doc["insights"]:
            if ins["type"] in {"category_outlier", "segment_trend", "count_distribution", "drill_down"} | {
                "text_terms",
                "repeats",
                "bracket",
            } and not ins["evidence"].get("negative"):
                assert texts[ins["id"]] != ins["text"], (ins["type"], ins["text"])  # the template's own
                assert "(hours)" not in texts[ins["id"]] and "(days)" not in texts[ins["id"]]
                seen.add(ins["type"])
                assert sentence(ins, measures)
    assert {"count_distribution", "drill_down", "text_terms", "repeats", "bracket"} <= seen


def test_readable_durations() -> None:
    assert [readable_duration(x) for x in (0.01, 0.75, 3.5, 33.39, 400)] == [
        "36 s",
        "45 min",
        "3 h 30 min",
        "1 d 9 h",
        "16.7 days",
    ]
    assert readable_duration(6.65, "days") == "6 d 16 h"
