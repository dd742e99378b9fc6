"""The real-data corpus (issue 9 §3): what an analyst expects on each table, and what misleads.

One analysis per case (cached for the session); four tests read it:
- test_expected_findings: every finding the case names is there;
- test_pattern_yields_a_finding: a table with a pattern gets at least one non-quality finding;
- test_nothing_misleading: the generic checks and the case's forbidden findings;
- test_semantics: result.semantics says what the case declares about the table.
test_data_facts checks, without the engine, the facts of the data each expectation rests on.
Run alone with `python -m pytest -m corpus tests/engine/analysis/corpus`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from engine.analysis import analyze
from tests.engine.analysis.corpus import generated_cases, public_cases
from tests.engine.analysis.corpus.matchers import (
    Case,
    Outcome,
    Result,
    expected_problems,
    misleading_problems,
    non_quality,
    report,
    semantics_problems,
)

pytestmark = pytest.mark.corpus

CASES: list[Case] = public_cases.CASES + generated_cases.CASES
WITH_PATTERN = [c for c in CASES if c.expect]


def write_table(df: pl.DataFrame, path: Path) -> Path:
    """The table as the file the case names (its suffix picks the format)."""
    if path.suffix == ".csv":
        df.write_csv(path)
    elif path.suffix == ".tsv":
        df.write_csv(path, separator="\t")
    elif path.suffix == ".json":
        df.write_json(path)
    elif path.suffix == ".xlsx":
        df.to_pandas().to_excel(path, index=False, sheet_name="Sheet1")
    else:
        raise ValueError(f"no writer for {path.suffix}")
    return path


@pytest.fixture(scope="session")
def loaded() -> Callable[[Case], pl.DataFrame]:
    frames: dict[str, pl.DataFrame] = {}

    def load(case: Case) -> pl.DataFrame:
        if case.name not in frames:
            frames[case.name] = case.load()
        return frames[case.name]

    return load


@pytest.fixture(scope="session")
def outcome(
    loaded: Callable[[Case], pl.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Case], Outcome]:
    done: dict[str, Outcome] = {}

    def run(case: Case) -> Outcome:
        if case.name not in done:
            path = write_table(loaded(case), tmp_path_factory.mktemp(case.name) / case.file)
            start = time.perf_counter()
            try:
                done[case.name] = Outcome(result=analyze(path))
            except Exception as exc:
                done[case.name] = Outcome(error=exc)
            done[case.name].seconds = time.perf_counter() - start
        return done[case.name]

    return run


def result_of(case: Case, outcome: Callable[[Case], Outcome]) -> Result:
    out = outcome(case)
    if out.error is not None:
        pytest.fail(f"{case.name}: analyze raised {type(out.error).__name__}: {out.error}")
    assert out.result is not None
    return out.result


def fail_on(problems: list[str], case: Case, result: Result) -> None:
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        pytest.fail(f"{case.name} ({case.source}): {len(problems)} problem(s)\n{listed}\n{report(result)}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_expected_findings(case: Case, outcome: Callable[[Case], Outcome]) -> None:
    result = result_of(case, outcome)
    fail_on(expected_problems(result, case), case, result)


@pytest.mark.parametrize("case", WITH_PATTERN, ids=lambda c: c.name)
def test_pattern_yields_a_finding(case: Case, outcome: Callable[[Case], Outcome]) -> None:
    result = result_of(case, outcome)
    assert non_quality(result), f"{case.name}: only data-quality findings\n{report(result)}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_nothing_misleading(case: Case, outcome: Callable[[Case], Outcome]) -> None:
    result = result_of(case, outcome)
    fail_on(misleading_problems(result, case), case, result)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_semantics(case: Case, outcome: Callable[[Case], Outcome]) -> None:
    result = result_of(case, outcome)
    fail_on(semantics_problems(result, case), case, result)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_data_facts(case: Case, loaded: Callable[[Case], pl.DataFrame]) -> None:
    """The corpus's premises: the facts each expectation quotes hold in the data itself."""
    df = loaded(case)
    wrong = [f.text for f in case.facts if not f.fn(df)]
    assert not wrong, f"{case.name}: facts that do not hold: {wrong}"


def test_corpus_covers_issue_9() -> None:
    """At least 25 public cases, and every kind of table and finding of issue 9 §1–2 is exercised."""
    public = public_cases.CASES
    assert len(public) >= 25
    assert len({c.name for c in CASES}) == len(CASES)
    assert all(c.facts for c in CASES), [c.name for c in CASES if not c.facts]
    expected_types = {
        t for c in CASES for f in c.expect for t in ((f.type,) if isinstance(f.type, str) else f.type)
    }
    assert expected_types >= {
        "count_distribution",
        "drill_down",
        "text_terms",
        "top_contributor",
        "concentration",
        "category_outlier",
        "segment_comparison",
        "bracket",
        "trend",
        "segment_trend",
        "entity_trend",
        "change_point",
        "seasonality",
        "correlation",
        "repeats",
        "data_quality",
    }
    sources = {s for c in CASES for s in c.time_source}
    assert sources >= {"year_integer", "year_month_text", "year_quarter", "first_of_year", "first_of_month"}
    kinds = {k for c in CASES for k in c.table_kind}
    assert kinds >= {"events", "panel", "series", "cross_section"}
    assert any(c.durations for c in public) and any(c.coordinates for c in public)
    assert any(c.panel and c.panel.wide for c in public) and any(c.panel and c.panel.entity for c in public)
    assert (
        any(c.relations for c in public)
        and any(c.trending for c in public)
        and any(c.circular for c in public)
    )
    assert any(c.levels for c in public) and any(c.flows for c in public) and any(c.text for c in public)
    assert any(
        c.count_measure and not c.flows and not c.levels for c in CASES
    )  # events with no measure column
