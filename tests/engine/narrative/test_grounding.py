"""The grounding check: sentences keep only numbers found in the facts they cite."""

from __future__ import annotations

from typing import Any

from engine.narrative.facts import build_fact_sheet
from engine.narrative.grounding import check_grounding
from engine.narrative.parsing import NarrativeAnswer


def check(doc: dict[str, Any], summary: list[dict[str, Any]], insights: list[dict[str, Any]] | None = None):  # type: ignore[no-untyped-def]
    answer = NarrativeAnswer.model_validate({"summary": summary, "insights": insights or []})
    return check_grounding(answer, build_fact_sheet(doc))


def test_numbers_must_come_from_the_cited_fact(doc: dict[str, Any]) -> None:
    report = check(
        doc,
        [
            {"text": "North made 42.7% of revenue, about 487.", "facts": ["ins_1"]},
            {"text": "North made 42.7% of revenue.", "facts": ["ins_2"]},  # right number, wrong fact
            {"text": "Revenue totals 1.1k.", "facts": ["kpi:revenue_total"]},
        ],
    )
    assert [s.text for s in report.kept] == [
        "North made 42.7% of revenue, about 487.",
        "Revenue totals 1.1k.",
    ]
    assert report.dropped == [
        {
            "section": "summary",
            "text": "North made 42.7% of revenue.",
            "reason": "number_not_in_cited_facts:42.7%",
        }
    ]
    assert report.as_dict()["sentences"] == 3


def test_sentences_must_cite_a_known_fact(doc: dict[str, Any]) -> None:
    report = check(
        doc, [{"text": "Things look fine.", "facts": ["nope"]}, {"text": "Still fine.", "facts": []}]
    )
    assert not report.kept and {d["reason"] for d in report.dropped} == {"no_known_fact_cited"}
    assert not report.mostly_grounded()


def test_an_insight_sentence_cites_its_insight_implicitly(doc: dict[str, Any]) -> None:
    report = check(
        doc,
        [{"text": "A summary.", "facts": ["dataset"]}],
        [
            {"id": "ins_3", "text": "2 of 56 cells are empty.", "facts": []},
            {"id": "ins_3", "text": "Repeated.", "facts": []},
            {"id": "ins_99", "text": "Unknown insight.", "facts": ["ins_1"]},
        ],
    )
    assert [s.insight_id for s in report.kept] == [None, "ins_3"]
    assert report.dropped[0]["reason"] == "unknown_insight"


def test_half_grounded_is_enough_but_a_summary_bullet_must_survive(doc: dict[str, Any]) -> None:
    half = check(doc, [{"text": "7 rows.", "facts": ["dataset"]}, {"text": "99 rows.", "facts": ["dataset"]}])
    assert half.mostly_grounded()
    no_summary = check(
        doc,
        [{"text": "99 rows.", "facts": ["dataset"]}],
        [{"id": "ins_1", "text": "North leads.", "facts": []}],
    )
    assert not no_summary.mostly_grounded()
