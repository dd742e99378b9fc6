"""The table's reading (result.semantics) on small tables built to show one rule each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from engine.analysis import analyze
from engine.analysis.fmt import category
from engine.analysis.semantics.events import row_meaning
from engine.analysis.semantics.vocabulary import words


def semantics(df: pl.DataFrame, tmp_path: Path, name: str = "table.csv") -> dict[str, Any]:
    path = tmp_path / name
    df.write_csv(path)
    return analyze(path)["semantics"]


def analyze_csv(df: pl.DataFrame, tmp_path: Path, name: str) -> dict[str, Any]:
    path = tmp_path / name
    df.write_csv(path)
    return analyze(path)


def kinds(sem: dict[str, Any]) -> dict[str, str]:
    return {m["name"]: m["kind"] for m in sem["measures"]}


def test_first_of_year_dates_are_yearly(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {"model_year": [dt.date(1970 + i % 12, 1, 1) for i in range(120)], "mpg": np.linspace(15, 30, 120)}
    )
    sem = semantics(df, tmp_path)
    assert sem["time"]["grain"] == "year" and sem["time"]["source"] == "first_of_year"


def test_integer_years_are_the_time_axis_not_a_measure(tmp_path: Path) -> None:
    df = pl.DataFrame({"year": list(range(1950, 2000)), "people": np.linspace(100, 200, 50)})
    sem = semantics(df, tmp_path)
    assert sem["time"]["column"] == "year" and sem["time"]["grain"] == "year"
    assert "year" not in kinds(sem)
    assert kinds(sem)["people"] == "level"


def test_codes_and_coordinates_are_not_measures(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    df = pl.DataFrame(
        {
            "store_id": rng.integers(1, 500, 300),
            "zip_code": rng.integers(10000, 99999, 300),
            "latitude": rng.uniform(30, 45, 300),
            "longitude": rng.uniform(-120, -70, 300),
            "wind_dir": rng.integers(0, 36, 300) * 10,
            "sales": rng.gamma(2, 100, 300),
        }
    )
    sem = semantics(df, tmp_path)
    assert (
        set(kinds(sem)) == {"sales", "tables"}
        or set(kinds(sem)) == {"sales", "rows", "tables"}
        or "sales" in kinds(sem)
    )
    assert not {"store_id", "zip_code", "latitude", "longitude", "wind_dir"} & set(kinds(sem))
    assert sem["geography"] == {"latitude": "latitude", "longitude": "longitude"}
    assert {"zip_code"} <= set(sem["codes"])


def test_durations_from_start_and_end_and_impossible_ones(tmp_path: Path) -> None:
    start = dt.datetime(2024, 1, 1)
    opened = [start + dt.timedelta(minutes=293 * i + 7) for i in range(200)]  # stamped to the minute
    closed = [o + dt.timedelta(hours=3 + i % 7) for i, o in enumerate(opened)]
    closed[5] = opened[5] - dt.timedelta(hours=2)  # closed before it was opened
    df = pl.DataFrame({"opened_at": opened, "closed_at": closed, "category": ["a", "b"] * 100})
    path = tmp_path / "tickets.csv"
    df.write_csv(path)
    result = analyze(path)
    sem = result["semantics"]
    duration = next(m for m in sem["measures"] if m["kind"] == "duration")
    assert duration["columns"] == ["opened_at", "closed_at"] and duration["unit"] == "hours"
    assert sem["rowMeaning"] == "tickets" and sem["tableKind"] == "events"
    assert sem["time"]["column"] == "opened_at"
    bad = [
        i
        for i in result["insights"]
        if i["type"] == "data_quality" and i["evidence"]["aggregates"].get("code") == "negative_duration"
    ]
    assert bad and "1 row" in bad[0]["text"]


def test_levels_are_never_summed_in_kpis(tmp_path: Path) -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(60)]
    df = pl.DataFrame(
        {
            "date": days,
            "temperature": np.sin(np.arange(60) / 9) * 5 + 15,
            "revenue": np.arange(60) * 10.0 + 100,
        }
    )
    path = tmp_path / "daily.csv"
    df.write_csv(path)
    result = analyze(path)
    assert kinds(result["semantics"])["temperature"] == "level"
    ids = {k["id"] for k in result["kpis"]}
    assert "total_revenue" in ids and "total_temperature" not in ids and "latest_temperature" in ids


def test_long_table_is_a_panel_read_per_entity(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=d) for d in range(100)]
    rows = []
    for symbol, drift in (("AAA", 1.0), ("BBB", 0.2), ("CCC", -0.3)):
        price = 100 + np.cumsum(rng.normal(drift, 1.0, len(days)))
        rows += [(symbol, d, float(p)) for d, p in zip(days, price, strict=True)]
    df = pl.DataFrame(rows, schema=["symbol", "date", "price"], orient="row")
    path = tmp_path / "stocks.csv"
    df.write_csv(path)
    result = analyze(path)
    sem = result["semantics"]
    assert sem["tableKind"] == "panel" and sem["panel"]["entity"] == "symbol"
    pooled = [
        i
        for i in result["insights"]
        if i["type"] in ("trend", "change_point", "anomaly")
        and i["evidence"]["measure"] == "price"
        and not i["evidence"]["filters"]
    ]
    assert pooled == []  # never one price series pooled across symbols
    assert any(i["type"] == "entity_trend" and i["evidence"]["entity"] == "AAA" for i in result["insights"])


def test_total_and_parts_are_related_not_correlated(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    a, b, c = rng.gamma(2, 10, 400), rng.gamma(2, 10, 400), rng.gamma(2, 10, 400)
    df = pl.DataFrame({"north": a, "south": b, "west": c, "total": a + b + c})
    path = tmp_path / "regions.csv"
    df.write_csv(path)
    result = analyze(path)
    rel = result["semantics"]["relations"]
    assert any(r["kind"] == "sum_of" and r["target"] == "total" for r in rel)
    pairs = [set(i["evidence"]["measures"]) for i in result["insights"] if i["type"] == "correlation"]
    assert not any("total" in p for p in pairs)


def test_parts_of_one_whole_across_units_of_any_size_are_not_correlated(tmp_path: Path) -> None:
    """Counties of every size: five groups add up to the population, beside other sub-counts of it.
    Any two of these counts rise with the county's size; their correlation says only that."""
    rng = np.random.default_rng(8)
    n = 400
    size = rng.lognormal(10, 1.2, n)
    shares = rng.dirichlet([20, 3, 1, 1, 1], n)
    names = ["white", "black", "native", "asian", "other"]
    groups = {g: np.round(size * shares[:, k]) for k, g in enumerate(names)}
    population = np.sum(list(groups.values()), axis=0)
    df = pl.DataFrame(
        {
            "county": [f"County {k}" for k in range(n)],
            "population": population,
            **{f"pop_{g}": v for g, v in groups.items()},
            "adults": np.round(population * rng.uniform(0.6, 0.8, n)),
            "area": rng.lognormal(6, 0.5, n),
        }
    )
    result = analyze_csv(df, tmp_path, "counties.csv")
    relations = result["semantics"]["relations"]
    assert any(
        r["kind"] == "sum_of" and r["target"] == "population" and len(r["parts"]) == 5 for r in relations
    )
    counts = {"population", "adults", *(f"pop_{g}" for g in groups)}
    pairs = [set(i["evidence"]["measures"]) for i in result["insights"] if i["type"] == "correlation"]
    assert not any(p <= counts for p in pairs), pairs


