"""Repeated identical records by one entity: the same user, amount and category many times.

This is the classic sign of duplicate or abusive expense claims. For each
(entity, amount, category...) combination that occurs three times or more,
the number expected by chance is the entity's number of rows times the rate
at which that record is filed in the whole table (the entity's own rows included:
a customer with most of the rows repeats its own prices by chance); the combination furthest above it is
tested (Poisson, Bonferroni over every entity and record that could have
repeated: entities × records seen three times or more).

Claims filed twice each are duplicates too: when no record repeats three times,
each entity's pairs of identical records are counted against the pairs that
chance gives its number of rows (the table's chance that two records agree),
Poisson, Bonferroni over the entities.
"""

from __future__ import annotations

import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, evidence
from engine.analysis.fmt import fmt_num, fmt_p, label, upper_first
from engine.analysis.semantics.model import Measure
from engine.analysis.stats import poisson_sf

MIN_REPEATS = 3
MIN_DISTINCT_SHARE = 0.05  # amounts must be varied: a price list repeats by nature


def repeated_records(
    df: pl.DataFrame, entity: str, amount: Measure, choices: list[list[str]]
) -> Candidate | None:
    """The entity with the most unexpected repeats of one identical record, or None.

    A record is the amount with each of `choices` in turn (the category, the merchant):
    the most significant repeat is kept. The amounts are checked to vary once.
    """
    a = pl.col(amount.name)
    varied = a.drop_nulls().approx_n_unique().alias("values")
    values, present = df.select(varied, a.count().alias("present")).row(0)
    if present < 50 or values < MIN_DISTINCT_SHARE * present:
        return None
    found = [c for c in (_repeated(df, entity, amount, dims) for dims in choices or [[]]) if c]
    return min(found, key=lambda c: 1.0 if c.p_value is None else c.p_value, default=None)


def _repeated(df: pl.DataFrame, entity: str, amount: Measure, dims: list[str]) -> Candidate | None:
    keys = [amount.name, *dims]
    base = df.select(entity, *keys).drop_nulls()
    n = base.height
    if n < 50:
        return None
    pairs = base.group_by(entity, *keys).agg(pl.len().alias("k")).filter(pl.col("k") >= 2)
    if pairs.height == 0:
        return None
    combos = pairs.filter(pl.col("k") >= MIN_REPEATS)
    per_entity = base.group_by(entity).agg(pl.len().alias("rows_e"))
    per_value = base.group_by(keys).agg(pl.len().alias("rows_v"))
    if combos.height == 0:
        return _copies_by_entity(entity, amount, keys, pairs, per_entity, per_value)
    scored = (
        combos.join(per_entity, on=entity)
        .join(per_value, on=keys)
        .with_columns(
            # the entity's rows times how often this record is filed at all: an entity with most of the
            # rows, or prices to the cent that only it charges, repeats its own values by chance
            (pl.col("rows_e") * pl.col("rows_v") / n).alias("expected")
        )
        .with_columns((pl.col("k") / (pl.col("expected") + 1e-9)).alias("lift"))
        .sort("lift", descending=True)
    )
    top = scored.row(0, named=True)
    expected = max(float(top["expected"]), 1e-6)
    # every (entity, record) cell could have been the one that repeats: entities × records seen 3+ times
    cells = per_entity.height * max(1, per_value.filter(pl.col("rows_v") >= MIN_REPEATS).height)
    p = min(1.0, poisson_sf(float(top["k"]), expected) * cells)
    if top["k"] < 2 * expected + 2:
        return None  # records do repeat three times and more, as often as chance has them: no pairs reading
    who = top[entity]
    same = ", ".join(f"{label(d)} {top[d]}" for d in dims)
    value = fmt_num(top[amount.name], amount.unit, amount.symbol)
    total_repeats = int(combos.filter(pl.col(entity) == who)["k"].sum())
    text = (
        f"{upper_first(label(entity))} {who} has {top['k']} identical records of {label(amount.name)} {value}"
        + (f" ({same})" if same else "")
        + f", against about {expected:.1f} expected by chance ({fmt_p(p)}); possible duplicates."
    )
    filters = [{"column": entity, "equals": who}, {"column": amount.name, "equals": top[amount.name]}] + [
        {"column": d, "equals": top[d]} for d in dims
    ]
    chart = scored.group_by(entity).agg(pl.col("k").sum().alias("repeats"))
    return Candidate(
        "repeats",
        f"{who} repeats the same {label(amount.name)} {top['k']} times",
        text,
        min(1.0, top["k"] / 10),
        p,
        evidence(
            amount,
            dimension=entity,
            entity=who,
            direction="up",
            columns=dims,
            filters=filters,
            aggregation=f"identical ({entity}, {', '.join(keys)}) records",
            repeats=int(top["k"]),
            expected=expected,
            amount=top[amount.name],
            repeatedRecordsOfEntity=total_repeats,
            test="Poisson test of the repeats against chance, Bonferroni over entities × repeated records",
        ),
        ("repeats", entity, amount.name),
        _chart(entity, chart, "repeats", who),
    )


