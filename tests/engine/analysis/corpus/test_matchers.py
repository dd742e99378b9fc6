"""The matchers themselves, on hand-written results: a contract-shaped result that an analyst would
accept passes every check of its case, and each misleading finding added to it is caught."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from tests.engine.analysis.corpus.generated_cases import CASES as GENERATED
from tests.engine.analysis.corpus.matchers import (
    Case,
    Find,
    Panel,
    Relation,
    agg_of,
    expect_finding,
    expect_no_finding,
    expected_problems,
    grain_of,
    misleading_problems,
    near,
    parse_date,
    semantics_problems,
    used_measures,
)
from tests.engine.analysis.corpus.public_cases import CASES as PUBLIC

pytestmark = pytest.mark.corpus

TICKETS = next(c for c in GENERATED if c.name == "it_tickets")
DURATION = "opened_at→closed_at"


def ins(n: int, type_: str, **evidence: Any) -> dict[str, Any]:
    base = dict.fromkeys(
        ("measure", "measureKind", "agg", "dimension", "entity", "direction", "grain", "aggregation")
    )
    base |= {"columns": [], "filters": [], "aggregates": {}}
    return {
        "id": f"ins_{n}",
        "type": type_,
        "title": f"{type_} {n}",
        "chartId": None,
        "evidence": base | evidence,
    }


def good_tickets() -> dict[str, Any]:
    """What an engine honouring docs/analysis.md would write for the tickets case."""
    measures = [
        {"name": "incidents", "kind": "count", "agg": "count", "columns": [], "derived": True},
        {
            "name": DURATION,
            "kind": "duration",
            "agg": "mean",
            "columns": ["opened_at", "closed_at"],
            "derived": True,
            "unit": "hours",
        },
    ]
    count = {"measure": "incidents", "measureKind": "count", "agg": "count"}
    dur = {
        "measure": DURATION,
        "measureKind": "duration",
        "agg": "mean",
        "columns": ["opened_at", "closed_at"],
    }
    insights = [
        ins(
            1,
            "count_distribution",
            **count,
            dimension="category",
            entity="Hardware",
            direction="up",
            columns=["category"],
        ),
        ins(
            2,
            "drill_down",
            **count,
            dimension="category",
            entity="Hardware",
            columns=["category", "location"],
            drillDown={"dimension": "location", "value": "Australia", "share": 0.74, "shareElsewhere": 0.15},
        ),
        ins(
            3,
            "segment_trend",
            **dur | {"columns": ["opened_at", "closed_at", "assigned_to"]},
            dimension="assigned_to",
            entity="Fred Luddy",
            direction="up",
            grain="month",
        ),
        ins(
            4,
            "correlation",
            columns=["opened_at", "closed_at"],
            direction="up",
            basis="periods",
            grain="week",
        ),
        ins(
            5,
            "segment_comparison",
            **dur | {"columns": ["opened_at", "closed_at", "priority"]},
            dimension="priority",
        ),
        ins(
            6,
            "text_terms",
            columns=["short_description", "category"],
            entity="Hardware",
            dimension="category",
            terms=[{"term": "printer"}, {"term": "Printer546"}],
        ),
        ins(
            9,
            "count_distribution",
            **count,
            dimension="assigned_to",
            entity="Beth Anglin",
            direction="up",
            columns=["assigned_to"],
        ),
        ins(7, "text_terms", columns=["short_description"], terms=[{"term": "printer546", "count": 400}]),
        ins(8, "data_quality", columns=["opened_at", "closed_at"], aggregates={"code": "negative_duration"}),
    ]
    insights[2]["chartId"] = "c3"
    return {
        "semantics": {
            "tableKind": "events",
            "rowMeaning": "incidents",
            "time": {"column": "opened_at", "grain": "day", "source": "datetime"},
            "measures": measures,
            "dimensions": ["category", "priority", "location", "state"],
            "entities": [{"column": "assigned_to", "person": True}, {"column": "caller", "person": True}],
            "panel": None,
            "geography": None,
            "text": ["short_description"],
            "codes": ["number"],
            "relations": [],
            "circular": [],
        },
        "insights": insights,
        "charts": [{"id": "c3", "figure": {"data": [{"name": "trend", "y": [10.5, 42.0]}]}}],
        "kpis": [{"id": "rows", "value": 3000}, {"id": "mean_duration", "column": None, "value": 17.2}],
    }


def test_a_good_result_passes_every_check() -> None:
    result = good_tickets()
    assert expected_problems(result, TICKETS) == []
    assert misleading_problems(result, TICKETS) == []
    assert semantics_problems(result, TICKETS) == []


@pytest.mark.parametrize(
    ("change", "expected_hit"),
    [
        (lambda r: r["insights"][0]["evidence"].update(direction="down"), "Hardware holds"),
        (lambda r: r["insights"][1]["evidence"]["drillDown"].update(value="India"), "74% in Australia"),
        (lambda r: r["insights"][2]["evidence"].update(measureKind="count"), "Fred Luddy"),
        (
            lambda r: [
                i["evidence"].update(terms=[{"term": "printer"}])
                for i in r["insights"]
                if i["type"] == "text_terms"
            ],
            "Printer546 recurs",
        ),
        (
            lambda r: r.update(insights=[i for i in r["insights"] if i["type"] == "data_quality"]),
            "only data-quality",
        ),
    ],
)
def test_a_missing_or_wrong_finding_is_reported(change: Any, expected_hit: str) -> None:
    result = good_tickets()
    change(result)
    problems = expected_problems(result, TICKETS)
    assert any(expected_hit in p for p in problems), problems


def _misleading(case: Case, result: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    result = copy.deepcopy(result)
    result["insights"].append(extra)
    return misleading_problems(result, case)


def test_a_forbidden_finding_is_reported() -> None:
    other = ins(
        9,
        "segment_trend",
        measure=DURATION,
        measureKind="duration",
        dimension="assigned_to",
        entity="Beth Anglin",
        direction="up",
    )
    assert any("agents' resolution times are flat" in p for p in _misleading(TICKETS, good_tickets(), other))


def test_codes_and_time_columns_are_never_measures() -> None:
    result = good_tickets()
    result["kpis"].append({"id": "total_number", "label": "Total number", "column": "number", "value": 1})
    wrong = ins(9, "trend", measure="number", measureKind="flow", agg="sum")
    problems = _misleading(TICKETS, result, wrong)
    assert any("ins_9" in p and "as a measure" in p for p in problems)
    assert any("total_number" in p for p in problems)


def test_todays_aggregation_lines_are_read_when_fields_are_absent() -> None:
    old = {
        "type": "trend",
        "id": "ins_1",
        "title": "Month is rising",
        "evidence": {"columns": ["time_hour", "month"], "aggregation": "sum of month per day"},
    }
    assert used_measures(old, {}) == {"month"} and agg_of(old) == "sum" and grain_of(old) == "day"


LEVELS = Case(
    name="synthetic_panel",
    source="test",
    covers="test",
    load=lambda: None,  # type: ignore[arg-type,return-value]
    file="x.csv",
    time=("date",),
    grain=("month",),
    levels=("price",),
    panel=Panel(entity="symbol"),
    relations=(Relation(("sum_of",), "total", ("part_a", "part_b")),),
    trending=("price", "index"),
    circular=(("status", "pct"),),
    durations=(("start", "end"),),
)


@pytest.mark.parametrize(
    ("finding", "hit"),
    [
        (ins(1, "top_contributor", measure="price", agg="sum", dimension="symbol"), "sums ['price']"),
        (ins(1, "trend", measure="price", agg="mean", grain="day"), "per day"),
        (ins(1, "trend", measure="price", agg="mean", grain="month"), "pools ['price']"),
        (ins(1, "correlation", columns=["total", "part_a"], basis="rows"), "its own part"),
        (ins(1, "correlation", columns=["price", "index"], basis="periods"), "levels of trending"),
        (
            ins(1, "category_outlier", measure="pct", agg="mean", dimension="status", entity="Completed"),
            "circular",
        ),
    ],
)
def test_each_generic_check_catches_its_mistake(finding: dict[str, Any], hit: str) -> None:
    problems = _misleading(LEVELS, {"insights": [], "charts": [], "kpis": []}, finding)
    assert any(hit in p for p in problems), problems


@pytest.mark.parametrize(
    "finding",
    [
        ins(1, "entity_trend", measure="price", agg="last", dimension="symbol", entity="AAPL", grain="month"),
        ins(
            1,
            "trend",
            measure="price",
            agg="mean",
            grain="month",
            entity="AAPL",
            filters=[{"column": "symbol", "equals": "AAPL"}],
        ),
        ins(1, "correlation", columns=["price", "index"], basis="changes"),
        ins(1, "category_outlier", measure="pct", agg="mean", dimension="department", entity="Marketing"),
    ],
)
def test_what_an_analyst_accepts_passes(finding: dict[str, Any]) -> None:
    assert _misleading(LEVELS, {"insights": [], "charts": [], "kpis": []}, finding) == []


def test_a_duration_line_below_zero_is_caught() -> None:
    finding = ins(
        1, "trend", measure="d", measureKind="duration", agg="mean", grain="month", columns=["start", "end"]
    )
    finding["chartId"] = "c1"
    result = {
        "insights": [finding],
        "charts": [{"id": "c1", "figure": {"data": [{"name": "trend", "y": [5.0, -1.2]}]}}],
    }
    assert any("below zero" in p for p in misleading_problems(result, LEVELS))


def test_semantics_are_required_and_compared() -> None:
    assert semantics_problems({"insights": []}, TICKETS) == [
        "result has no `semantics` block (docs/analysis.md §1)"
    ]
    result = good_tickets()
    result["semantics"]["time"]["grain"] = "month"
    result["semantics"]["codes"] = []
    problems = semantics_problems(result, TICKETS)
    assert any("time.grain" in p for p in problems) and any(
        "codes should include ['number']" in p for p in problems
    )


def test_expect_helpers_print_what_was_found() -> None:
    result = good_tickets()
    assert expect_finding(result, type="drill_down", entity="Hardware")["id"] == "ins_2"
    with pytest.raises(AssertionError, match="what the engine found"):
        expect_finding(result, type="repeats")
    with pytest.raises(AssertionError, match="ins_1 count_distribution"):
        expect_no_finding(result, Find("count_distribution", entity="hardware"))
    assert expect_finding(result, Find("segment_trend", top=3))
    with pytest.raises(AssertionError):
        expect_finding(result, Find("segment_trend", top=2))


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("1983-02-01", "1983-02-01"),
        ("1983-02-01T00:00:00", "1983-02-01"),
        ("1983-07", "1983-07-01"),
        ("1983", "1983-01-01"),
        ("1983Q3", "1983-07-01"),
        ("1983-Q4", "1983-10-01"),
    ],
)
def test_parse_date(text: str, date: str) -> None:
    assert parse_date(text) == dt.date.fromisoformat(date)


def test_near_reads_the_finding_date() -> None:
    f = ins(1, "change_point", aggregates={"changeDate": "1983-02-01"})
    assert near("1983-01-01", 40)(f) and not near("1990-01-01", 40)(f)


def test_every_case_names_files_the_engine_reads() -> None:
    assert {c.file.rsplit(".", 1)[1] for c in PUBLIC + GENERATED} <= {"csv", "tsv", "json", "xlsx"}