def test_a_column_computed_from_others_is_tied_to_them_not_correlated(tmp_path: Path) -> None:
    """log wage, experience² and experience = age − education − 6 are arithmetic, not findings."""
    rng = np.random.default_rng(6)
    n = 500
    education = rng.integers(8, 20, n).astype(float)
    age = education + 6 + rng.integers(0, 45, n)
    wage = np.exp(0.08 * education + rng.normal(1.0, 0.4, n))
    experience = age - education - 6
    df = pl.DataFrame(
        {
            "age": age,
            "education": education,
            "experience": experience,
            "wage": wage,
            "log_wage": np.log(wage),
            "experience_sq": experience**2,
            "sector": rng.choice(["public", "private"], n),
        }
    )
    path = tmp_path / "workers.csv"
    df.write_csv(path)
    result = analyze(path)
    relations = result["semantics"]["relations"]
    rel = {(r["kind"], r["target"]) for r in relations}
    assert {("transform_of", "log_wage"), ("transform_of", "experience_sq")} <= rel, rel
    linear = [{r["target"], *r["parts"]} for r in relations if r["kind"] == "linear_of"]
    assert {"age", "education", "experience"} in linear, relations  # any one of them from the other two
    assert kinds(result["semantics"])["experience_sq"] == "level"  # its long tail is no tally
    pairs = [set(i["evidence"]["measures"]) for i in result["insights"] if i["type"] == "correlation"]
    for tied in ({"wage", "log_wage"}, {"experience", "experience_sq"}, {"experience", "age"}):
        assert tied not in pairs, pairs
    assert not any(p & {"experience", "experience_sq"} == {"experience", "experience_sq"} for p in pairs)


