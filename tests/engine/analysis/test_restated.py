"""Findings that are true but say nothing an analyst would report: they restate the rows.

- a leader of a flow that holds only its share of the rows (most visits are made by the
  patients of the commonest health rating because most patients have that rating);
- a column of one value but for a handful ("99.6% of rows have 0 accounts past due");
- two columns that drift slowly down the file, correlated only as two trends are;
- rows that repeat because the columns are few and coarse (nine looms per setting).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from engine.analysis import analyze


def run(df: pl.DataFrame, tmp_path: Path, name: str = "table.csv") -> dict[str, Any]:
    path = tmp_path / name
    df.write_csv(path)
    return analyze(path)


def found(result: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [i for i in result["insights"] if i["type"] == kind]


def test_a_flow_s_leader_that_only_has_the_most_rows_is_not_a_top_contributor(tmp_path: Path) -> None:
    """Visits per patient, the same on average in every health group: "average" health leads the
    total only because 80% of patients say so. A group that does hold more than its rows is kept."""
    rng = np.random.default_rng(11)
    n = 4000
    health = rng.choice(["average", "poor", "excellent", "good"], n, p=[0.7, 0.1, 0.1, 0.1])
    mirrored = pl.DataFrame({"health": health, "visits": rng.poisson(5.0, n)})
    assert not found(run(mirrored, tmp_path, "patients.csv"), "top_contributor")

    heavy = np.where(health == "poor", rng.poisson(30.0, n), rng.poisson(2.0, n))
    leaders = found(run(mirrored.with_columns(visits=heavy), tmp_path, "patients.csv"), "top_contributor")
    assert leaders and leaders[0]["evidence"]["entity"] == "poor"


def test_a_column_of_one_value_but_a_handful_has_no_count_finding(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    n = 3000
    past_due = np.zeros(n, dtype=int)
    past_due[rng.choice(n, 9, replace=False)] = rng.integers(1, 3, 9)
    df = pl.DataFrame(
        {
            "accounts_past_due": past_due,
            "grade": rng.choice(["A", "B", "C", "D"], n, p=[0.7, 0.1, 0.1, 0.1]),
            "loan_amount": rng.lognormal(9, 0.5, n).round(0),
        }
    )
    counts = found(run(df, tmp_path, "loans.csv"), "count_distribution")
    assert [c["evidence"]["dimension"] for c in counts] == ["grade"], [c["title"] for c in counts]


def test_two_trends_down_the_file_are_not_correlated_rows(tmp_path: Path) -> None:
    """Two independent random walks, one row after the other, with no date column and a third
    column of noise (so the table does not read as a series): their level correlation is large
    by chance, the test counts the rows it effectively has."""
    for seed in range(5):
        rng = np.random.default_rng(40 + seed)
        n = 300
        df = pl.DataFrame(
            {
                "a": 100 + np.cumsum(rng.normal(0, 1, n)),
                "b": 50 + np.cumsum(rng.normal(0, 1, n)),
                "c": rng.normal(0, 1, n),
                "d": rng.normal(0, 1, n),
            }
        )
        result = run(df, tmp_path)
        assert result["semantics"]["tableKind"] == "cross_section"
        pairs = [c["evidence"]["aggregates"]["pearsonR"] for c in found(result, "correlation")]
        assert not pairs, (seed, pairs)


def test_a_real_relation_between_rows_in_order_still_stands(tmp_path: Path) -> None:
    """Strong (r about 0.95) but not so close that the two columns would be one quantity."""
    rng = np.random.default_rng(13)
    n = 300
    a = 100 + np.cumsum(rng.normal(0, 1, n))
    df = pl.DataFrame(
        {"a": a, "b": 2 * a + rng.normal(0, 0.5 * float(np.std(a)), n), "c": rng.normal(0, 1, n)}
    )
    pairs = found(run(df, tmp_path), "correlation")
    assert any(set(c["evidence"]["measures"]) == {"a", "b"} for c in pairs)
    assert pairs[0]["evidence"]["aggregates"].get("effectiveN", n) < n


def test_rows_of_few_coarse_columns_repeat_by_nature_not_as_duplicates(tmp_path: Path) -> None:
    """Whole-number break counts of nine looms for each of six settings repeat by coincidence."""
    rng = np.random.default_rng(14)
    wool, tension = np.repeat(["A", "B"], 27), np.tile(np.repeat(["L", "M", "H"], 9), 2)
    df = pl.DataFrame({"breaks": rng.poisson(25, 54), "wool": wool, "tension": tension})
    deductions = {d["code"] for d in run(df, tmp_path)["qualityScore"]["deductions"]}
    assert "duplicate_rows" not in deductions

    measured = df.with_columns(strength=rng.normal(40, 6, 54).round(2))
    copied = pl.concat([measured, measured.head(3)])  # three rows exported twice: no coincidence
    deductions = {d["code"]: d for d in run(copied, tmp_path)["qualityScore"]["deductions"]}
    assert "3 row(s) repeat" in deductions["duplicate_rows"]["message"]


def test_a_bracket_of_a_mostly_zero_measure_is_cut_at_a_readable_number() -> None:
    from engine.analysis.detectors.brackets import thresholds

    cuts = thresholds(0.0, 4000.0)
    assert cuts and min(cuts) >= 1.0, cuts  # never "plague ≥ 1e-09"


def test_a_small_table_sorted_by_one_measure_keeps_its_correlation(tmp_path: Path) -> None:
    """Fifteen women by height with their weights: sorted, ranked perfectly by chance, and still
    fifteen observations of a strong relation (neither a transform nor a trend)."""
    rng = np.random.default_rng(15)
    height = np.arange(58, 73)
    df = pl.DataFrame({"height": height, "weight": (3.45 * height - 87.5 + rng.normal(0, 0.4, 15)).round(1)})
    assert df["weight"].is_sorted()
    pairs = found(run(df, tmp_path, "women.csv"), "correlation")
    assert [set(c["evidence"]["measures"]) for c in pairs] == [{"height", "weight"}]


def test_a_word_in_every_row_is_the_template_not_the_topic(tmp_path: Path) -> None:
    """Every description says "ticket" (and "near desk"); half of them are about a printer."""
    rng = np.random.default_rng(16)
    n = 800
    topic = rng.choice(
        ["printer jam", "vpn drops", "laptop slow", "mailbox full", "badge lost"],
        n,
        p=[0.52, 0.12, 0.12, 0.12, 0.12],
    )
    df = pl.DataFrame(
        {
            "ticket_id": [f"T{i:05d}" for i in range(n)],
            "description": [
                f"ticket: {t} near desk {d}" for t, d in zip(topic, rng.integers(1, 400, n), strict=True)
            ],
        }
    )
    terms = found(run(df, tmp_path, "tickets.csv"), "text_terms")
    assert terms and "'printer'" in terms[0]["text"], [t["title"] for t in terms]
    assert not any(w in terms[0]["title"] for w in ("ticket", "near", "desk"))


def test_flags_of_one_variable_are_not_drilled_into_each_other(tmp_path: Path) -> None:
    """spring, summer and fall as 0/1 beside a winter baseline: a summer day is never a spring
    day by construction. Education of mother and father share values: both columns are named."""
    rng = np.random.default_rng(17)
    n = 400
    season = rng.choice(["winter", "spring", "summer", "fall"], n, p=[0.1, 0.3, 0.5, 0.1])
    df = pl.DataFrame({f: (season == f).astype(int) for f in ("spring", "summer", "fall")}).with_columns(
        volume=pl.Series(rng.poisson(300, n))
    )
    drills = found(run(df, tmp_path, "trail.csv"), "drill_down")
    flags = {"spring", "summer", "fall"}
    assert not [
        d for d in drills if {d["evidence"]["dimension"], d["evidence"]["drillDown"]["dimension"]} <= flags
    ]

    levels = ["none", "school", "college"]
    mother = rng.choice(levels, 1500, p=[0.3, 0.5, 0.2])
    father = np.where(rng.random(1500) < 0.7, mother, rng.choice(levels, 1500))
    drills = found(run(pl.DataFrame({"ed": mother, "ded": father}), tmp_path, "births.csv"), "drill_down")
    same = [d for d in drills if d["evidence"]["entity"] == d["evidence"]["drillDown"]["value"]]
    named = [d["title"].lower().count(" = ") for d in same]
    assert same and named == [2] * len(same), [d["title"] for d in drills]


def test_heights_far_from_zero_still_differ_by_sex(tmp_path: Path) -> None:
    """Five inches between men and women is 8% of the mean height and 1.4 standard deviations."""
    rng = np.random.default_rng(18)
    sex = rng.choice(["M", "F"], 900)
    df = pl.DataFrame({"sex": sex, "height": np.where(sex == "M", 69.2, 64.1) + rng.normal(0, 2.5, 900)})
    assert [c["evidence"]["dimension"] for c in found(run(df, tmp_path), "segment_comparison")] == ["sex"]


def test_a_change_that_runs_negative_has_no_brackets(tmp_path: Path) -> None:
    """Quarterly % changes of consumption and income: no "consumption ≥ 1" bracket."""
    rng = np.random.default_rng(19)
    consumption = rng.normal(0.75, 0.6, 190)
    df = pl.DataFrame({"consumption": consumption, "income": 0.5 * consumption + rng.normal(0.4, 0.8, 190)})
    assert not found(run(df, tmp_path), "bracket")


def test_shares_prices_are_compared_by_their_moves_not_their_levels(tmp_path: Path) -> None:
    """A long table of four shares' daily closes: "AAA stands out on average close" compares
    prices in different units; which share grew most is the finding."""
    rng = np.random.default_rng(20)
    days = [dt.date(2022, 1, 3) + dt.timedelta(days=i) for i in range(500)]
    frames = [
        pl.DataFrame(
            {
                "symbol": s,
                "date": days,
                "close": (base * np.exp(np.cumsum(rng.normal(d, 0.01, 500)))).round(2),
            }
        )
        for s, base, d in (
            ("AAA", 40.0, 0.002),
            ("BBB", 300.0, 0.0),
            ("CCC", 90.0, -0.001),
            ("DDD", 15.0, 0.0005),
        )
    ]
    result = run(pl.concat(frames), tmp_path, "stocks.csv")
    levels = [i for i in result["insights"] if i["type"] in ("category_outlier", "segment_comparison")]
    assert not levels, [i["title"] for i in levels]
    assert found(result, "entity_trend")
    assert not [
        k for k in result["kpis"] if "close" in k["id"]
    ]  # the mean of four shares' closes is no price


def test_a_flow_concentrated_only_as_the_rows_are_has_no_concentration_finding(tmp_path: Path) -> None:
    """Reassignments per ticket are alike in every category: "70% of reassignments are Inquiry
    tickets" only says that 70% of tickets are. Revenue that top customers hold beyond their
    share of the orders is still a finding."""
    rng = np.random.default_rng(14)
    n = 5000
    category = rng.choice(
        ["Inquiry", "Software", "Hardware", "Network", "Access", "Other"],
        n,
        p=[0.7, 0.1, 0.08, 0.06, 0.04, 0.02],
    )
    tickets = pl.DataFrame({"category": category, "reassignment_count": rng.poisson(2.0, n)})
    found_ = found(run(tickets, tmp_path, "tickets.csv"), "concentration")
    assert not [c for c in found_ if c["evidence"]["measure"] == "reassignment_count"], [
        c["title"] for c in found_
    ]

    customers = [f"C{k:03d}" for k in range(200)]
    buyer = rng.choice(customers, n)
    big = np.isin(buyer, customers[:15])
    orders = pl.DataFrame(
        {
            "customer": buyer,
            "revenue": np.where(big, rng.lognormal(8, 0.3, n), rng.lognormal(5, 0.3, n)).round(2),
        }
    )
    kept = found(run(orders, tmp_path, "orders.csv"), "concentration")
    assert [c for c in kept if c["evidence"]["measure"] == "revenue"], [c["title"] for c in kept]


def test_an_entity_with_most_rows_repeats_its_own_amounts_by_chance(tmp_path: Path) -> None:
    """One big customer places 80% of the orders, from a price list times small quantities: the
    same amount comes back often, and no other customer's orders make it look rare."""
    rng = np.random.default_rng(15)
    n = 6000
    prices = rng.uniform(5, 80, 400).round(2)
    big = rng.random(n) < 0.8
    customer = np.where(big, "Cust 001", rng.choice([f"Cust {k:03d}" for k in range(2, 60)], n))
    amount = (rng.choice(prices, n) * rng.integers(1, 4, n)).round(2)
    orders = pl.DataFrame(
        {"customer": customer, "region": rng.choice(["N", "S", "E", "W"], n), "sales": amount}
    )
    assert not found(run(orders, tmp_path, "orders.csv"), "repeats")


