"""Rates: a count per head of population, and a count out of the group it was counted in.

States with their murders and their population, districts with their cholera deaths and
their inhabitants: across units of different sizes the count mostly says how big each one
is. An analyst divides: murders per 100,000 people, and compares that. This module adds the
rate as a derived level measure (its scale chosen so that a typical unit reads above 1), tied
to its sources by a `product` relation so that neither is correlated with it. A table that
already holds such a rate (a death rate beside the deaths) gets no second one.

Grouped tables give the same reading another way: per age group, the births and the Down's
cases among them; per sex and score, the cases and the non-cases; per education, those who
agree and those who disagree. The two counts rise together with the group's size and say
nothing apart; the share of the one in the whole is what an analyst compares (`out_of`).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from engine.analysis.fmt import label
from engine.analysis.semantics.model import Measure, Relation
from engine.analysis.semantics.vocabulary import INTENSIVE, has, vocab, words
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


DENOMINATORS = vocab(
    "total totals cases trials births tested exposed applicants applications attempts shots "
    "patients subjects respondents"
)  # not a bare n or count: a poll's n or a visitor count divides percentages and money too
# Pairs whose sum is the group: the share of the first in both.
OPPOSITES = (
    ("cases", "controls"),
    ("cases", "noncases"),
    ("success", "failure"),
    ("successes", "failures"),
    ("yes", "no"),
    ("wins", "losses"),
    ("survived", "died"),
    ("alive", "dead"),
    ("pass", "fail"),
    ("admitted", "rejected"),
    ("accepted", "rejected"),
)
_NEGATIONS = ("non", "not", "un", "dis", "no")
NOT_COUNTS = INTENSIVE | vocab("spend spending spent cost costs amount amounts revenue value")
MIN_SPREAD = 3.0  # the groups' sizes differ this much (largest / smallest) before a share is read
MAX_SHARES = 2


def out_of(
    frame: pl.DataFrame, measures: list[Measure]
) -> tuple[pl.DataFrame, list[Measure], list[Relation]]:
    """Shares of a count in its group: `part` out of a whole column, or out of `part` + its opposite."""
    counts = [
        m
        for m in measures
        if m.kind in ("flow", "level") and not m.derived and not m.money and not has(m.name, NOT_COUNTS)
    ]  # a rank, a percentage or a spend is no count of things
    added: list[Measure] = []
    relations: list[Relation] = []
    used: set[str] = set()
    for part in counts:
        for whole in counts:
            if len(added) >= MAX_SHARES or part is whole or {part.name, whole.name} & used:
                continue
            kind = _named_pair(part.name, whole.name)
            if kind is None or not (_whole_numbers(frame[part.name]) and _whole_numbers(frame[whole.name])):
                continue  # names first: the values are read only for a pair the names make likely
            total = _group_sizes(frame, part.name, whole.name, kind)
            if total is None:
                continue
            share = (frame[part.name].cast(pl.Float64) / total.replace(0, None) * 100).alias(
                f"share of {part.name}"
            )
            if share.drop_nulls().n_unique() < 3:
                continue
            what = (
                f"{part.name} / {whole.name}"
                if kind == "of"
                else f"{part.name} / ({part.name} + {whole.name})"
            )
            frame = frame.with_columns(share)
            added.append(
                Measure(
                    share.name,
                    "level",
                    f"share of {label(part.name)}",
                    columns=[part.name, whole.name],
                    derived=True,
                    unit="percent",
                    definition=f"{what} × 100",
                    additive_across=False,
                )
            )
            relations.append(
                Relation("product", part.name, [share.name, whole.name])
                if kind == "of"
                else Relation("transform_of", share.name, [part.name, whole.name])
            )
            used |= {part.name, whole.name}
    return frame, added, relations


def _whole_numbers(s: pl.Series) -> bool:
    v = s.drop_nulls().cast(pl.Float64).to_numpy()
    return v.size >= 5 and float(v.min()) >= 0 and bool((v == np.round(v)).all())


def _named_pair(part: str, whole: str) -> str | None:
    """ "against" for opposites (cases and non-cases), "of" for a part named beside its whole, or None."""
    if _opposites(words(part), words(whole)):
        return "against"
    return "of" if _counted_in(part, whole) else None


def _group_sizes(frame: pl.DataFrame, part: str, whole: str, kind: str) -> pl.Series | None:
    """Each row's group: `whole` when `part` never exceeds it, `part` + `whole` for opposites; None
    when the groups are of about one size (the counts then compare as they are) or mostly empty."""
    a, b = frame[part].cast(pl.Float64), frame[whole].cast(pl.Float64)
    if kind == "of" and not bool((a <= b).all()):
        return None
    total = a + b if kind == "against" else b
    positive = total.filter(total > 0)
    if positive.len() < 5 or positive.len() < 0.9 * total.len():
        return None
    sizes = positive.to_numpy()
    return total if float(sizes.max()) >= MIN_SPREAD * float(sizes.min()) else None


def _counted_in(part: str, whole: str) -> bool:
    """A whole named as one (n, total, births), a part that is not another whole."""
    return has(whole, DENOMINATORS) and not has(part, DENOMINATORS - {"cases"})


def _opposites(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """cases / non.cases, agree / disagree, ncases / ncontrols, survived / died."""
    ja, jb = "".join(a), "".join(b)
    if any(jb == neg + ja for neg in _NEGATIONS):
        return True
    stem_a, stem_b = ja.removeprefix("n"), jb.removeprefix("n")
    return any({stem_a, stem_b} == {x, y} or {ja, jb} == {x, y} for x, y in OPPOSITES)