def test_an_unnamed_total_is_averaged_not_summed(tmp_path: Path) -> None:
    """sleep_total is hours of sleep a day per animal; an order total is money that adds up."""
    rng = np.random.default_rng(7)
    n = 200
    sem = semantics(
        pl.DataFrame(
            {
                "sleep_total": rng.uniform(2, 20, n),
                "order_total": rng.gamma(2, 40, n),
                "total": rng.gamma(2, 40, n),
                "kind": rng.choice(["a", "b"], n),
            }
        ),
        tmp_path,
    )
    assert kinds(sem)["sleep_total"] == "level"
    assert kinds(sem)["order_total"] == "flow" and kinds(sem)["total"] == "flow"


def test_status_that_follows_from_the_measure_is_circular(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    pct = rng.integers(0, 100, 300).astype(float)
    pct[:90] = 100.0
    status = ["Completed" if p == 100 else "In progress" for p in pct]
    df = pl.DataFrame(
        {
            "goal": [f"g{i}" for i in range(300)],
            "status": status,
            "percent_complete": pct,
            "department": rng.choice(["a", "b", "c"], 300),
        }
    )
    path = tmp_path / "goals.csv"
    df.write_csv(path)
    result = analyze(path)
    assert {"dimension": "status", "measure": "percent_complete"} in result["semantics"]["circular"]
    assert not [
        i
        for i in result["insights"]
        if i["evidence"].get("dimension") == "status" and i["evidence"].get("measure") == "percent_complete"
    ]


def test_a_column_called_time_with_small_numbers_is_time_elapsed(tmp_path: Path) -> None:
    """Chicks weighed every other day: `Time` (days 0..22) is a quantity that weight grows with;
    a `time` of encoded dates (20240115) stays a code."""
    rng = np.random.default_rng(4)
    chicks, times = 30, 12
    days = np.tile(np.arange(0, 2 * times, 2), chicks)
    df = pl.DataFrame(
        {
            "weight": 40 + 8 * days + rng.normal(0, 12, chicks * times),
            "Time": days,
            "Chick": np.repeat(np.arange(1, chicks + 1), times),
            "Diet": np.repeat(rng.choice(["1", "2", "3"], chicks), times),
        }
    )
    result = analyze_csv(df, tmp_path, "chicks.csv")
    assert "Time" in kinds(result["semantics"]) and "Time" not in result["semantics"]["codes"]
    assert any(
        i["type"] == "correlation" and set(i["evidence"]["columns"]) == {"weight", "Time"}
        for i in result["insights"]
    ), [i["title"] for i in result["insights"]]
    coded = pl.DataFrame({"time": [20240101 + i for i in range(28)], "v": rng.normal(0, 1, 28)})
    assert "time" in semantics(coded, tmp_path, "coded.csv")["codes"]


def test_numbers_holding_rows_together_in_blocks_are_an_id(tmp_path: Path) -> None:
    """A long table of 40 subjects measured 12 times each: `subject` 1..40 is who, not how much."""
    rng = np.random.default_rng(8)
    subjects, times = 40, 12
    df = pl.DataFrame(
        {
            "subject": np.repeat(np.arange(1, subjects + 1), times),
            "day": np.tile(np.arange(0, 2 * times, 2), subjects),
            "weight": np.tile(np.linspace(40, 200, times), subjects) + rng.normal(0, 10, subjects * times),
            "diet": np.repeat(rng.choice(["a", "b", "c"], subjects), times),
        }
    )
    sem = semantics(df, tmp_path)
    assert "subject" not in kinds(sem) and "subject" in sem["codes"]
    assert kinds(sem)["weight"] == "level"


@pytest.mark.parametrize(
    ("file_name", "columns", "meaning"),
    [
        ("incidents_2024.csv", [], "incidents"),
        ("employee.csv", ["name"], "employees"),
        ("claim.csv", ["claim_id"], "claims"),
        ("export.csv", ["order_id"], "orders"),
        ("midwest.csv", ["county"], "rows"),  # names the whole, not one row
        ("weather.csv", ["temp"], "rows"),
        ("economics.csv", ["date"], "rows"),
        ("CPS1985.csv", ["wage", "region"], "rows"),  # an acronym, not a plural
    ],
)
def test_a_file_names_its_rows_only_when_it_is_a_noun_for_one(
    file_name: str, columns: list[str], meaning: str
) -> None:
    assert row_meaning(file_name, columns) == meaning


@pytest.mark.parametrize(
    ("file_name", "columns", "measures", "meaning"),
    [
        ("Salaries.csv", ["rank", "sex", "salary"], ["salary"], "rows"),  # names the values of `salary`
        ("prices.csv", ["item_id", "price"], ["price"], "items"),
        ("flights.csv", ["flight", "dep_delay"], ["dep_delay"], "flights"),  # a flight number is a code
        ("Wages.csv", ["exp", "sex", "lwage"], ["exp", "lwage"], "rows"),  # an amount, whatever the columns
        ("orders.csv", ["region", "amount"], ["amount"], "orders"),
        ("Affairs.csv", ["affairs", "gender", "age"], ["age"], "rows"),  # the count of `affairs` per person
    ],
)
def test_a_file_named_after_its_measure_does_not_name_its_rows(
    file_name: str, columns: list[str], measures: list[str], meaning: str
) -> None:
    assert row_meaning(file_name, columns, measures) == meaning


def test_numbered_categories_are_named_with_their_column_in_prose(tmp_path: Path) -> None:
    """ "7 stands out on average temp" says nothing; "July" does, and "Engines 2" keeps the value's column."""
    rng = np.random.default_rng(3)
    month = rng.integers(1, 13, 2400)
    engines = rng.choice([1, 2, 4], 2400, p=[0.2, 0.6, 0.2])
    temp = 10 + 15 * (month == 7) + rng.normal(0, 3, 2400)
    seats = 50 * engines + rng.normal(0, 10, 2400)
    result = analyze_csv(
        pl.DataFrame({"month": month, "engines": engines, "temp": temp, "seats": seats}), tmp_path, "t.csv"
    )
    titles = [i["title"] for i in result["insights"]]
    assert any(t.startswith("July ") for t in titles), titles
    assert not any(t.split()[0].isdigit() for t in titles), titles
    filters = [f for i in result["insights"] for f in i["evidence"].get("filters") or []]
    assert all(f["equals"] != "July" for f in filters)  # the data's own value filters, not its prose name


@pytest.mark.parametrize(
    ("dimension", "value", "shown"),
    [
        ("month", "7", "July"),
        ("hour", "18", "hour 18"),
        ("religious", "1.0", "religious 1"),
        ("driveway", "true", "driveway = true"),
        ("region", "West", "West"),
        ("drv", "f", "drv = f"),  # a one-letter code
        ("state", "NY", "NY"),
        ("conservation", "lc", "conservation = lc"),
        ("sector", "other", "sector = other"),
    ],
)
def test_category_values_in_prose(dimension: str, value: str, shown: str) -> None:
    assert category(dimension, value) == shown


def test_two_digit_years_and_numbered_states_are_time_and_place(tmp_path: Path) -> None:
    """A state-by-year panel written as state 1..40 and year 63..92: never "average state 20",
    "average year 77"; the years are 1963..1992 and the states a dimension."""
    rng = np.random.default_rng(9)
    states, years = 40, 30
    df = pl.DataFrame(
        {
            "state": np.repeat(np.arange(1, states + 1), years),
            "year": np.tile(np.arange(63, 63 + years), states),
            "price": np.tile(np.linspace(30, 160, years), states) + rng.normal(0, 3, states * years),
            "sales": rng.normal(120, 20, states * years).round(1),
        }
    )
    result = analyze_csv(df, tmp_path, "cigarettes.csv")
    sem = result["semantics"]
    assert sem["time"]["column"] == "year" and sem["time"]["grain"] == "year"
    assert "state" not in kinds(sem) and "year" not in kinds(sem)
    assert "state" in sem["dimensions"] or "state" in sem["codes"]
    assert all("state" not in k["label"].lower() and "year" not in k["label"].lower()
               for k in result["kpis"] if k["label"] not in ("Year range",))  # fmt: skip
    ranges = [k["value"] for k in result["kpis"] if isinstance(k["value"], dict)]
    assert ranges and ranges[0]["start"].startswith("1963") and ranges[0]["end"].startswith("1992")


def test_a_flow_word_on_small_signed_fractions_is_a_rate(tmp_path: Path) -> None:
    """`gsp` holding yearly growth rates (-0.03 .. 0.06) is averaged, never summed."""
    rng = np.random.default_rng(2)
    df = pl.DataFrame({"year": np.arange(1950, 2010), "gsp": rng.normal(0.02, 0.025, 60).round(4)})
    assert kinds(semantics(df, tmp_path))["gsp"] == "level"
    amounts = pl.DataFrame({"year": np.arange(1950, 2010), "gsp": rng.normal(500, 90, 60).round(1)})
    assert kinds(semantics(amounts, tmp_path, "amounts.csv"))["gsp"] == "flow"


def _cells(counts: dict[tuple[str, str], int], name: str = "Freq") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "shift": [k[0] for k in counts],
            "outcome": [k[1] for k in counts],
            name: list(counts.values()),
        }
    )