def _catalogue(rng: np.random.Generator, last_share: float) -> pl.DataFrame:
    """Films by year of release, a list made partway through its last year; the earliest years hold
    a handful of films each."""
    years = np.arange(1900, 2006)
    per_year = np.round(3 + 400 / (1 + np.exp(-(years - 1960) / 12))).astype(int)
    per_year[-1] = int(per_year[-1] * last_share)
    year = np.repeat(years, per_year)
    return pl.DataFrame(
        {
            "title": [f"film {k}" for k in range(year.size)],
            "year": year,
            "length": rng.normal(90, 15, year.size).round(0),
            "budget": rng.lognormal(15, 1, year.size).round(-3),
        }
    )


def test_a_last_year_with_a_fraction_of_the_rows_is_a_list_cut_short(tmp_path: Path) -> None:
    result = run(_catalogue(np.random.default_rng(60), 0.18), tmp_path, "films.csv")
    about_2005 = [
        i["title"]
        for i in result["insights"]
        if "2005" in i["text"] and i["type"] in ("period_change", "anomaly", "change_point")
    ]
    assert not about_2005, about_2005


def test_a_handful_of_films_in_an_early_year_is_no_anomaly(tmp_path: Path) -> None:
    """3 films in 1901 where 6 were expected: Poisson's luck, however steady the later years."""
    for seed in range(5):
        df = _catalogue(np.random.default_rng(61 + seed), 1.0)
        early = df.filter(pl.col("year") >= 1905).vstack(
            df.filter(pl.col("year") < 1905).sample(fraction=0.6, seed=seed)
        )
        result = run(early.sort("year"), tmp_path, "films.csv")
        odd = [
            i["title"]
            for i in result["insights"]
            if i["type"] == "anomaly" and i["evidence"]["measureKind"] == "count"
        ]
        assert not odd, (seed, odd)


