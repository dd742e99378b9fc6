"""Each planted pattern is among the top insights; pure noise yields only data-quality insights."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from engine.analysis import analyze
from tests.engine.analysis import planted

TOP = 5


def run(df: pl.DataFrame, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "planted.csv"
    df.write_csv(path)
    return analyze(path)


def top(result: dict[str, Any], kinds: set[str]) -> list[dict[str, Any]]:
    return [i for i in result["insights"][:TOP] if i["type"] in kinds]


def test_noise_control_yields_nothing_beyond_data_quality(tmp_path: Path) -> None:
    result = run(planted.noise(), tmp_path)
    assert [i["type"] for i in result["insights"] if i["type"] != "data_quality"] == []
    assert any(bullet.startswith("No pattern") for bullet in result["narrative"]["summary"])


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_noise_control_other_seeds(tmp_path: Path, seed: int) -> None:
    result = run(planted.noise(seed), tmp_path)
    assert [i["text"] for i in result["insights"] if i["type"] != "data_quality"] == []


def test_rising_trend(tmp_path: Path) -> None:
    found = top(run(planted.rising_trend(), tmp_path), {"trend"})
    assert found and "rising" in found[0]["title"]
    assert found[0]["evidence"]["aggregates"]["relativeChange"] > 1.0


def test_one_region_far_above(tmp_path: Path) -> None:
    result = run(planted.region_far_above(), tmp_path)
    found = top(result, {"top_contributor", "category_outlier", "segment_comparison"})
    assert found
    assert all("North" in i["text"] for i in found)
    assert any(i["type"] == "top_contributor" for i in result["insights"])


def test_pareto_mix(tmp_path: Path) -> None:
    found = top(run(planted.pareto_mix(), tmp_path), {"concentration"})
    assert found
    assert found[0]["evidence"]["aggregates"]["topShare"] > 0.7


def test_weekly_seasonality(tmp_path: Path) -> None:
    found = top(run(planted.weekly_seasonality(), tmp_path), {"seasonality"})
    assert found and "weekly" in found[0]["text"]
    means = found[0]["evidence"]["aggregates"]["meanByPosition"]
    assert max(means, key=means.get) in ("Saturdays", "Sundays")


def test_level_shift_on_known_date(tmp_path: Path) -> None:
    found = top(run(planted.level_shift(), tmp_path), {"change_point"})
    assert found
    when = found[0]["evidence"]["aggregates"]["changeDate"]
    assert abs((pl.Series([when]).str.to_date()[0] - planted.shift_date()).days) <= 2


def test_correlated_pair_but_not_derived_pairs(tmp_path: Path) -> None:
    result = run(planted.correlated_pair(), tmp_path)
    found = top(result, {"correlation"})
    assert found and set(found[0]["evidence"]["columns"]) == {"ad_spend", "visits"}
    correlated = [set(i["evidence"]["columns"]) for i in result["insights"] if i["type"] == "correlation"]
    assert {"revenue", "units"} not in correlated and {"revenue", "price"} not in correlated
    assert any(i["code"] == "derived_measure" and i["column"] == "revenue" for i in result["issues"])


def test_spike_is_an_anomaly(tmp_path: Path) -> None:
    df = planted.noise(21)
    spike = planted.START + __import__("datetime").timedelta(days=50)
    df = df.with_columns(
        pl.when(pl.col("order_date") == spike)
        .then(pl.col("units") * 8)
        .otherwise(pl.col("units"))
        .alias("units")
    ).with_columns((pl.col("units") * pl.col("price")).round(2).alias("revenue"))
    found = top(run(df, tmp_path), {"anomaly"})
    assert found and found[0]["evidence"]["aggregates"]["date"] == spike.isoformat()


PLANTS: list[Callable[[], pl.DataFrame]] = [planted.rising_trend, planted.level_shift, planted.pareto_mix]


@pytest.mark.parametrize("make", PLANTS)
def test_every_insight_has_real_numbers_and_a_chart(tmp_path: Path, make: Callable[[], pl.DataFrame]) -> None:
    result = run(make(), tmp_path)
    chart_ids = {c["id"] for c in result["charts"]}
    for ins in result["insights"]:
        assert any(ch.isdigit() for ch in ins["text"])
        assert ins["chartId"] in chart_ids
        assert 0 < ins["score"] <= 1


CHART_KIND = {
    "trend": "line",
    "change_point": "line",
    "anomaly": "line",
    "concentration": "pareto",
    "correlation": "scatter",
    "segment_comparison": "box",
    "category_outlier": "box",
    "change_attribution": "waterfall",
}


@pytest.mark.parametrize("make", [planted.level_shift, planted.pareto_mix, planted.correlated_pair])
def test_chart_kind_follows_insight_type(tmp_path: Path, make: Callable[[], pl.DataFrame]) -> None:
    result = run(make(), tmp_path)
    charts = {c["id"]: c for c in result["charts"]}
    for ins in result["insights"]:
        if ins["type"] in CHART_KIND:
            assert charts[ins["chartId"]]["kind"] == CHART_KIND[ins["type"]]
    overview = {c["id"] for c in result["charts"] if c["insightId"] is None}
    assert overview == {"overview_over_time", "overview_distribution", "overview_top_categories"}


def test_a_bending_trend_is_a_trend_not_a_level_shift(tmp_path: Path) -> None:
    """Fifty years of monthly spending growing at a slowing pace: a curve, never a "step"."""
    rng = np.random.default_rng(14)
    months = 600
    t = np.arange(months)
    spend = (500 + 0.002 * t**2.5) * (1 + rng.normal(0, 0.01, months))
    dates = [dt.date(1960 + k // 12, k % 12 + 1, 1) for k in range(months)]
    result = run(pl.DataFrame({"month": dates, "spending": spend}), tmp_path)
    kinds = [i["type"] for i in result["insights"]]
    assert "trend" in kinds and "change_point" not in kinds, kinds


def test_claims_filed_twice_by_one_person_are_repeats(tmp_path: Path) -> None:
    """Forty claims of one employee each filed a second time under a new id: no record repeats
    three times, yet one person's copies stand far above chance. "Approved" holding most of the
    money (most claims are approved) is no finding."""
    rng = np.random.default_rng(21)
    n = 3000
    df = pl.DataFrame(
        {
            "claim_id": [f"C{k}" for k in range(n)],
            "employee": rng.choice([f"E{k:03d}" for k in range(60)], n),
            "category": rng.choice(["Travel", "Meals", "Software", "Office"], n),
            "amount": np.round(rng.lognormal(4, 0.8, n), 2),
            "status": rng.choice(["Approved", "Rejected", "Pending"], n, p=[0.8, 0.15, 0.05]),
        }
    )
    copies = df.filter(pl.col("employee") == "E007").head(40).with_columns(pl.col("claim_id") + "b")
    result = run(pl.concat([df, copies]), tmp_path)
    repeats = [i for i in result["insights"] if i["type"] == "repeats"]
    assert repeats and repeats[0]["evidence"]["entity"] == "E007", [i["title"] for i in result["insights"]]
    assert repeats[0]["evidence"]["aggregates"]["repeats"] == 40
    tops = [i for i in result["insights"] if i["type"] == "top_contributor"]
    assert not any(i["evidence"]["dimension"] == "status" for i in tops)


def test_who_has_ended_is_compared_across_segments_never_over_time(tmp_path: Path) -> None:
    """Employees of one department leave three times as often: the share with a leaving date says so.
    Recent hires have had the least time to leave, so that share is never a trend."""
    rng = np.random.default_rng(9)
    n = 1500
    dept = rng.choice(["Engineering", "Sales", "Support", "Finance"], n)
    hired = [dt.date(2012, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 4000, n)]
    leaves = rng.random(n) < np.where(dept == "Support", 0.45, 0.15)
    left = [
        h + dt.timedelta(days=int(rng.gamma(2, 200))) if g else None
        for h, g in zip(hired, leaves, strict=True)
    ]
    df = pl.DataFrame(
        {
            "department": dept,
            "hire_date": hired,
            "termination_date": left,
            "salary": rng.normal(70_000, 9_000, n),
        }
    )
    result = run(df, tmp_path)
    share = "share with termination_date"
    about = [i for i in result["insights"] if i["evidence"].get("measure") == share]
    assert about and about[0]["type"] == "category_outlier" and about[0]["evidence"]["entity"] == "Support"
    assert all(i["type"] in ("category_outlier", "segment_comparison", "drill_down") for i in about), about
    assert not any(k["label"].endswith("(latest)") for k in result["kpis"])  # one record is no KPI


def test_a_concentration_in_a_segment_that_is_not_the_largest_is_drilled_into(tmp_path: Path) -> None:
    """Hardware is a fifth of the tickets and not the busiest category, yet 70% of it is at one site."""
    rng = np.random.default_rng(17)
    n = 3000
    category = rng.choice(
        ["Software", "Network", "Hardware", "Access", "Email"], n, p=[0.3, 0.25, 0.2, 0.15, 0.1]
    )
    sites = np.array(["HQ", "Branch A", "Branch B", "Warehouse"])
    site = np.where(
        (category == "Hardware") & (rng.random(n) < 0.6), "Warehouse", sites[rng.integers(0, 4, n)]
    )
    opened = [
        dt.datetime(2024, 1, 1) + dt.timedelta(minutes=int(m)) for m in np.sort(rng.integers(0, 525_600, n))
    ]
    df = pl.DataFrame(
        {"ticket_id": [f"T{k}" for k in range(n)], "opened": opened, "category": category, "site": site}
    )
    result = run(df, tmp_path)
    drills = [i for i in result["insights"] if i["type"] == "drill_down"]
    assert any(
        {"column": "category", "equals": "Hardware"} in i["evidence"]["filters"]
        and {"column": "site", "equals": "Warehouse"} in i["evidence"]["filters"]
        for i in drills
    ), [i["title"] for i in result["insights"]]


def _yearly(values: np.ndarray, start: int = 1850) -> pl.DataFrame:
    return pl.DataFrame({"year": np.arange(start, start + len(values)), "activity": values})


def test_a_cycle_of_years_in_yearly_data(tmp_path: Path) -> None:
    """120 years of a quantity that peaks every 9 years: a multi-year cycle, its period named."""
    rng = np.random.default_rng(5)
    t = np.arange(120)
    result = run(_yearly(100 + 12 * np.sin(2 * np.pi * t / 9) + rng.normal(0, 6, 120)), tmp_path)
    found = [i for i in result["insights"] if i["type"] == "seasonality"]
    assert found, [i["title"] for i in result["insights"]]
    aggregates = found[0]["evidence"]["aggregates"]
    assert aggregates["cycle"] == "multi-year" and abs(aggregates["periodYears"] - 9) < 0.5
    assert "9-year cycle" in found[0]["title"]


@pytest.mark.parametrize("seed", range(12))
def test_wandering_or_noisy_yearly_series_have_no_cycle(tmp_path: Path, seed: int) -> None:
    """A random walk has most of its power at low frequencies; white noise has peaks by chance.
    Neither is a cycle."""
    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(40, 160))
    walk = run(_yearly(500 + np.cumsum(rng.normal(0, 5, n))), tmp_path)
    noise = run(_yearly(50 + rng.normal(0, 5, n)), tmp_path)
    for result in (walk, noise):
        assert not [i for i in result["insights"] if i["type"] == "seasonality"], result["insights"]


def test_a_season_in_one_year_of_stations_is_no_station_s_growth(tmp_path: Path) -> None:
    """Three stations, daily readings over one year: rain and temperature rise and fall with the
    season; no station "grew most" because its summer came after its winter."""
    rng = np.random.default_rng(21)
    days = pl.date_range(dt.date(2013, 1, 1), dt.date(2013, 12, 31), eager=True)
    season = np.sin(2 * np.pi * (np.arange(days.len()) - 100) / 365.25)
    frames = [
        pl.DataFrame(
            {
                "date": days,
                "station": name,
                "temp": 12 + 10 * season + rng.normal(0, 2, days.len()) + shift,
                "precip": np.clip(rng.gamma(0.5, 0.2 + 0.15 * season * scale + 0.15), 0, None).round(2),
            }
        )
        for name, shift, scale in (("JFK", 0.0, 1.0), ("LGA", 1.0, 1.4), ("EWR", -1.0, 0.6))
    ]
    result = run(pl.concat(frames), tmp_path)
    grew = [i for i in result["insights"] if i["type"] in ("entity_trend", "trend", "change_point")]
    assert not grew, [i["title"] for i in grew]


def test_the_few_large_claims_that_take_longest_are_a_bracket_and_repeats_ignore_the_status(
    tmp_path: Path,
) -> None:
    """Claims of 500 or more (about 3% of them) take three times as long to approve; one employee
    files the same 49.99 meal twelve times, some approved and some rejected."""
    rng = np.random.default_rng(22)
    n = 2500
    amount = np.round(rng.lognormal(4.5, 0.9, n), 2)
    employee = rng.choice([f"emp{i:03d}" for i in range(150)], n)
    category = rng.choice(["Travel", "Meals", "Lodging", "Supplies"], n)
    planted = np.arange(100, 100 + 12 * 7, 7)
    employee[planted], category[planted], amount[planted] = "emp042", "Meals", 49.99
    submitted = [
        dt.datetime(2024, 1, 1) + dt.timedelta(hours=float(h)) for h in np.sort(rng.uniform(0, 7000, n))
    ]
    hours = rng.lognormal(3, 0.6, n) * np.where(amount >= 500, 3, 1)
    df = pl.DataFrame(
        {
            "claim_id": [f"C{i:06d}" for i in range(n)],
            "employee": employee,
            "category": category,
            "status": rng.choice(["Approved", "Rejected"], n, p=[0.85, 0.15]),
            "amount": amount,
            "submitted_at": submitted,
            "approved_at": [s + dt.timedelta(hours=float(h)) for s, h in zip(submitted, hours, strict=True)],
        }
    )
    result = run(df, tmp_path)
    brackets = [i for i in result["insights"] if i["type"] == "bracket"]
    assert brackets and brackets[0]["evidence"]["aggregates"]["threshold"] in (250, 500), brackets
    repeats = [i for i in result["insights"] if i["type"] == "repeats"]
    assert repeats and repeats[0]["evidence"]["entity"] == "emp042"
    assert "12" in repeats[0]["title"], repeats[0]["title"]