def test_a_frequency_table_is_read_one_row_per_case(tmp_path: Path) -> None:
    """Six cells counting 1,000 cases: shares and drill-downs weigh each cell by its count, and the
    count column is not a measure (summing it per shift would be the count under another name)."""
    counts = {("day", "ok"): 420, ("day", "failed"): 30, ("night", "ok"): 180, ("night", "failed"): 270}
    counts |= {("weekend", "ok"): 60, ("weekend", "failed"): 40}
    result = analyze_csv(_cells(counts), tmp_path, "runs.csv")
    sem = result["semantics"]
    assert sem["weights"] == {"column": "Freq", "cells": 6, "cases": 1000}
    assert [m["name"] for m in sem["measures"] if m["kind"] != "count"] == []
    assert sem["rowMeaning"] == "runs"
    kpis = {k["id"]: k["value"] for k in result["kpis"]}
    assert kpis["rows"] == 6 and kpis["cases"] == 1000
    assert any(i["code"] == "weighted_rows" for i in result["issues"])
    # day runs: 420 of 450 ok (93%) against 240 of 550 at other times (44%); row by row it is 1 of 2
    drill = next(i["evidence"] for i in result["insights"] if i["type"] == "drill_down")
    assert {drill["dimension"], drill["drillDown"]["dimension"]} == {"shift", "outcome"}
    assert drill["drillDown"]["share"] == pytest.approx(420 / 450)