def test_a_flow_s_leader_is_said_once_by_its_share_not_again_by_its_mean(tmp_path: Path) -> None:
    """Claims of one region far above the others: it leads the total and its mean stands out."""
    rng = np.random.default_rng(64)
    n = 3000
    region = rng.choice(["north", "south", "east", "west", "centre"], n)
    amount = rng.lognormal(5, 0.6, n) * np.where(region == "north", 4.0, 1.0)
    df = pl.DataFrame({"region": region, "amount": amount.round(2), "kind": rng.choice(["a", "b"], n)})
    result = run(df, tmp_path, "claims.csv")
    north = [
        i["type"]
        for i in result["insights"]
        if i["evidence"].get("dimension") == "region"
        and i["evidence"].get("entity") == "north"
        and i["type"] in ("category_outlier", "top_contributor")
    ]
    assert north == ["top_contributor"], [i["title"] for i in result["insights"]]


def test_a_column_and_its_later_version_named_alike_are_one_dimension(tmp_path: Path) -> None:
    """League at the end of one season and NewLeague at the start of the next: a few players move."""
    rng = np.random.default_rng(66)
    n = 600
    league = rng.choice(["A", "N"], n)
    moved = rng.random(n) < 0.06
    new_league = np.where(moved, np.where(league == "A", "N", "A"), league)
    homers = rng.poisson(np.where(league == "A", 13.0, 9.0))
    df = pl.DataFrame(
        {"league": league, "division": rng.choice(["E", "W"], n), "homers": homers, "new_league": new_league}
    )
    result = run(df, tmp_path, "players.csv")
    by = [
        i["evidence"].get("dimension") for i in result["insights"] if i["evidence"].get("measure") == "homers"
    ]
    assert len([d for d in by if d in ("league", "new_league")]) == 1, [
        i["title"] for i in result["insights"]
    ]
    assert not [i for i in result["insights"] if i["type"] == "drill_down"], [
        i["title"] for i in result["insights"]
    ]


