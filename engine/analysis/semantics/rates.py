"""Rates per head: a count of things beside the population of the same units.

States with their murders and their population, districts with their cholera deaths and
their inhabitants: across units of different sizes the count mostly says how big each one
is. An analyst divides: murders per 100,000 people, and compares that. This module adds the
rate as a derived level measure (its scale chosen so that a typical unit reads above 1), tied
to its sources by a `product` relation so that neither is correlated with it. A table that
already holds such a rate (a death rate beside the deaths) gets no second one.
"""

from __future__ import annotations

import polars as pl

from engine.analysis.fmt import label
from engine.analysis.semantics.model import Measure, Relation
from engine.analysis.semantics.vocabulary import has, vocab
from engine.analysis.stats import pearson

HEADS = vocab("population pop popn inhabitants residents people persons")
SCALES = (1, 100, 1_000, 100_000)  # per person, per 100, per 1,000 or per 100,000 people
MAX_RATES = 2
SAME = 0.95  # an existing measure this correlated with the rate is the rate already


def per_head(
    frame: pl.DataFrame, measures: list[Measure]
) -> tuple[pl.DataFrame, list[Measure], list[Relation]]:
    """The frame with rate columns, the rate measures, and their ties to their sources."""
    heads = [m for m in measures if m.kind == "level" and m.additive_across and has(m.name, HEADS)]
    flows = [m for m in measures if m.kind == "flow" and not m.derived and not m.money]
    if len(heads) != 1 or not flows:
        return frame, [], []
    head = heads[0]
    population = frame[head.name].cast(pl.Float64)
    if population.min() is None or float(population.min() or 0.0) <= 0:  # type: ignore[arg-type]
        return frame, [], []
    others = [m for m in measures if m.kind == "level" and m is not head]
    added: list[Measure] = []
    relations: list[Relation] = []
    for flow in flows[:MAX_RATES]:
        raw = frame[flow.name].cast(pl.Float64) / population
        typical = float(raw.median() or 0.0)  # type: ignore[arg-type]
        if typical <= 0:
            continue
        scale = next((s for s in SCALES if typical * s >= 1), SCALES[-1])
        rate = raw * scale
        if any(_same(rate, frame[m.name]) for m in others):
            continue
        per = "person" if scale == 1 else f"{scale:,} {label(head.name)}"
        name = f"{flow.name} per {per}"
        frame = frame.with_columns(rate.alias(name))
        added.append(
            Measure(
                name,
                "level",
                f"{label(flow.name)} per {per}",
                columns=[flow.name, head.name],
                derived=True,
                definition=f"{flow.name} / {head.name}" + (f" × {scale:,}" if scale > 1 else ""),
                additive_across=False,
            )
        )
        relations.append(Relation("product", flow.name, [name, head.name]))
    return frame, added, relations


def _same(rate: pl.Series, other: pl.Series) -> bool:
    both = pl.DataFrame({"a": rate, "b": other.cast(pl.Float64)}).drop_nulls()
    if both.height < 5:
        return False
    return abs(pearson(both["a"].to_numpy(), both["b"].to_numpy())[0]) >= SAME