@pytest.mark.parametrize(
    ("table", "why"),
    [
        (
            _cells({("day", "ok"): 5, ("day", "failed"): 7, ("night", "ok"): 9}, name="units"),
            "not a count name",
        ),
        (
            pl.concat([_cells({("day", "ok"): 5, ("night", "ok"): 9})] * 2),
            "a cell repeats: rows are records, not cells",
        ),
        (
            _cells({("day", "ok"): 5, ("night", "ok"): 9, ("day", "failed"): 4}).with_columns(
                amount=pl.Series([1.5, 2.5, 3.5])
            ),
            "another measure beside the count",
        ),
        (
            _cells({("day", "ok"): 1, ("night", "ok"): 1, ("day", "failed"): 1}),
            "counts add to no more than rows",
        ),
        (
            pl.DataFrame(
                {"y": [17, 29, 3, 20, 1, 15], "n": [24, 29, 27, 20, 12, 16], "size": list("LLLSSS")}
            ),
            "y successes of n trials: y is a measure of its row, not a label of cells",
        ),
    ],
)
def test_what_is_not_a_frequency_table(table: pl.DataFrame, why: str, tmp_path: Path) -> None:
    sem = semantics(table, tmp_path)
    assert sem["weights"] is None, why


def test_numbered_groups_of_a_study_design_are_codes_not_measures(tmp_path: Path) -> None:
    """Strata and subjects numbered 1..n say which group a row is in: never averaged or correlated;
    a handful of numbered blocks is a dimension."""
    rng = np.random.default_rng(5)
    n = 240
    df = pl.DataFrame(
        {
            "stratum": np.repeat(np.arange(1, 81), 3),
            "pooled.stratum": np.repeat(np.arange(1, 41), 6),
            "block": np.tile(np.arange(1, 5), n // 4),
            "age": rng.normal(35, 6, n).round(1),
        }
    )
    sem = semantics(df, tmp_path)
    assert set(kinds(sem)) == {"rows", "age"}
    assert {"stratum", "pooled.stratum"} <= set(sem["codes"])
    assert "block" in sem["dimensions"]


def test_a_finding_that_starts_with_a_column_name_keeps_its_capitals(tmp_path: Path) -> None:
    """ "MPG.city and MPG.highway ...", never "Mpg.city": the column is named as the file names it."""
    rng = np.random.default_rng(11)
    city = rng.normal(22, 5, 120).round(1)
    df = pl.DataFrame({"MPG.city": city, "MPG.highway": (city * 1.3 + rng.normal(0, 1.5, 120)).round(1)})
    titles = [i["title"] for i in analyze_csv(df, tmp_path, "cars.csv")["insights"]]
    assert any(t.startswith("MPG.city") or t.startswith("MPG.highway") for t in titles), titles
    assert not any("Mpg." in t for t in titles), titles


def test_an_income_in_a_table_of_things_is_their_level_not_a_flow(tmp_path: Path) -> None:
    """Occupations with their average income: "total income" of all occupations adds up nothing.
    An income in dated records (a ledger) is still summed."""
    rng = np.random.default_rng(3)
    jobs = pl.DataFrame(
        {
            "occupation": [f"job {i}" for i in range(60)],
            "type": rng.choice(["prof", "wc", "bc"], 60),
            "income": rng.lognormal(8.8, 0.4, 60).round(0),
            "education": rng.normal(11, 2, 60).round(1),
        }
    )
    result = analyze_csv(jobs, tmp_path, "occupations.csv")
    assert kinds(result["semantics"])["income"] == "level"
    assert not any(k["id"] == "total_income" for k in result["kpis"])
    days = pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 6, 30), eager=True)
    ledger = pl.DataFrame({"date": days, "income": rng.lognormal(4, 0.5, days.len()).round(2)})
    assert kinds(semantics(ledger, tmp_path, "ledger.csv"))["income"] == "flow"


