"""Corpus cases on generated operational exports: each names the findings planted in it."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from tests.engine.analysis.corpus import generators as gen
from tests.engine.analysis.corpus.facts import corr, mean_by, share, slope, top_share
from tests.engine.analysis.corpus.matchers import (
    Case,
    Fact,
    Find,
    Pred,
    Relation,
    drill,
    entity_not,
    ev,
    quality_code,
    share_between,
    term,
)

SEGMENT_TYPES = ("category_outlier", "segment_comparison")


def _hardware_scope(ins: dict) -> bool:
    """A text finding within the Hardware segment (by entity or by filter)."""
    e = ev(ins)
    in_filter = any(
        f.get("column") == "category" and f.get("equals") == gen.TOP_CATEGORY for f in e.get("filters") or []
    )
    return e.get("entity") == gen.TOP_CATEGORY or in_filter


CASES: list[Case] = [
    Case(
        name="it_tickets",
        source="generators.tickets (3,000 incidents, 2024)",
        covers="event table with no numeric column; duration from opened/closed; person entity (agent) and "
        "high-cardinality caller; count distribution, drill-down, text terms with codes, one agent's rising "
        "duration, volume vs duration over weeks, negative durations as data quality",
        load=gen.tickets,
        file="incidents.csv",
        table_kind=("events",),
        row_meaning=("incidents",),
        time=("opened_at",),
        grain=("hour", "day"),
        time_source=("datetime",),
        count_measure=True,
        durations=(("opened_at", "closed_at"),),
        codes=("number",),
        entities=("assigned_to", "caller"),
        text=("short_description",),
        expect=(
            Find(
                "count_distribution",
                dimension="category",
                entity="Hardware",
                direction="up",
                measure_kind="count",
                top=5,
                why="Hardware holds ~59% of incidents, of 5 categories",
            ),
            Find(
                "drill_down",
                entity="Hardware",
                where=(drill("location", "Australia"),),
                why="Hardware incidents: 74% in Australia vs 15% elsewhere",
            ),
            Find(
                ("count_distribution", "top_contributor"),
                dimension="assigned_to",
                entity=gen.BUSY_AGENT,
                direction="up",
                why="Beth Anglin is assigned 18% of incidents, 2.4× any of the 11 other agents",
            ),
            Find(
                "segment_trend",
                dimension="assigned_to",
                entity=gen.RISING_AGENT,
                direction="up",
                measure_kind="duration",
                why="Fred Luddy's mean resolution time rises from ~11 h to ~40 h; the others stay at ~15 h",
            ),
            Find(
                "correlation",
                columns=("opened_at", "closed_at"),
                direction="up",
                why="busy weeks are slow weeks: weekly volume vs mean resolution time r ≈ 0.8",
            ),
            Find(
                SEGMENT_TYPES,
                dimension="priority",
                measure_kind="duration",
                why="Critical incidents close in ~7 h, Low in ~39 h",
            ),
            Find(
                "text_terms",
                columns=("short_description",),
                where=(term(r"printer"), Pred("within Hardware", _hardware_scope)),
                why="72% of Hardware descriptions mention a printer",
            ),
            Find(
                "text_terms",
                columns=("short_description",),
                where=(term(r"^printer546$"),),
                why="the code Printer546 recurs in the descriptions",
            ),
            Find(
                "data_quality",
                where=(quality_code("negative_duration"),),
                why="12 incidents were closed before they were opened",
            ),
        ),
        forbid=(
            Find(
                "segment_trend",
                dimension="assigned_to",
                measure_kind="duration",
                direction="up",
                where=(entity_not(gen.RISING_AGENT),),
                why="the other agents' resolution times are flat",
            ),
            Find(
                SEGMENT_TYPES,
                dimension="state",
                measure_kind="duration",
                why="open incidents have no duration",
            ),
        ),
    ),
    Case(
        name="expense_claims",
        source="generators.expense_claims (2,530 claims, '$1,249.00' amounts, US dates)",
        covers="duration from submitted/processed; a flow with currency text; repeated identical claims "
        "by one "
        "user; a bracket of the amount that explains the processing time",
        load=gen.expense_claims,
        file="expense_claims.csv",
        table_kind=("events",),
        row_meaning=("claims", "expense claims"),
        time=("submitted_at",),
        grain=("day",),
        count_measure=True,
        flows=("amount",),
        durations=(("submitted_at", "processed_at"),),
        codes=("claim_id",),
        entities=("user",),
        text=("description",),
        expect=(
            Find(
                "repeats",
                entity=gen.REPEAT_USER,
                top=5,
                why="mcarter filed 30 identical Software claims of $1,249.00",
            ),
            Find(
                "bracket",
                columns=("amount",),
                measure_kind="duration",
                direction="up",
                why="claims above $5,000 take ~11 days to process vs ~4 days",
            ),
        ),
    ),
    Case(
        name="hr_records",
        source="generators.hr_records (1,500 employees, written as Excel)",
        covers="codes that look numeric (employee id, zip code, birth year); tenure from "
        "hire/termination dates; "
        "hires rising per year",
        load=gen.hr_records,
        file="employees.xlsx",
        table_kind=("events", "cross_section"),
        time=("hire_date",),
        grain=("day",),
        durations=(("hire_date", "termination_date"),),
        codes=("employee_id", "zip_code", "birth_year"),
        expect=(
            Find(
                "category_outlier",
                dimension="department",
                entity=gen.SHORT_TENURE_DEPT,
                direction="down",
                measure_kind="duration",
                why="Sales leavers stay ~290 days, leavers elsewhere ~850",
            ),
            Find(
                "category_outlier",
                dimension="department",
                entity=gen.HIGH_PAY_DEPT,
                direction="up",
                measure="salary",
                why="Engineering earns ~$120k on average vs $66–81k elsewhere",
            ),
            Find(
                "trend",
                measure_kind="count",
                direction="up",
                why="hires rose from 56 in 2012 to ~170–200 a year",
            ),
        ),
    ),
    Case(
        name="goals",
        source="generators.goals (600 goals)",
        covers="circular status ⇔ percent complete; a percentage is a level, never summed",
        load=gen.goals,
        file="goals.csv",
        levels=("percent_complete",),
        codes=("goal_id",),
        circular=(("status", "percent_complete"),),
        expect=(
            Find(
                "category_outlier",
                dimension="department",
                entity=gen.LAGGING_DEPT,
                direction="down",
                measure="percent_complete",
                top=3,
                why="Marketing goals are 35% complete on average vs ~77% elsewhere",
            ),
        ),
        forbid=(Find(SEGMENT_TYPES, entity="Completed", why="'Completed stands out on percent complete'"),),
    ),
    Case(
        name="customer_orders",
        source="generators.orders (6,000 orders, 500 customers)",
        covers="a 500-value customer entity where 20 customers hold 80% of revenue; revenue = quantity "
        "× price",
        load=gen.orders,
        file="orders.csv",
        table_kind=("events",),
        row_meaning=("orders",),
        time=("order_date",),
        grain=("day",),
        count_measure=True,
        flows=("revenue", "quantity"),
        levels=("unit_price",),
        entities=("customer_id",),
        relations=(Relation(("product",), "revenue", ("quantity", "unit_price")),),
        expect=(
            Find(
                "concentration",
                dimension="customer_id",
                measure="revenue",
                where=(share_between(0.7, 0.9),),
                top=3,
                why="20 of 500 customers hold 81% of revenue",
            ),
        ),
    ),
]


# --- the planted facts, checked on the generated tables --------------------------------------


def _ticket_hours(d: pl.DataFrame) -> pl.DataFrame:
    fmt = "%Y-%m-%d %H:%M:%S"
    opened, closed = pl.col("opened_at").str.to_datetime(fmt), pl.col("closed_at").str.to_datetime(fmt)
    return d.with_columns(
        ((closed - opened).dt.total_minutes() / 60).alias("hours"),
        opened.dt.month().alias("m"),
        opened.alias("t"),
    )


def _agent_ratio(d: pl.DataFrame, rising: bool) -> float:
    h = _ticket_hours(d).filter(pl.col("hours") > 0, (pl.col("assigned_to") == gen.RISING_AGENT) == rising)
    late, early = h.filter(pl.col("m") >= 10)["hours"].mean(), h.filter(pl.col("m") <= 3)["hours"].mean()
    return float(late / early)  # type: ignore[operator]


def _busiest_ratio(d: pl.DataFrame) -> float:
    counts = d["assigned_to"].value_counts(sort=True)
    assert counts["assigned_to"][0] == gen.BUSY_AGENT
    return float(counts["count"][0] / counts["count"][1])


def _weekly_volume_vs_duration(d: pl.DataFrame) -> float:
    h = _ticket_hours(d).filter(pl.col("hours") > 0)
    w = h.group_by(pl.col("t").dt.truncate("1w")).agg(pl.len().alias("n"), pl.col("hours").mean().alias("h"))
    return corr(w, "n", "h")


def _claims(d: pl.DataFrame) -> pl.DataFrame:
    fmt = "%m/%d/%Y"
    amount = pl.col("amount").str.replace_all(r"[$,]", "").cast(pl.Float64)
    days = (pl.col("processed_at").str.to_date(fmt) - pl.col("submitted_at").str.to_date(fmt)).dt.total_days()
    return d.with_columns(amount.alias("a"), days.alias("days"))


GENERATED_FACTS: dict[str, tuple[Fact, ...]] = {
    "it_tickets": (
        Fact("Hardware holds 55–65%", lambda d: 0.55 < share(d, "category", gen.TOP_CATEGORY) < 0.65),
        Fact(
            "Hardware > 65% in Australia, the others < 20%",
            lambda d: (
                share(d.filter(pl.col("category") == "Hardware"), "location", gen.HOT_LOCATION) > 0.65
                and share(d.filter(pl.col("category") != "Hardware"), "location", gen.HOT_LOCATION) < 0.2
            ),
        ),
        Fact(
            "Fred Luddy: Q4 ≥ 2× Q1; the others < 1.4×",
            lambda d: _agent_ratio(d, True) > 2 and _agent_ratio(d, False) < 1.4,
        ),
        Fact("Beth Anglin has > 2× any other agent", lambda d: _busiest_ratio(d) > 2),
        Fact("weekly volume vs mean duration r > 0.6", lambda d: _weekly_volume_vs_duration(d) > 0.6),
        Fact("12 negative durations", lambda d: int((_ticket_hours(d)["hours"] < 0).sum()) == 12),
        Fact(
            "> 60% of Hardware descriptions mention a printer",
            lambda d: (
                d.filter(pl.col("category") == "Hardware")["short_description"]
                .str.to_lowercase()
                .str.contains("printer")
                .mean()
                > 0.6
            ),  # type: ignore[operator]
        ),
    ),
    "expense_claims": (
        Fact(
            "mcarter: 30 identical claims",
            lambda d: _claims(d).group_by("user", "a", "category").len()["len"].max() == 30,
        ),
        Fact(
            "claims above $5,000 take > 2.3× as long",
            lambda d: (m := mean_by(_claims(d), pl.col("a") > gen.BIG_CLAIM, "days"))[True] > 2.3 * m[False],
        ),
    ),
    "hr_records": (
        Fact(
            "Sales leavers stay < half as long",
            lambda d: (
                (
                    m := mean_by(
                        d.with_columns(
                            (pl.col("termination_date") - pl.col("hire_date")).dt.total_days().alias("t")
                        ),
                        pl.col("department") == "Sales",
                        "t",
                    )
                )[True]
                < 0.5 * m[False]
            ),
        ),
        Fact(
            "hires rise every few years",
            lambda d: (
                slope(
                    *(lambda g: (g["y"], g["len"]))(
                        d.group_by(pl.col("hire_date").dt.year().alias("y")).len().sort("y")
                    )
                )
                > 5
            ),
        ),
    ),
    "goals": (
        Fact(
            "Completed ⇔ 100%",
            lambda d: ((d["status"] == "Completed") == (d["percent_complete"] == 100)).all(),
        ),
        Fact(
            "Marketing < 0.6× the others",
            lambda d: (
                (m := mean_by(d, pl.col("department") == gen.LAGGING_DEPT, "percent_complete"))[True]
                < 0.6 * m[False]
            ),
        ),
    ),
    "customer_orders": (
        Fact(
            "20 of 500 customers hold 75–85% of revenue",
            lambda d: 0.75 < top_share(d, "customer_id", "revenue", 20) < 0.85,
        ),
        Fact("500 customers", lambda d: d["customer_id"].n_unique() == 500),
    ),
}

CASES = [replace(c, facts=GENERATED_FACTS.get(c.name, ())) for c in CASES]
