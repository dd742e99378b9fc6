"""Findings that restate how a column was made, and wording that misstates a number.

- a status set by a threshold on the measure ("Auto-Approved" below 75) does not "stand out" on it;
- an invoice's total is its subtotal − discount + tax: not a correlation, not a bracket;
- two columns that label the same rows give one finding, not two;
- an id run together with what it numbers (unitid, provnum) is a code, never a KPI;
- a level's trend is not "per year", and its span is the calendar's, not its number of points;
- degrees Celsius, and series on both sides of zero, change by amounts, never by percentages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from engine.analysis import analyze
from engine.analysis.fmt import fmt_change, ratio_scale


def run(df: pl.DataFrame, tmp_path: Path, name: str = "table.csv") -> dict[str, Any]:
    path = tmp_path / name
    df.write_csv(path)
    return analyze(path)


def about(result: dict[str, Any], column: str) -> list[str]:
    return [
        i["title"]
        for i in result["insights"]
        if column in i["evidence"]["columns"] + [i["evidence"]["dimension"]]
    ]


def test_a_status_set_by_a_threshold_on_the_measure_is_no_finding_about_it(tmp_path: Path) -> None:
    rng = np.random.default_rng(21)
    n = 2000
    amount = rng.lognormal(4.6, 0.8, n).round(2)
    status = np.where(
        amount < 75, "Auto-Approved", rng.choice(["Manager Approved", "Rejected"], n, p=[0.8, 0.2])
    )
    df = pl.DataFrame(
        {"employee": rng.choice([f"E{k}" for k in range(40)], n), "amount": amount, "status": status}
    )
    result = run(df, tmp_path, "claims.csv")
    assert not [t for t in about(result, "status") if "amount" in t.lower()], about(result, "status")


def test_an_invoice_total_built_from_its_parts_is_not_a_finding(tmp_path: Path) -> None:
    rng = np.random.default_rng(22)
    n = 3000
    subtotal = rng.lognormal(4.5, 0.7, n).round(2)
    discount = np.where(rng.random(n) < 0.3, (subtotal * 0.1).round(2), 0.0)
    tax = ((subtotal - discount) * 0.08).round(2)
    shipping = np.where(subtotal > 100, 0.0, 7.99)
    df = pl.DataFrame(
        {
            "invoice_no": np.arange(1, n + 1),
            "channel": rng.choice(["web", "store", "phone"], n, p=[0.6, 0.3, 0.1]),
            "subtotal": subtotal,
            "discount": discount,
            "tax": tax,
            "shipping": shipping,
            "grand_total": (subtotal - discount + tax + shipping).round(2),
        }
    )
    result = run(df, tmp_path, "invoices.csv")
    relations = result["semantics"]["relations"]
    assert any(r["target"] == "grand_total" and "subtotal" in r["parts"] for r in relations), relations
    pairs = [i["title"] for i in result["insights"] if i["type"] in ("correlation", "bracket")]
    assert not [t for t in pairs if "total" in t.lower()], pairs


def test_two_columns_that_label_the_same_rows_give_one_finding(tmp_path: Path) -> None:
    rng = np.random.default_rng(23)
    n = 3000
    dept = rng.choice(["Sales", "Ops", "IT", "HR"], n)
    centre = {"Sales": 4100, "Ops": 4200, "IT": 4300, "HR": 4400}
    hours = np.where(dept == "Sales", rng.gamma(4, 3.5, n), rng.gamma(4, 1.0, n)).round(2)
    df = pl.DataFrame(
        {
            "department": dept,
            "cost_centre": [centre[d] for d in dept],
            "employee": rng.choice([f"E{k}" for k in range(40)], n),
            "hours_to_approve": hours,
        }
    )
    result = run(df, tmp_path, "approvals.csv")
    outliers = [i for i in result["insights"] if i["type"] == "category_outlier"]
    assert len([i for i in outliers if i["evidence"]["measure"] == "hours_to_approve"]) == 1, [
        i["title"] for i in outliers
    ]
    assert not [k for k in result["kpis"] if "centre" in (k.get("label") or "").lower()]


def test_an_id_run_together_with_what_it_numbers_is_a_code(tmp_path: Path) -> None:
    rng = np.random.default_rng(24)
    n = 400
    df = pl.DataFrame(
        {
            "unitid": rng.choice(np.arange(100_000, 999_999), n, replace=False),
            "provnum": rng.integers(10_000, 99_999, n),
            "state": rng.choice(["NY", "CA", "TX", "OH"], n),
            "cost": rng.lognormal(8, 0.4, n).round(0),
        }
    )
    result = run(df, tmp_path, "colleges.csv")
    measures = {m["name"] for m in result["semantics"]["measures"]}
    assert not measures & {"unitid", "provnum"}, measures


def test_a_level_s_trend_names_its_calendar_span_and_no_rate(tmp_path: Path) -> None:
    years = list(range(1952, 2008, 5))  # a census every five years: 12 points over 56 years
    rng = np.random.default_rng(25)
    df = pl.DataFrame(
        {"year": years, "population": [2.2e9 * 1.017 ** (y - 1952) * rng.normal(1, 0.002) for y in years]}
    )
    trends = [i for i in run(df, tmp_path, "world.csv")["insights"] if i["type"] == "trend"]
    assert trends, "a population that grew 2.5-fold has a trend"
    text = trends[0]["text"]
    assert "over 56 years (12 points)" in text and "per year" not in text, text


def test_changes_on_a_scale_without_a_true_zero_are_amounts(tmp_path: Path) -> None:
    assert not ratio_scale(np.array([-3.0, 10.0, 21.0]), 9.99)  # values on both sides of zero
    assert not ratio_scale(np.array([50.0, 80.0]), 65.0, interval=True)  # degrees Fahrenheit
    assert not ratio_scale(np.array([0.001, 0.05]), -0.0008)  # a base across zero from the values
    assert ratio_scale(np.array([0.48, 17.8]), 0.48)  # earnings that grew 37-fold: a percentage
    assert ratio_scale(np.array([100.0, 180.0]), 120.0)
    assert fmt_change(21.5, 10.0, False) == "+11.5" and fmt_change(150.0, 100.0, True) == "+50%"
    days = [dt.date(2021, 1, 1) + dt.timedelta(days=k) for k in range(3 * 365)]
    rng = np.random.default_rng(26)
    temp = [10 - 12 * np.cos(2 * np.pi * d.timetuple().tm_yday / 365.25) + rng.normal(0, 2) for d in days]
    result = run(pl.DataFrame({"date": days, "temp_c": np.round(temp, 1)}), tmp_path, "weather.csv")
    texts = [i["text"] for i in result["insights"] if i["type"] in ("seasonality", "anomaly", "trend")]
    assert texts, [i["title"] for i in result["insights"]]
    assert not [t for t in texts if "%" in t.split("(p")[0].split("robust")[0]], texts


def test_year_month_and_day_columns_are_a_daily_axis(tmp_path: Path) -> None:
    days = [dt.date(2019, 1, 1) + dt.timedelta(days=k) for k in range(3 * 365)]
    rng = np.random.default_rng(27)
    df = pl.DataFrame(
        {
            "Year": [d.year for d in days],
            "Month": [d.month for d in days],
            "Day": [d.day for d in days],
            "TMAX_F": [
                60 - 20 * np.cos(2 * np.pi * d.timetuple().tm_yday / 365.25) + rng.normal(0, 4) for d in days
            ],
        }
    )
    result = run(df, tmp_path, "station.csv")
    assert result["semantics"]["time"]["grain"] == "day"
    assert result["semantics"]["time"]["source"] == "year_month_day"
    counted = [i["title"] for i in result["insights"] if i["evidence"]["measureKind"] == "count"]
    assert not counted, counted  # rows per month are the calendar's days


def test_the_row_noun_is_not_what_a_column_counts_or_tells_apart() -> None:
    from engine.analysis.semantics.events import row_meaning

    assert row_meaning("affairs.csv", ["naffairs", "kids", "religious"]) == "rows"
    assert row_meaning("black_politicians.csv", ["leg_black", "state", "totpop"]) == "politicians"
    assert row_meaning("tickets.csv", ["ticket_id", "opened", "category"]) == "tickets"


def _tickets(rng: np.random.Generator, n: int, *, interaction: bool) -> pl.DataFrame:
    agents = rng.choice(["Priya", "Omar", "Lena", "Tom", "Ana"], n)
    priority = rng.choice(["1 - High", "2 - Medium", "3 - Low"], n, p=[0.2, 0.5, 0.3])
    slow_agent = np.where(agents == "Priya", 4.0, 1.0)
    slow_priority = np.where(priority == "3 - Low", 2.0, 1.0)
    if interaction:  # Priya's low-priority tickets wait far longer than her others
        slow_priority = np.where((agents == "Priya") & (priority == "3 - Low"), 6.0, slow_priority)
    hours = rng.gamma(3.0, 8.0, n) * slow_agent * slow_priority
    opened = [dt.datetime(2024, 1, 1) + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 500_000, n)]
    closed = [o + dt.timedelta(hours=float(h)) for o, h in zip(opened, hours, strict=True)]
    state = rng.choice(["New", "In Progress", "Resolved", "Closed"], n, p=[0.05, 0.07, 0.1, 0.78])
    return pl.DataFrame(
        {
            "number": [f"INC{k:06d}" for k in range(n)],
            "opened_at": opened,
            "closed_at": [
                None if s in ("New", "In Progress") else c for s, c in zip(state, closed, strict=True)
            ],
            "assigned_to": agents,
            "priority": priority,
            "state": state,
        }
    )


def test_a_drill_down_says_what_is_particular_to_the_segment(tmp_path: Path) -> None:
    """A slow agent and slow low-priority tickets, each slow everywhere: inside the agent, low
    priority is no finding of hers. When her low-priority tickets alone wait longer, it is, once."""
    rng = np.random.default_rng(28)
    plain = run(_tickets(rng, 6000, interaction=False), tmp_path, "incidents.csv")
    drills = [
        i
        for i in plain["insights"]
        if i["type"] == "drill_down" and i["evidence"]["measureKind"] == "duration"
    ]
    assert not drills, [i["title"] for i in drills]
    crossed = run(_tickets(rng, 6000, interaction=True), tmp_path, "incidents.csv")
    cells = [
        {(f["column"], f["equals"]) for f in i["evidence"]["filters"]}
        for i in crossed["insights"]
        if i["type"] == "drill_down" and i["evidence"]["measureKind"] == "duration"
    ]
    assert cells.count({("assigned_to", "Priya"), ("priority", "3 - Low")}) == 1, cells


def test_a_state_that_never_or_always_has_an_end_date_is_no_finding_about_it(tmp_path: Path) -> None:
    result = run(_tickets(np.random.default_rng(29), 4000, interaction=False), tmp_path, "incidents.csv")
    circular = {(c["dimension"], c["measure"]) for c in result["semantics"]["circular"]}
    assert ("state", "share with closed_at") in circular, circular
    about_state = [i["title"] for i in result["insights"] if i["evidence"]["dimension"] == "state"]
    assert not [t for t in about_state if "closed" in t.lower()], about_state


def test_counts_beside_their_group_are_read_as_a_share(tmp_path: Path) -> None:
    """Per score and sex, the cases and the non-cases: their share rises with the score; the two
    counts only say how big each group is."""
    rng = np.random.default_rng(30)
    rows = []
    for sex in ("female", "male"):  # sorted by score within each sex, as such tables are printed
        for score in range(11):
            size = int(rng.integers(3, 90))
            cases = int(rng.binomial(size, 1 / (1 + np.exp(-(score - 4.5)))))
            rows.append({"score": score, "sex": sex, "cases": cases, "non.cases": size - cases})
    result = run(pl.DataFrame(rows), tmp_path, "screening.csv")
    shares = [m for m in result["semantics"]["measures"] if m["name"] == "share of cases"]
    assert shares and shares[0]["unit"] == "percent"
    pairs = [i["title"].lower() for i in result["insights"] if i["type"] == "correlation"]
    assert any("share of cases" in t and "score" in t for t in pairs), pairs
    assert not [t for t in pairs if "share" not in t], pairs  # never the two counts, nor one with the score


def test_a_follow_up_time_beside_its_event_status_is_censored(tmp_path: Path) -> None:
    """Patients entered 1990–2005 and followed to the study's close in 2006: those still alive were
    followed longer, and the latest entries had the least time. Neither is a finding."""
    rng = np.random.default_rng(31)
    n = 600
    entry = rng.integers(1990, 2006, n)
    death = rng.exponential(3000, n)
    window = (2006 - entry) * 365.0 + rng.uniform(0, 365, n)
    time = np.minimum(death, window).round(0)
    df = pl.DataFrame(
        {
            "time": time,
            "status": (death <= window).astype(int),
            "year": entry,
            "sex": rng.choice(["f", "m"], n),
            "age": rng.normal(55, 10, n).round(0),
        }
    )
    result = run(df, tmp_path, "cohort.csv")
    time_measure = [m for m in result["semantics"]["measures"] if m["name"] == "time"]
    assert time_measure, result["semantics"]["measures"]
    about_time = [i["title"] for i in result["insights"] if "time" in i["evidence"]["columns"]]
    assert not [t for t in about_time if "status" in t.lower() or "rising" in t or "falling" in t], about_time
    assert not [i for i in result["insights"] if i["type"] in ("trend", "anomaly", "change_point")]


def test_a_rate_in_percent_of_two_columns_is_their_product(tmp_path: Path) -> None:
    """Exits and the attrition rate (exits per 100 employees) move together because one is made of
    the other; exits add up, month by month and across departments."""
    rng = np.random.default_rng(32)
    rows = []
    for dept, size in (("Eng", 300), ("Sales", 120), ("Support", 200), ("Ops", 80)):
        for k in range(48):
            head = int(size * (1 + 0.01 * k) + rng.normal(0, 3))
            exits = int(rng.poisson(0.02 * head))
            rows.append(
                {
                    "month": dt.date(2020 + k // 12, k % 12 + 1, 1),
                    "department": dept,
                    "headcount": head,
                    "exits": exits,
                    "attrition_rate_pct": round(100 * exits / head, 4),
                }
            )
    result = run(pl.DataFrame(rows), tmp_path, "headcount.csv")
    kinds = {m["name"]: m["kind"] for m in result["semantics"]["measures"]}
    assert kinds["exits"] == "flow", kinds
    relations = [(r["kind"], r["target"], set(r["parts"])) for r in result["semantics"]["relations"]]
    assert ("product", "exits", {"attrition_rate_pct", "headcount"}) in relations, relations
    assert not [
        i for i in result["insights"] if i["type"] == "correlation" and "exits" in i["evidence"]["columns"]
    ]


def test_a_shock_to_a_rate_in_every_entity_shows_in_their_mean(tmp_path: Path) -> None:
    """Twelve countries' unemployment rates, each on its own level, all up four points in 2009–10:
    the countries' mean series shows it; the rates are never summed."""
    rng = np.random.default_rng(33)
    rows = []
    for country in [f"C{k:02d}" for k in range(12)]:
        base = rng.uniform(3, 10)
        for year in range(2000, 2021):
            shock = 4.0 if year in (2009, 2010) else 0.0
            rows.append(
                {
                    "country": country,
                    "year": year,
                    "unemployment_rate": round(base + shock + rng.normal(0, 0.3), 2),
                }
            )
    result = run(pl.DataFrame(rows), tmp_path, "unemployment.csv")
    flagged = {
        i["evidence"]["aggregates"].get("date", "")[:4]
        for i in result["insights"]
        if i["type"] in ("anomaly", "change_point") and i["evidence"]["measure"] == "unemployment_rate"
    }
    assert flagged & {"2009", "2010"}, [i["title"] for i in result["insights"]]
    shown = [k["value"] for k in result["kpis"] if k.get("measure") == "unemployment_rate"]
    assert all(v < 20 for v in shown), shown