def test_fractions_ratios_and_per_person_incomes_are_levels(tmp_path: Path) -> None:
    """A `tax` of 0.44..0.94 is a marginal tax rate, `debt_to_income` a ratio, a borrower's
    `annual_income` their own level: none of them has a total. Daily rain in inches and an
    amount with a currency sign stay flows however small."""
    rng = np.random.default_rng(4)
    days = pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 8, 31), eager=True)
    n = days.len()
    loans = pl.DataFrame(
        {
            "issued": days,
            "grade": rng.choice(["A", "B", "C"], n),
            "loan_amount": rng.lognormal(9.5, 0.5, n).round(0),
            "annual_income": rng.lognormal(11, 0.4, n).round(0),
            "debt_to_income": rng.gamma(4, 5, n).round(2),
            "tax": rng.uniform(0.44, 0.94, n).round(3),
            "rain": rng.uniform(0, 0.9, n).round(2),
        }
    )
    result = analyze_csv(loans, tmp_path, "loans.csv")
    got = kinds(result["semantics"])
    assert {c: got[c] for c in ("annual_income", "debt_to_income", "tax")} == dict.fromkeys(
        ("annual_income", "debt_to_income", "tax"), "level"
    )
    assert got["loan_amount"] == "flow" and got["rain"] == "flow"
    assert not {"total_annual_income", "total_debt_to_income", "total_tax"} & {
        k["id"] for k in result["kpis"]
    }


def test_years_and_codes_run_into_one_word_are_codes(tmp_path: Path) -> None:
    """`foundingyear` (1665..2000) and `distcod` (a district code) are neither measures nor KPIs."""
    rng = np.random.default_rng(5)
    n = 150
    df = pl.DataFrame(
        {
            "distcod": rng.permutation(np.arange(60000, 60000 + n)),
            "foundingyear": rng.integers(1665, 2001, n),
            "price": rng.lognormal(5, 0.6, n).round(2),
            "subs": rng.lognormal(6, 0.8, n).round(0),
        }
    )
    result = analyze_csv(df, tmp_path, "journals.csv")
    assert "distcod" in result["semantics"]["codes"]
    assert not {"distcod", "foundingyear"} & set(kinds(result["semantics"]))
    assert not [k for k in result["kpis"] if "distcod" in k["id"] or "foundingyear" in k["id"]]