def _copies_by_entity(
    entity: str,
    amount: Measure,
    keys: list[str],
    pairs: pl.DataFrame,
    per_entity: pl.DataFrame,
    per_value: pl.DataFrame,
) -> Candidate | None:
    """The entity whose records most often repeat one of its own, against chance (see the module).

    `pairs` are the (entity, record) cells seen twice or more; `per_entity` and `per_value`
    count the rows of each entity (`rows_e`) and of each record (`rows_v`)."""
    n = float(per_entity["rows_e"].sum())
    agree = float((per_value["rows_v"].cast(pl.Float64) ** 2).sum()) / n / n  # two records agree by chance
    scored = (
        pairs.group_by(entity)
        .agg(
            (pl.col("k") * (pl.col("k") - 1) / 2).sum().alias("pairs"),
            (pl.col("k") - 1).sum().alias("copies"),
        )
        .join(per_entity, on=entity)
        .with_columns((pl.col("rows_e") * (pl.col("rows_e") - 1) / 2 * agree).alias("expected"))
        .with_columns((pl.col("pairs") / (pl.col("expected") + 1e-9)).alias("lift"))
        .sort("lift", descending=True)
    )
    top = scored.row(0, named=True)
    expected = max(float(top["expected"]), 1e-6)
    if top["copies"] < MIN_REPEATS or top["pairs"] < 2 * expected + 2:
        return None
    p = min(1.0, poisson_sf(float(top["pairs"]), expected) * per_entity.height)
    who, copies = top[entity], int(top["copies"])
    text = (
        f"{upper_first(label(entity))} {who} has {copies} records that repeat another of theirs exactly "
        f"({', '.join(label(k) for k in keys)}), against about {expected:.1f} such pairs expected by chance "
        f"for {top['rows_e']} records ({fmt_p(p)}); possible duplicates."
    )
    return Candidate(
        "repeats",
        f"{who} files {copies} records twice",
        text,
        min(1.0, copies / 10),
        p,
        evidence(
            amount,
            dimension=entity,
            entity=who,
            direction="up",
            columns=keys[1:],
            filters=[{"column": entity, "equals": who}],
            aggregation=f"identical ({entity}, {', '.join(keys)}) records",
            repeats=copies,
            expected=expected,
            repeatedRecordsOfEntity=copies,
            test="Poisson test of an entity's identical pairs against chance, Bonferroni over entities",
        ),
        ("repeats", entity, amount.name),
        _chart(entity, scored, "copies", who),
    )


def _chart(entity: str, per_entity: pl.DataFrame, column: str, who: object) -> ChartSpec:
    """A bar of the 15 entities with the most repeated records in `column`, `who` highlighted."""
    top = per_entity.sort(column, descending=True).head(15)
    return ChartSpec(
        "bar",
        f"Repeated identical records by {label(entity)}",
        {
            "categories": [str(v) for v in top[entity].to_list()],
            "values": top[column].to_list(),
            "name": "repeated records",
            "highlight": str(who),
        },
    )