def test_a_dose_per_kilo_beside_the_weight_is_the_weight_s_inverse(tmp_path: Path) -> None:
    rng = np.random.default_rng(34)
    subjects = 14
    weight = rng.uniform(50, 90, subjects).round(1)
    dose = (320 / weight).round(2)  # one 320 mg tablet, written per kilo
    heaviest = int(np.argmax(weight))
    dose[heaviest] = round(dose[heaviest] * 1.6, 2)  # one subject had a larger tablet: no perfect rank order
    rows = [
        {
            "subject": k,
            "weight_kg": weight[k],
            "dose_mg_per_kg": dose[k],
            "hour": h,
            "conc": float(rng.gamma(4, 1.5)),
        }
        for k in range(subjects)
        for h in (0.25, 0.5, 1, 2, 4, 6, 8, 12, 24)
    ]
    result = run(pl.DataFrame(rows), tmp_path, "theophylline.csv")
    tied = [set([r["target"], *r["parts"]]) for r in result["semantics"]["relations"]]
    assert {"weight_kg", "dose_mg_per_kg"} in tied, tied


def test_a_unit_column_converts_the_numbers_and_segments_nothing(tmp_path: Path) -> None:
    rng = np.random.default_rng(35)
    metres = rng.normal(13, 3, 120)
    unit = rng.choice(["metres", "feet"], 120)
    df = pl.DataFrame({"unit": unit, "width": np.where(unit == "feet", metres * 3.28, metres).round(0)})
    result = run(df, tmp_path, "rooms.csv")
    assert not [i["title"] for i in result["insights"] if i["evidence"]["dimension"] == "unit"]
    business = pl.DataFrame({"business_unit": unit, "width": df["width"]})  # a business unit does segment
    kept = run(business, tmp_path, "units.csv")
    assert [i for i in kept["insights"] if i["evidence"]["dimension"] == "business_unit"]