def test_quarterly_indicators_without_a_date_column_are_a_series(tmp_path: Path) -> None:
    """GDP and population rising quarter after quarter, interest rates wandering, no date column:
    the rows are in time order, so correlations are of changes, never of two trends."""
    rng = np.random.default_rng(6)
    n = 200
    t = np.arange(n)
    df = pl.DataFrame(
        {
            "gdp": 1000 * np.exp(0.008 * t + np.cumsum(rng.normal(0, 0.01, n))),
            "population": 180 + 0.3 * t,  # strictly increasing
            "tbill": 5 + np.cumsum(rng.normal(0, 0.3, n)),
            "unemp": 6 + np.cumsum(rng.normal(0, 0.2, n)),
        }
    )
    result = analyze_csv(df, tmp_path, "macro.csv")
    assert result["semantics"]["tableKind"] == "series"
    for insight in result["insights"]:
        if insight["type"] == "correlation":
            assert insight["evidence"]["basis"] == "changes", insight["title"]


def test_a_grid_is_not_a_series(tmp_path: Path) -> None:
    """A density over a 40 × 40 grid of eruption times and waits: every column is smooth down
    the file, but the outer one is a staircase. The coordinates are not two series."""
    x, y = np.meshgrid(np.linspace(1.6, 5.1, 40), np.linspace(43, 96, 40))
    density = np.exp(-((x - 4.3) ** 2) / 0.3 - ((y - 80) ** 2) / 40)
    df = pl.DataFrame({"eruptions": x.ravel(), "waiting": y.ravel(), "density": density.ravel()})
    result = analyze_csv(df, tmp_path, "grid.csv")
    assert result["semantics"]["tableKind"] == "cross_section"
    pairs = [set(i["evidence"]["measures"]) for i in result["insights"] if i["type"] == "correlation"]
    assert {"eruptions", "waiting"} not in pairs


def test_a_panel_s_rows_are_not_named_after_the_file(tmp_path: Path) -> None:
    """fatalities.csv with one row per state and year: a row is a state-year, not a fatality."""
    states = [f"S{i:02d}" for i in range(20)]
    years = list(range(1982, 1989))
    rng = np.random.default_rng(7)
    df = pl.DataFrame(
        {
            "state": [s for s in states for _ in years],
            "year": years * len(states),
            "jail": rng.choice(["yes", "no"], len(states) * len(years)),
            "fatal": rng.poisson(800, len(states) * len(years)),
        }
    )
    assert semantics(df, tmp_path, "Fatalities.csv")["rowMeaning"] == "rows"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("UCBAdmissions", ("ucb", "admissions")),  # an acronym before a word
        ("HTTPStatus", ("http", "status")),
        ("unitPrice", ("unit", "price")),
        ("NABOVE", ("nabove",)),
        ("MPG.city", ("mpg", "city")),
        ("CPS1985", ("cps", "1985")),
    ],
)
def test_names_split_into_words(name: str, expected: tuple[str, ...]) -> None:
    assert words(name) == expected


def test_columns_named_like_internal_counts_do_not_clash(tmp_path: Path) -> None:
    """A few-valued integer column called `n` (dplyr's count() writes one) is a dimension like any
    other: the drill-down's own pair counts must not collide with it (they raised DuplicateError)."""
    rng = np.random.default_rng(8)
    df = pl.DataFrame({"n": rng.integers(1, 5, 300), "group": rng.choice(["a", "b", "c"], 300)})
    result = analyze_csv(df, tmp_path, "counts.csv")
    assert "n" in result["semantics"]["dimensions"]


def test_names_that_spell_a_part_or_a_version_tie_the_columns(tmp_path: Path) -> None:
    """`applications_total` holds `applications_men`; `rawpoll_x` and `adjpoll_x` are one poll,
    raw and adjusted, as `close` and `adj_close` are one price. No pair is a correlation to report."""
    rng = np.random.default_rng(8)
    n = 300
    men = rng.poisson(200, n).astype(float)
    raw = rng.normal(45, 4, n)
    df = pl.DataFrame(
        {
            "applications_men": men,
            "applications_total": men + rng.poisson(150, n),
            "rawpoll_clinton": raw,
            "adjpoll_clinton": raw + rng.normal(0.5, 0.5, n),
            "close": 100 + np.cumsum(rng.normal(0, 1, n)),
        }
    ).with_columns(adj_close=pl.col("close") * 0.97 + rng.normal(0, 0.05, n))
    result = analyze_csv(df, tmp_path, "polls.csv")
    ties = {(r["kind"], r["target"], *r["parts"]) for r in result["semantics"]["relations"]}
    assert ("component_of", "applications_total", "applications_men") in ties
    assert ("transform_of", "rawpoll_clinton", "adjpoll_clinton") in ties
    assert {("transform_of", "close", "adj_close"), ("transform_of", "adj_close", "close")} & ties
    assert not [i for i in result["insights"] if i["type"] == "correlation"]


