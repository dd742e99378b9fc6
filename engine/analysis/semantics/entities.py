"""Dimensions, entities and panels.

- A dimension is a categorical column with few values (2–50) that segments rows.
- An entity is a key with many values that repeat (agents, callers, customers,
  products), or any column that names a person; a person column with few
  values is a dimension too.
- A table is a panel when one key (or two together) and the time axis
  identify its rows: entity × time × values. Its measures are read per entity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import polars as pl

from engine.analysis.profile import ColumnProfile
from engine.analysis.semantics.model import TIME, Entity
from engine.analysis.semantics.vocabulary import CODES, PERSON, has, letters, vocab

ALIAS_SAMPLE = 50_000  # rows read to tell that one dimension relabels another
NEAR_ALIAS = 0.9  # two dimensions named alike that pair their values so on this share of rows: one
MAX_DIMENSION_VALUES = 50
MAX_DIMENSIONS = 6
MAX_ENTITIES = 4
KEY_SHARE = 0.97  # share of rows a key must tell apart
MIN_COVERAGE = 0.5  # rows / (entities × periods): a panel observes its entities in most periods
KEYS = frozenset(CODES - {"zip", "zipcode", "postal", "postcode", "plz", "phone", "tel", "fax", "tz"})
_TEXT = vocab(
    "description desc descr comment comments notes note summary text message subject title remarks details "
    "detail reason narrative body feedback review complaint"
)
_SERIES_KEY = vocab("variable variables indicator indicators metric metrics series measure measures key item")


@dataclass
class Panel:
    """Rows identified by entity key(s) × time."""

    keys: list[str]
    mixed_units: bool  # the key names different quantities ("variable", "indicator"): never add across it

    def to_dict(self) -> dict[str, object]:
        return {
            "entity": self.keys[0] if len(self.keys) == 1 else self.keys,
            "keys": self.keys,
            "mixedUnits": self.mixed_units,
        }


def dimensions_and_entities(
    df: pl.DataFrame, profiles: list[ColumnProfile], taken: set[str], codes: set[str]
) -> tuple[list[str], list[Entity]]:
    """Dimensions (few values) and entities (many repeated values, or people), most useful first."""
    rows = df.height
    dims: list[ColumnProfile] = []
    entities: list[Entity] = []
    for p in profiles:
        if p.name in taken or p.semantic not in ("categorical", "boolean", "identifier", "integer", "text"):
            continue
        if p.semantic == "integer" and not (p.name in codes and has(p.name, KEYS | PERSON)):
            continue  # integers are keys only when named so (customer_id), not clock times or flight numbers
        present = rows - p.missing
        if present == 0 or p.distinct < 2:
            continue
        person = has(p.name, PERSON)
        repeated = p.distinct <= 0.95 * present
        if p.semantic in ("categorical", "boolean") and p.distinct <= MAX_DIMENSION_VALUES:
            dims.append(p)
            if person:
                entities.append(Entity(p.name, p.distinct, True))
        elif (
            repeated
            and p.semantic in ("categorical", "identifier", "integer", "text")
            and (person or p.distinct > MAX_DIMENSION_VALUES)
        ):
            entities.append(Entity(p.name, p.distinct, person))
    by_name = {p.name: p for p in profiles}
    labels = _labels(df, dims + [by_name[e.column] for e in entities if by_name[e.column] not in dims])
    dims = [p for p in dims if p.name not in labels]
    entities = [e for e in entities if e.column not in labels]
    dims.sort(key=lambda p: (p.missing > 0.5 * rows, p.distinct > 20, abs(p.distinct - 6), p.missing))
    # people first, then the keys whose values repeat most (customers with many orders)
    entities.sort(key=lambda e: (not e.person, e.distinct / max(rows, 1) > 0.5, -e.distinct))
    return [p.name for p in dims][:MAX_DIMENSIONS], entities[:MAX_ENTITIES]


def _labels(df: pl.DataFrame, dims: list[ColumnProfile]) -> set[str]:
    """Dimensions that only relabel another, one value for one value (`subject_abbr` ETHNMUS beside
    `subject` Ethnomusicology, `abb` AL beside `state` Alabama): each finding would come twice.
    The shorter-worded one of each pair goes; the longer reads better in prose."""
    out: set[str] = set()
    # a relabelling has about as many values (an abbreviation may be missing here and there)
    pairs = [
        (a, b)
        for a, b in combinations(dims, 2)
        if abs(a.distinct - b.distinct) <= 0.2 * max(a.distinct, b.distinct)
    ]
    if not pairs:
        return out
    rows = df.select(list(dict.fromkeys(p.name for pair in pairs for p in pair)))
    if rows.height > 2 * ALIAS_SAMPLE:
        rows = rows.gather_every(rows.height // ALIAS_SAMPLE)
    for a, b in pairs:
        if a.name in out or b.name in out:
            continue
        pair = rows.select(a.name, b.name).drop_nulls()
        if pair.height < 2:
            continue
        exact = pair.unique().height == pair[a.name].n_unique() == pair[b.name].n_unique()
        if exact or (_named_alike(a.name, b.name) and _agreement(pair, a.name, b.name) >= NEAR_ALIAS):
            wordy = pair.select(pl.col(a.name, b.name).cast(pl.String).str.len_chars().mean()).row(0)
            out.add(b.name if (wordy[1] or 0.0) <= (wordy[0] or 0.0) else a.name)
    return out


def _named_alike(a: str, b: str) -> bool:
    """One name inside the other (League and NewLeague, method and method2)."""
    short, long = sorted((letters(a), letters(b)), key=len)
    return len(short) >= 3 and short in long


def _agreement(pair: pl.DataFrame, a: str, b: str) -> float:
    """The smaller of the two shares of rows whose value of one column is the usual partner of their
    value of the other (1.0 for a relabelling; League against NewLeague of players who seldom move)."""
    counts = pair.group_by(a, b).agg(pl.len().alias("n"))
    total = float(counts["n"].sum()) or 1.0
    shares = [float(counts.group_by(key).agg(pl.col("n").max())["n"].sum()) / total for key in (a, b)]
    return min(shares)


def text_columns(df: pl.DataFrame, profiles: list[ColumnProfile]) -> list[str]:
    """Free text: long values, many distinct phrases of five words or more, or a column named like text."""
    out = []
    for p in profiles:
        if p.semantic not in ("categorical", "text") or df.schema[p.name] != pl.String or has(p.name, CODES):
            continue
        if p.distinct < 20 and p.semantic != "text":
            continue
        values = df[p.name].drop_nulls()
        if values.len() > 5000:
            values = values.gather_every(values.len() // 5000)
        words = float(values.str.count_matches(r"\S+").mean() or 0)  # type: ignore[arg-type]
        # names of things run to three or four words; sentences run longer
        if (has(p.name, _TEXT) and words >= 2) or (p.distinct > MAX_DIMENSION_VALUES and words >= 5):
            out.append(p.name)
    return out


def find_panel(
    df: pl.DataFrame, candidates: list[str], distinct: dict[str, int], periods: int
) -> Panel | None:
    """The key (one column, or two) that together with the time axis tells every row apart.

    `distinct` holds each column's number of values and `periods` the time axis's.
    """
    if TIME not in df.columns or df.height < 6 or periods < 3 or periods >= KEY_SHARE * df.height:
        return None
    sample = df.select([TIME, *candidates]).head(200_000)
    rows = sample.height
    for size in (1, 2):
        for keys in combinations(candidates, size):
            bound = periods * math.prod(distinct[k] for k in keys)  # most (time, key) pairs there can be
            if bound < KEY_SHARE * df.height or (size == 1 and df.height < MIN_COVERAGE * bound):
                continue  # too few pairs to tell the rows apart, or (one key) too many to be mostly filled
            unique, entities = sample.select(
                pl.struct([TIME, *keys]).n_unique(), pl.struct(list(keys)).n_unique()
            ).row(0)
            # each entity is seen in most periods (not events that happen to be unique per timestamp)
            if unique >= KEY_SHARE * rows and rows >= MIN_COVERAGE * entities * periods:
                mixed = any(has(k, _SERIES_KEY) for k in keys)
                return Panel(list(keys), mixed)
    return None