def test_a_season_s_peak_is_read_beside_the_trend_not_through_it(tmp_path: Path) -> None:
    """A steep rise with a small yearly wave peaking in May: within each year the trend lifts the
    late months, so their raw averages put the peak later than the wave has it."""
    months = [dt.date(2000 + (k + 2) // 12, (k + 2) % 12 + 1, 1) for k in range(126)]  # Mar 2000 - Aug 2010
    rng = np.random.default_rng(36)
    level = [
        300 + 1.5 * k + 3 * np.cos(2 * np.pi * (d.month - 5) / 12) + rng.normal(0, 0.2)
        for k, d in enumerate(months)
    ]
    result = run(pl.DataFrame({"month": months, "co2_ppm": np.round(level, 2)}), tmp_path, "co2.csv")
    (season,) = [i for i in result["insights"] if i["type"] == "seasonality"]
    assert season["evidence"]["aggregates"]["peak"] == "May", season["text"]
    assert season["evidence"]["aggregates"]["trough"] == "November", season["text"]


def _stores(rng: np.random.Generator, stores: int, fallen: int | None = None) -> pl.DataFrame:
    """Two years of monthly sales per store, December 30% up; store `fallen` loses 40% from month 15."""
    rows = []
    for store in range(stores):
        size = rng.uniform(8_000, 40_000)
        for k in range(24):
            month = dt.date(2023 + k // 12, k % 12 + 1, 1)
            drop = 0.6 if store == fallen and k >= 14 else 1.0
            sales = size * rng.uniform(8, 12) * drop * (1.3 if month.month == 12 else 1.0)
            rows.append({"store": f"Store #{store}", "month": month, "net_sales": round(sales, 2)})
    return pl.DataFrame(rows)


def test_a_peak_every_december_in_two_years_is_a_season_not_two_anomalies(tmp_path: Path) -> None:
    result = run(_stores(np.random.default_rng(37), 30), tmp_path, "stores.csv")
    kinds = {i["type"]: i for i in result["insights"]}
    assert "anomaly" not in kinds and "period_change" not in kinds, [i["title"] for i in result["insights"]]
    assert kinds["seasonality"]["evidence"]["aggregates"]["peak"] == "December"


def test_a_store_whose_sales_step_down_is_no_season(tmp_path: Path) -> None:
    """Two years of stores' sales; one loses 40% from its fifteenth month. Over two years one
    yearly wave can bend to a step too, but a step fits it better: it is the store that fell most."""
    result = run(_stores(np.random.default_rng(39), 20, fallen=7), tmp_path, "stores.csv")
    fell = [
        i for i in result["insights"] if i["type"] == "entity_trend" and i["evidence"]["direction"] == "down"
    ]
    assert fell and fell[0]["evidence"]["entity"] == "Store #7", [i["title"] for i in result["insights"]]


def test_a_yes_no_outcome_reads_as_its_rate_per_value_once(tmp_path: Path) -> None:
    rng = np.random.default_rng(40)
    n = 4000
    carrier = rng.choice(["FastFreight", "Ace", "Blue", "Coast"], n)
    late = rng.random(n) < np.where(carrier == "FastFreight", 0.37, 0.08)
    df = pl.DataFrame({"carrier": carrier, "late": late, "weight_kg": rng.gamma(3, 5, n).round(1)})
    result = run(df, tmp_path, "shipments.csv")
    drills = [i for i in result["insights"] if i["type"] == "drill_down"]
    rates = [i for i in drills if i["evidence"]["aggregates"].get("rateOf") == "late = true"]
    assert len(rates) == 1 and rates[0]["evidence"]["aggregates"]["rate"] > 0.3, [i["title"] for i in drills]
    counts = [i["title"] for i in result["insights"] if i["type"] == "count_distribution"]
    assert not [t for t in counts if "late" in t.lower()], counts  # not "late = false holds 85%, against 50%"


def test_a_time_unit_in_the_name_makes_a_measure_not_a_calendar_part(tmp_path: Path) -> None:
    rng = np.random.default_rng(41)
    n = 2000
    channel = rng.choice(["chat", "email", "phone"], n)
    minutes = np.where(channel == "email", rng.gamma(4, 30, n), rng.gamma(4, 1, n)).round(1)
    df = pl.DataFrame(
        {"Channel": channel, "First Response (min)": minutes, "promised_days": rng.integers(1, 40, n)}
    )
    result = run(df, tmp_path, "chats.csv")
    measures = {m["name"] for m in result["semantics"]["measures"]}
    assert {"First Response (min)", "promised_days"} <= measures, measures


def test_a_trend_states_what_was_seen_at_its_ends(tmp_path: Path) -> None:
    years = list(range(1790, 2001, 10))
    population = [
        3.9e6 * (1.3 ** (k / 1.0)) if k < 8 else 3.9e6 * 1.3**8 * (1.15 ** (k - 8)) for k in range(len(years))
    ]
    result = run(pl.DataFrame({"year": years, "population": np.round(population)}), tmp_path, "uspop.csv")
    (trend,) = [i for i in result["insights"] if i["type"] == "trend"]
    first, last = np.mean(np.round(population[:2])), np.mean(np.round(population[-2:]))  # a tenth at each end
    assert fmt_num_close(trend["text"], first) and fmt_num_close(trend["text"], last), trend["text"]
    assert "×" in trend["text"], trend["text"]  # 41-fold, not "+4000%"


def fmt_num_close(text: str, value: float) -> bool:
    from engine.analysis.fmt import fmt_num

    return fmt_num(value) in text


def test_a_poll_percentage_is_no_count_out_of_its_sample(tmp_path: Path) -> None:
    rng = np.random.default_rng(42)
    n = 80
    df = pl.DataFrame(
        {
            "pollster": rng.choice(["A", "B", "C", "D"], n),
            "mccain": rng.integers(38, 50, n),
            "n": rng.integers(400, 3000, n),
        }
    )
    result = run(df, tmp_path, "polls.csv")
    assert not [m for m in result["semantics"]["measures"] if m["name"].startswith("share of")]


def _resumes(rng: np.random.Generator, rate_a: float, rate_b: float, n: int = 6000) -> pl.DataFrame:
    group = rng.choice(["A", "B"], n)
    callback = rng.random(n) < np.where(group == "A", rate_a, rate_b)
    return pl.DataFrame(
        {
            "applicant": [f"p{i:05d}" for i in range(n)],
            "name_group": group,
            "city": rng.choice(["Boston", "Chicago"], n),
            "callback": np.where(callback, "yes", "no"),
        }
    )


def test_a_rare_outcome_that_differs_by_group_reads_as_its_rate_per_group(tmp_path: Path) -> None:
    """10% against 6.5% callbacks: three points apart, and half as many again; an analyst reports it."""
    result = run(_resumes(np.random.default_rng(43), 0.10, 0.065), tmp_path, "resumes.csv")
    rates = [
        i
        for i in result["insights"]
        if i["type"] == "drill_down" and i["evidence"]["aggregates"].get("rateOf") == "callback = true"
    ]
    assert rates, [i["title"] for i in result["insights"]]
    (rate,) = rates
    assert (rate["evidence"]["dimension"], rate["evidence"]["entity"]) == ("name_group", "A"), rate["title"]
    assert rate["evidence"]["aggregates"]["rate"] > rate["evidence"]["aggregates"]["rateElsewhere"]


def test_the_same_rate_in_every_group_is_no_finding(tmp_path: Path) -> None:
    for seed in range(10):
        result = run(_resumes(np.random.default_rng(100 + seed), 0.08, 0.08), tmp_path, "resumes.csv")
        drills = [i["title"] for i in result["insights"] if i["type"] == "drill_down"]
        assert not drills, (seed, drills)


def test_a_rate_found_from_either_column_is_reported_once(tmp_path: Path) -> None:
    """Survival among women, and women among survivors, drilled from either side: one rate."""
    rng = np.random.default_rng(44)
    n = 1300
    sex = rng.choice(["female", "male"], n, p=[0.36, 0.64])
    cls = rng.choice(["1st", "2nd", "3rd"], n, p=[0.25, 0.21, 0.54])
    by_class = np.select([cls == "1st", cls == "2nd"], [1.3, 1.0], 0.7)
    survived = rng.random(n) < np.clip(np.where(sex == "female", 0.73, 0.19) * by_class, 0, 1)
    df = pl.DataFrame({"sex": sex, "passengerClass": cls, "survived": np.where(survived, "yes", "no")})
    result = run(df, tmp_path, "passengers.csv")
    about = [
        (
            i["evidence"]["aggregates"]["rateOf"],
            frozenset((f["column"], str(f["equals"]).lower()) for f in i["evidence"]["filters"]),
        )
        for i in result["insights"]
        if i["type"] == "drill_down" and i["evidence"]["aggregates"].get("rateOf")
    ]
    women = [a for a in about if ("sex", "female") in a[1] or ("sex", "male") in a[1]]
    assert len(women) == 1, [i["title"] for i in result["insights"]]


def test_a_yes_no_column_against_itself_later_is_no_rate(tmp_path: Path) -> None:
    """Urban in 1966 and urban in 1976: that it persists is no finding; urban and insured may be."""
    rng = np.random.default_rng(45)
    n = 3000
    smsa66 = rng.random(n) < 0.6
    smsa76 = np.where(rng.random(n) < 0.9, smsa66, ~smsa66)
    df = pl.DataFrame({"smsa66": smsa66, "smsa76": smsa76, "region": rng.choice(["north", "south"], n)})
    result = run(df, tmp_path, "schooling.csv")
    assert not [i["title"] for i in result["insights"] if i["type"] == "drill_down"]


def _subscribers(rng: np.random.Generator, n: int = 4000) -> pl.DataFrame:
    """A telecom export: a dozen usage columns, then minutes and their charge (a tariff times the
    minutes, in cents), two yes/no plans and churn, which the international plan raises."""
    plan = rng.random(n) < 0.1
    voice = rng.random(n) < 0.27
    messages = np.where(voice, rng.integers(4, 50, n), 0)
    messages[np.flatnonzero(voice)[0]] = 0  # one subscriber with the plan who never got a message
    churn = rng.random(n) < np.where(plan, 0.42, 0.11)
    columns: dict[str, Any] = {f"usage_{k:02d}": rng.normal(100, 20, n).round(1) for k in range(12)}
    minutes = rng.normal(10, 2.8, n).clip(0).round(1)
    return pl.DataFrame(
        {
            **columns,
            "intl_minutes": minutes,
            "intl_charge": (minutes * 0.27).round(2),
            "international_plan": np.where(plan, "yes", "no"),
            "voice_mail_plan": np.where(voice, "yes", "no"),
            "vmail_messages": messages,
            "churn": np.where(churn, "yes", "no"),
        }
    )


def test_a_charge_for_minutes_past_the_first_dozen_measures_is_tied_to_them(tmp_path: Path) -> None:
    result = run(_subscribers(np.random.default_rng(46)), tmp_path, "subscribers.csv")
    tied = [
        r
        for r in result["semantics"]["relations"]
        if {r["target"], *r["parts"]} == {"intl_minutes", "intl_charge"}
    ]
    assert tied, result["semantics"]["relations"]
    pairs = [i["title"] for i in result["insights"] if i["type"] == "correlation"]
    assert not [t for t in pairs if "intl" in t.lower()], pairs


def test_two_yes_no_columns_give_one_finding_from_either_side(tmp_path: Path) -> None:
    """Churn among international-plan subscribers, and the plan among churners: one 2×2 table."""
    result = run(_subscribers(np.random.default_rng(47)), tmp_path, "subscribers.csv")
    pair = {"international_plan", "churn"}
    drills = [
        i
        for i in result["insights"]
        if i["type"] == "drill_down" and {f["column"] for f in i["evidence"]["filters"]} == pair
    ]
    assert len(drills) == 1, [i["title"] for i in result["insights"]]
    assert drills[0]["evidence"]["aggregates"]["rateOf"].startswith("churn"), drills[0]["title"]


def test_a_count_that_only_one_plan_can_have_is_no_finding_about_the_plan(tmp_path: Path) -> None:
    """No voice-mail plan, no messages (one subscriber with the plan has none yet): a definition."""
    df = _subscribers(np.random.default_rng(48)).select(
        "voice_mail_plan", "vmail_messages", "intl_minutes", "churn"
    )
    result = run(df, tmp_path, "subscribers.csv")
    assert not [t for t in about(result, "voice_mail_plan") if "messages" in t.lower()], about(
        result, "voice_mail_plan"
    )


def test_the_measure_churners_differ_on_is_segmented_though_it_comes_last(tmp_path: Path) -> None:
    """A wide export: a dozen usage columns that nothing splits, then the minutes of daytime calls,
    which churners make more of. The segment budget goes to the measure the categories split."""
    rng = np.random.default_rng(49)
    df = _subscribers(rng)
    churn = (df["churn"] == "yes").to_numpy()
    df = df.with_columns(pl.Series("day_minutes", (rng.normal(175, 50, df.height) + 32 * churn).round(1)))
    result = run(df, tmp_path, "subscribers.csv")
    found = [
        i["title"]
        for i in result["insights"]
        if i["evidence"].get("measure") == "day_minutes" and i["evidence"].get("dimension") == "churn"
    ]
    assert found, [i["title"] for i in result["insights"]]


def test_a_drill_down_title_names_the_value_found_inside_the_segment(tmp_path: Path) -> None:
    """Eight-cylinder cars are all American: the title says "in origin 1", not the segment again."""
    rng = np.random.default_rng(50)
    n = 400
    cylinders = rng.choice([4, 6, 8], n, p=[0.5, 0.25, 0.25])
    origin = np.where(cylinders == 8, 1, rng.choice([1, 2, 3], n, p=[0.4, 0.3, 0.3]))
    mpg = (45 - 3.2 * cylinders + rng.normal(0, 3, n)).round(1)
    df = pl.DataFrame({"mpg": mpg, "cylinders": cylinders, "origin": origin})
    result = run(df, tmp_path, "auto.csv")
    drills = [
        i
        for i in result["insights"]
        if i["type"] == "drill_down" and not i["evidence"]["aggregates"].get("rateOf")
    ]
    assert drills, [i["title"] for i in result["insights"]]
    for i in drills:
        found = i["evidence"]["drillDown"]
        assert f"{found['dimension']} {found['value']}".lower() in i["title"].lower(), i["title"]


def _histories(rng: np.random.Generator, n: int = 900) -> pl.DataFrame:
    """Transplant patients followed for recovery, relapse and death, each time closed by a status
    named after it (rec and rec.s), entered in three periods and followed to the study's close."""
    period = rng.choice(["1985-1989", "1990-1994", "1995-1998"], n)
    window = np.select([period == "1985-1989", period == "1990-1994"], [4500.0, 2800.0], 1200.0)
    window = window * rng.uniform(0.7, 1.0, n)
    death = rng.exponential(2500, n)
    srv = np.minimum(death, window)
    relapse = rng.exponential(4000, n)
    rel = np.minimum(relapse, srv)
    recovery = rng.exponential(40, n)
    rec = np.minimum(recovery, srv)
    return pl.DataFrame(
        {
            "rec": rec.round(0),
            "rec.s": (recovery <= srv).astype(int),
            "rel": rel.round(0),
            "rel.s": (relapse <= srv).astype(int),
            "srv": srv.round(0),
            "srv.s": (death <= window).astype(int),
            "year": period,
            "agecl": rng.choice(["<=20", "20-40", ">40"], n, p=[0.2, 0.5, 0.3]),
            "donor": rng.choice(["match", "mismatch"], n, p=[0.7, 0.3]),
        }
    )


def test_times_of_several_events_are_not_compared_across_their_statuses(tmp_path: Path) -> None:
    """A multi-state history: every time is cut short by the study's close and by the other events,
    so no time differs "by" a status, none "stands out" in the earliest period of entry, and one
    status beside another only repeats the design (no relapse after death)."""
    result = run(_histories(np.random.default_rng(51)), tmp_path, "transplants.csv")
    statuses = {"rec.s", "rel.s", "srv.s"}
    for i in result["insights"]:
        columns = set(i["evidence"]["columns"]) | {i["evidence"].get("dimension")}
        times = columns & {"rec", "rel", "srv"}
        assert not (times and columns & (statuses | {"year"})), i["title"]
        if i["type"] == "drill_down":
            filtered = {f["column"] for f in i["evidence"]["filters"]}
            assert not filtered <= statuses, i["title"]


def test_overall_survival_beside_death_and_its_log_are_censored(tmp_path: Path) -> None:
    rng = np.random.default_rng(52)
    n = 500
    death = rng.exponential(40, n)
    window = rng.uniform(10, 80, n)
    months = np.minimum(death, window).round(1) + 0.1
    df = pl.DataFrame(
        {
            "OS": months,
            "logOS": np.log(months).round(4),
            "Death": (death <= window).astype(int),
            "stage": rng.choice(["I", "II", "III"], n),
            "marker": rng.normal(10, 2, n).round(2),
        }
    )
    result = run(df, tmp_path, "liver.csv")
    about = [i["title"] for i in result["insights"] if {"OS", "logOS"} & set(i["evidence"]["columns"])]
    assert not [t for t in about if "death" in t.lower()], about


def _credit(seed: int, rating_noise: float) -> pl.DataFrame:
    """Card accounts: a rating made from the credit limit (give or take `rating_noise`), an income
    loosely tied to it, and a town's density in two census years."""
    rng = np.random.default_rng(seed)
    n = 400
    limit = rng.lognormal(8.4, 0.5, n).round(-1)
    density = rng.lognormal(5, 1, n)
    return pl.DataFrame(
        {
            "limit": limit,
            "rating": (limit / 14 + rng.normal(0, rating_noise, n)).round(0),
            "income": (limit / 90 + rng.normal(0, 25, n)).round(1),
            "density_2016": density.round(1),
            "density_2021": (density * rng.normal(1.03, 0.04, n)).round(1),
        }
    )


def test_a_formula_names_only_the_parts_it_needs(tmp_path: Path) -> None:
    """A rating made from the limit alone is no sum of the limit and two unrelated columns (which,
    moving together, can take weights that cancel)."""
    for seed in (62, 63, 64):
        result = run(_credit(seed, 5), tmp_path, "credit.csv")
        for r in result["semantics"]["relations"]:
            tied = {r["target"], *r["parts"]}
            assert not (
                tied & {"density_2016", "density_2021"} and tied - {"density_2016", "density_2021"}
            ), (
                seed,
                r,
            )


def test_two_columns_that_are_one_quantity_are_no_correlation(tmp_path: Path) -> None:
    """A credit limit and the rating computed from it; a town's density in two census years."""
    result = run(_credit(62, 20), tmp_path, "credit.csv")
    pairs = [set(i["evidence"]["measures"]) for i in result["insights"] if i["type"] == "correlation"]
    assert {"limit", "rating"} not in pairs and {"density_2016", "density_2021"} not in pairs, pairs
    assert {"limit", "income"} in pairs or {"rating", "income"} in pairs, pairs


def test_causes_far_apart_by_nature_are_no_brackets_and_a_standard_error_no_measure(tmp_path: Path) -> None:
    """Death rates by cause, region and sex beside each rate's standard error: heart disease and
    cancer far above the other causes is the finding, not a status defined by the rate."""
    rng = np.random.default_rng(68)
    causes = {"Heart disease": 190, "Cancer": 180, "Stroke": 38, "Diabetes": 22, "Suicide": 14, "Flu": 15}
    rows = [
        (region, sex, cause, base * (1.25 if sex == "Male" else 0.8) * rng.lognormal(0, 0.12))
        for region in [f"Region {k:02d}" for k in range(1, 11)]
        for sex in ("Male", "Female")
        for cause, base in causes.items()
    ]
    df = pl.DataFrame(rows, schema=["Region", "Sex", "Cause", "Rate"], orient="row")
    df = df.with_columns(
        pl.col("Rate").round(1), SE=(pl.col("Rate") * 0.01 * pl.lit(rng.uniform(0.5, 2, df.height))).round(1)
    )
    result = run(df, tmp_path, "mortality.csv")
    assert ("Cause", "Rate") not in {(c["dimension"], c["measure"]) for c in result["semantics"]["circular"]}
    assert "SE" not in [m["name"] for m in result["semantics"]["measures"]]
    leaders = [i for i in result["insights"] if i["evidence"].get("dimension") == "Cause"]
    assert leaders, [i["title"] for i in result["insights"]]


def test_numbered_variables_are_different_variables(tmp_path: Path) -> None:
    """V1 … V6 scores of one biopsy: V2 and V3 moving together is the finding, not one variable twice."""
    rng = np.random.default_rng(69)
    n = 600
    base = rng.normal(0, 1, n)
    df = pl.DataFrame(
        {f"V{k}": (rng.normal(0, 1, n) + (2.2 * base if k in (2, 3) else 0)).round(2) for k in range(1, 7)}
    ).with_columns(group=pl.Series(rng.choice(["a", "b"], n)))
    result = run(df, tmp_path, "biopsy.csv")
    pairs = [set(i["evidence"]["measures"]) for i in result["insights"] if i["type"] == "correlation"]
    assert {"V2", "V3"} in pairs, [i["title"] for i in result["insights"]]


def test_a_survival_status_is_still_drilled_against_a_covariate(tmp_path: Path) -> None:
    """Deaths concentrated among ulcerated tumours: the table's prognostic finding stays."""
    rng = np.random.default_rng(70)
    df = _histories(rng).select("srv", "srv.s", "year", "agecl")
    died = (df["srv.s"] == 1).to_numpy()
    ulcer = np.where(rng.random(df.height) < np.where(died, 0.75, 0.3), 1, 0)
    result = run(df.with_columns(ulcer=pl.Series(ulcer)), tmp_path, "melanoma.csv")
    drills = [
        i["title"]
        for i in result["insights"]
        if i["type"] == "drill_down" and {f["column"] for f in i["evidence"]["filters"]} == {"srv.s", "ulcer"}
    ]
    assert drills, [i["title"] for i in result["insights"]]


def test_a_measure_that_is_one_value_per_category_is_its_attribute(tmp_path: Path) -> None:
    """Pitches by count (3-2, 0-1 ...) beside the balls of that count: 3-2 "averages 3 balls"."""
    rng = np.random.default_rng(71)
    n = 1500
    balls, strikes = rng.integers(0, 4, n), rng.integers(0, 3, n)
    df = pl.DataFrame(
        {
            "Count": [f"{b}-{s}" for b, s in zip(balls, strikes, strict=True)],
            "BallCount": balls,
            "StartSpeed": (rng.normal(92, 3, n) - 0.8 * balls).round(1),
            "PitchType": rng.choice(["FF", "SL", "CU"], n),
        }
    )
    result = run(df, tmp_path, "pitches.csv")
    assert not [
        i["title"] for i in result["insights"] if set(i["evidence"]["columns"]) >= {"Count", "BallCount"}
    ]


def test_numbers_of_communities_and_mothers_are_codes(tmp_path: Path) -> None:
    """Children by community (numbers 1-240 with gaps, the file sorted by them) and by mother: ids,
    never "the average community differs by ethnicity"."""
    rng = np.random.default_rng(72)
    communities = np.sort(rng.choice(np.arange(1, 241), 160, replace=False))
    comm = np.repeat(communities, rng.integers(8, 20, communities.size))
    n = comm.size
    ethn = np.where(comm < 120, rng.choice(["L", "N"], n, p=[0.8, 0.2]), rng.choice(["L", "N", "M"], n))
    df = pl.DataFrame(
        {
            "kid": np.arange(1, n + 1),
            "mom": np.sort(rng.integers(1, int(n * 0.75), n)),
            "comm": comm,
            "ethn": ethn,
            "pcInd81": np.repeat(
                rng.uniform(0, 0.9, communities.size), np.bincount(np.searchsorted(communities, comm))
            ),
            "immun": rng.choice(["yes", "no"], n),
        }
    )
    result = run(df, tmp_path, "immunisation.csv")
    measures = {m["name"] for m in result["semantics"]["measures"]}
    assert not measures & {"kid", "mom", "comm"}, measures


def test_an_age_in_a_panel_moves_with_the_calendar_and_has_no_trend(tmp_path: Path) -> None:
    """Employees followed 2000-2015: each one's age rises a year a year by construction; their
    salaries rising is the finding."""
    rng = np.random.default_rng(73)
    rows = []
    for k in range(40):
        birth, base = int(rng.integers(1950, 1980)), rng.uniform(30, 60)
        for year in range(2000, 2016):
            salary = round(base * 1.03 ** (year - 2000) + rng.normal(0, 2), 1)
            rows.append((f"emp_{k:02d}", year, year - birth, salary))
    df = pl.DataFrame(rows, schema=["employee", "year", "age", "salary_k"], orient="row")
    result = run(df, tmp_path, "staff.csv")
    over_time = [i for i in result["insights"] if i["type"] in ("trend", "entity_trend", "change_point")]
    assert over_time and all(i["evidence"]["measure"] != "age" for i in over_time), [
        i["title"] for i in result["insights"]
    ]