def test_a_column_called_year_is_never_a_measure_and_early_years_in_order_are_the_time_axis(
    tmp_path: Path,
) -> None:
    """Ice-core years (-800000 .. 2018) are not averaged; Arbuthnot's years 1629..1710, one row
    each, are the time axis."""
    rng = np.random.default_rng(9)
    cores = pl.DataFrame(
        {"year": np.sort(rng.integers(-800_000, 2018, 300)), "co2": rng.normal(240, 30, 300)}
    )
    assert "year" not in kinds(semantics(cores, tmp_path, "co2.csv"))
    years = np.arange(1629, 1711)
    christenings = pl.DataFrame({"Year": years, "Males": rng.poisson(5900, years.size)})
    sem = semantics(christenings, tmp_path, "arbuthnot.csv")
    assert sem["time"]["column"] == "Year" and sem["time"]["grain"] == "year"


def test_a_count_beside_the_population_is_read_per_head(tmp_path: Path) -> None:
    """Counties with their overdose deaths and their population: the deaths mostly say how big
    each county is. The rate per 100,000 people is what differs by region; the deaths and the
    population are not reported as correlated (big counties are big)."""
    rng = np.random.default_rng(10)
    n = 240
    region = rng.choice(["North", "South", "East", "West"], n)
    population = np.round(rng.lognormal(11, 1.0, n))
    rate = np.where(region == "South", 60.0, 20.0) * rng.lognormal(0, 0.15, n)
    df = pl.DataFrame(
        {
            "county": [f"C{i:03d}" for i in range(n)],
            "region": region,
            "population": population,
            "deaths": rng.poisson(rate * population / 100_000),
        }
    )
    result = analyze_csv(df, tmp_path, "counties.csv")
    measures = {m["name"]: m for m in result["semantics"]["measures"]}
    rate_name = "deaths per 100,000 population"
    assert measures[rate_name]["kind"] == "level" and measures[rate_name]["derived"]
    south = [
        i
        for i in result["insights"]
        if i["type"] in ("category_outlier", "segment_comparison") and i["evidence"]["measure"] == rate_name
    ]
    assert south, [i["title"] for i in result["insights"]]
    pairs = [set(i["evidence"]["measures"]) for i in result["insights"] if i["type"] == "correlation"]
    assert {"deaths", "population"} not in pairs


def test_a_column_that_relabels_another_is_dropped_and_codes_name_no_rows(tmp_path: Path) -> None:
    """`state_abb` (AL) beside `state` (Alabama) would give every finding twice; `SexCode` (0/1)
    codes each passenger's sex and names no rows ("Female sexes" read as nonsense)."""
    rng = np.random.default_rng(11)
    n = 600
    names = [f"State {i}" for i in range(30)]
    state = rng.choice(names, n)
    sex = rng.choice(["female", "male"], n)
    df = pl.DataFrame(
        {
            "state": state,
            "state_abb": [s.replace("State ", "S") for s in state],
            "Sex": sex,
            "SexCode": (sex == "female").astype(int),
            "fare": rng.lognormal(3, 0.5, n),
        }
    )
    sem = semantics(df, tmp_path, "titanic.csv")
    columns = set(sem["dimensions"]) | {e["column"] for e in sem["entities"]}
    assert "state" in columns and "state_abb" not in columns
    assert sem["rowMeaning"] == "rows"


def test_a_measure_and_its_square_log_or_rate_by_name_are_tied_beyond_the_first_twelve(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(12)
    n = 300
    cols = {f"m{i}": rng.normal(50, 10, n) for i in range(10)}
    income = rng.gamma(2, 10, n)
    deaths = rng.poisson(40, n).astype(float)
    df = pl.DataFrame(
        {
            **cols,
            "inc86": income,
            "inc86sq": income**2,
            "lwage": np.log(income + 1),
            "Disease": deaths,
            "Disease.rate": deaths / rng.uniform(0.8, 1.2, n),
        }
    )
    rel = {(r["kind"], r["target"], *r["parts"]) for r in semantics(df, tmp_path)["relations"]}
    assert {("transform_of", "inc86sq", "inc86"), ("transform_of", "Disease.rate", "Disease")} <= rel