def test_a_percentage_or_years_run_together_in_a_name_are_levels() -> None:
    """percmino (the share of a minority, a school's figure repeated for each pupil) and sameGovYrs
    are averaged, never summed; the name says so whatever the values look like."""
    from engine.analysis.semantics.measures import measure_kind, name_tells_kind

    for name in ("percmino", "sameGovYrs", "percentage_female"):
        assert name_tells_kind(name, None) and measure_kind(name, None, False)[0] == "level", name


def test_the_mean_of_a_thin_month_is_judged_by_its_own_spread(tmp_path: Path) -> None:
    """Monthly claims over four years, 300 a month but six in five months: six claims' mean strays
    from the usual by chance far more than three hundred claims' does."""
    for seed in range(3):
        rng = np.random.default_rng(74 + seed)
        rows = []
        for month in range(48):
            start = dt.date(2020 + month // 12, month % 12 + 1, 1)
            k = 6 if month in (9, 17, 26, 33, 41) else 300
            rows += [(start, float(a)) for a in rng.gamma(2.0, 40.0, k)]
        df = pl.DataFrame(rows, schema=["month", "processing_days"], orient="row")
        df = df.with_columns(
            pl.col("processing_days").round(1), region=pl.Series(rng.choice(["n", "s"], df.height))
        )
        result = run(df, tmp_path, "claims.csv")
        odd = [
            i["title"]
            for i in result["insights"]
            if i["type"] == "anomaly" and i["evidence"]["agg"] == "mean"
        ]
        assert not odd, (seed, odd)
