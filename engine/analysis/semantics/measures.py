"""Numeric columns: measures (flows or levels), codes, coordinates, calendar parts.

- Codes are never measures: identifiers, zip and postal codes, ISO and phone
  numbers, and years that are not the time axis.
- Coordinates (latitude, longitude) are geography.
- Calendar parts (month, day, weekday, hour) are dimensions, not quantities.
- A flow adds up over time and across entities (revenue, units, amounts). A
  level is a stock or a state at a time (population, price, temperature,
  balance, inventory, headcount, percentages, rates): it is averaged or taken at
  the last period, never summed over time. Extensive levels (population,
  headcount, balance) may still be summed across entities within one period;
  intensive ones (price, temperature, percent) never.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.analysis.fmt import label
from engine.analysis.profile import ColumnProfile
from engine.analysis.semantics.model import Measure
from engine.analysis.semantics.time_axis import YEAR_MAX, YEAR_MIN
from engine.analysis.semantics.vocabulary import (
    CALENDAR,
    CODES,
    DIRECTION,
    EXTENSIVE,
    FLOW,
    GRID,
    GROUPING,
    INCOMES,
    INTENSIVE,
    LATITUDE,
    LONGITUDE,
    NOT_IDS,
    NUMBERED,
    PLACE,
    UNCERTAINTY,
    YEARS,
    has,
    words,
)


@dataclass
class NumericReading:
    """What the numeric columns turned out to be."""

    measures: list[Measure]
    codes: list[str]
    calendar: list[str]  # month, weekday, hour: parts of a date
    coded: list[str]  # a few integer codes (cylinders, gears): dimensions
    geography: dict[str, str] | None


def read_numeric(
    df: pl.DataFrame, profiles: list[ColumnProfile], time_columns: list[str], level_hint: set[str]
) -> NumericReading:
    """Split numeric columns into measures, codes, calendar parts and coordinates.

    `level_hint` names columns whose behaviour over time (a panel or a series:
    one value per entity and period that changes little from one to the next)
    marks them as levels when their name says nothing.
    """
    reading = NumericReading([], [], [], [], None)
    lat = lon = None
    for p in profiles:
        if p.name in time_columns or p.semantic not in ("numeric", "integer", "identifier"):
            continue
        if lat is None and has(p.name, LATITUDE) and _within(p, -90, 90):
            lat = p.name
            continue
        if lon is None and has(p.name, LONGITUDE) and _within(p, -180, 360):
            lon = p.name
            continue
        role = _role(df, p)
        if role == "code":
            reading.codes.append(p.name)
        elif role == "calendar":
            reading.calendar.append(p.name)
        elif role == "coded":
            reading.coded.append(p.name)  # a small set of integer codes (cylinders, gears): a dimension
        elif role == "measure":
            measure = _measure(p, p.name in level_hint)
            if not name_tells_kind(p.name, p.parsing.get("unit")) and _tally(p):
                measure.kind, measure.additive_across = "flow", True
            if measure.kind == "flow" and (_rate_like(p, df.height - p.missing) or _fraction_like(p)):
                measure.kind, measure.additive_across = "level", False
            reading.measures.append(measure)
    reading.geography = {"latitude": lat, "longitude": lon} if lat and lon else None
    if not reading.geography:  # a lone coordinate is still not a measure
        reading.codes += [c for c in (lat, lon) if c]
    return reading


def _role(df: pl.DataFrame, p: ColumnProfile) -> str:
    """code | calendar | coded | flag | measure, for one numeric column."""
    if p.semantic == "identifier" or _is_code(df, p):
        return "code"
    if has(p.name, UNCERTAINTY) and p.semantic == "numeric":  # Rate beside its SE: the rate is the finding
        return "code"
    if has(p.name, CALENDAR) and p.distinct <= 60 and not in_time_units(p.name):
        return "calendar"
    if p.distinct <= 2:
        return "flag"
    if has(p.name, PLACE) and not name_tells_kind(p.name, None) and _integral(df, p):
        return "coded" if p.distinct <= PLACE_CODES else "code"  # "average state 26.8" says nothing
    if has(p.name, GROUPING) and _integral(df, p):
        return (
            "coded" if p.distinct <= GROUP_CODES else "code"
        )  # a design's blocks segment; many strata do not
    if p.distinct <= FEW_VALUES and _integral(df, p) and not name_tells_kind(p.name, None):
        return "coded"
    return "measure"


def _within(p: ColumnProfile, lo: float, hi: float) -> bool:
    a, b = p.stats.get("min"), p.stats.get("max")
    return a is not None and b is not None and lo <= a and b <= hi


def _is_code(df: pl.DataFrame, p: ColumnProfile) -> bool:
    """Identifiers, zip/ISO/phone numbers and years that are not the time axis."""
    ws = words(p.name)
    if has(p.name, CODES) or has(p.name, GRID) or (ws[-1:] in (("no",), ("nr",)) and p.semantic == "integer"):
        return True
    if any(len(w) > 4 and w.endswith(("code", "cod")) for w in ws):  # distcod, areacode: run together
        return True
    if p.semantic == "integer" and any(
        len(w) > 4 and w.endswith(("id", "num")) and not has(w, NOT_IDS) for w in ws
    ):
        return True  # unitid, provnum: an id run together with what it numbers
    if p.semantic == "integer" and len(ws) == 1 and has(p.name, NUMBERED):
        return True
    if set(ws) <= _TIME_WORDS and not _elapsed(p):  # a number called "date" is an encoded date
        return True
    if _clock_time(df, p):
        return True
    if (
        has(p.name, CALENDAR)
        and (p.distinct > 24 or has(p.name, _FINE_CALENDAR))
        and not in_time_units(p.name)
    ):
        return True  # minute, second, day of month: too fine to segment by
    if _named_year(df, p, ws):
        return True
    lo, hi = p.stats.get("min"), p.stats.get("max")
    if has(p.name, DIRECTION) and lo is not None and hi is not None and lo >= 0 and hi <= 360:
        return True  # a compass direction (wind from 350° and from 10° is not "on average" from 180°)
    if (
        p.semantic == "integer"
        and lo is not None
        and lo >= 0
        and p.distinct >= 0.95 * (df.height - p.missing)
    ):
        # every value distinct and increasing with the row: a row number
        s = df[p.name].drop_nulls()
        if s.len() > 20 and bool((s.diff().drop_nulls() == 1).mean() >= 0.99):  # type: ignore[operator]
            return True
    return _block_id(df, p)


def _named_year(df: pl.DataFrame, p: ColumnProfile, ws: tuple[str, ...]) -> bool:
    """A year that is not the time axis: by name (foundingyear, model_year) and by its values."""
    if not (has(p.name, YEARS) or any(w.endswith("year") for w in ws)):
        return False
    if ws in (("year",), ("yr",)) and _integral(df, p):
        return True  # a column called "year" counts years, whatever their range (ice cores: -800000)
    if _within(p, YEAR_MIN, YEAR_MAX):
        return True
    if p.semantic == "integer" and _within(p, NAMED_YEAR_MIN, YEAR_MAX):
        return True  # a journal founded in 1665: a year by name, too early for a time axis
    # two-digit years (63..92) that are not the time axis
    return has(p.name, YEARS) and p.semantic == "integer" and _within(p, 0, 99)


def _block_id(df: pl.DataFrame, p: ColumnProfile) -> bool:
    """Numbers that hold the rows together in blocks (subject 1's rows, then subject 2's): a long
    table's subject or group id, not a quantity. Either 1..k, about one block each, or any numbers
    each in one block, the blocks in no order (school 209, then 112, then 305): a table sorted by a
    measure has its blocks in order, and a school's figure repeated for its pupils (a class size)
    comes back in other schools' blocks. A measure whose name says what it is (an age, a count) is
    never read so, even when the table is sorted by it."""
    lo, hi = p.stats.get("min"), p.stats.get("max")
    if p.semantic != "integer" or lo is None or hi is None or name_tells_kind(p.name, None):
        return False
    present = df.height - p.missing
    if p.distinct < 10 or present < 2 * p.distinct:
        return False
    blocks = df[p.name].drop_nulls().rle()  # each run of one value: its value and its length
    starts, sizes = blocks.struct.field("value"), blocks.struct.field("len")
    if hi - lo + 1 == p.distinct and present >= 3 * p.distinct:
        return starts.len() <= 1.5 * p.distinct  # about one change of value per block
    if starts.len() > 1.1 * p.distinct:
        return False
    in_order = bool((starts.diff().drop_nulls() > 0).all()) or bool((starts.diff().drop_nulls() < 0).all())
    if not in_order:
        return True
    # sorted by it: ids of groups of several rows each (communities' children), where a measure sorted
    # by value ends in a tail of values held by one row each
    return p.distinct >= 20 and float((sizes >= 2).mean() or 0.0) >= 0.9  # type: ignore[arg-type]


FEW_VALUES = 6
NAMED_YEAR_MIN = 1000
GROUP_CODES = 12  # up to this many numbered groups (blocks of an experiment) are a dimension, more a code
PLACE_CODES = 60  # up to this many place codes are a dimension (US states and territories), more a code
_FINE_CALENDAR = frozenset({"minute", "min", "second", "sec", "dom"})
_TIME_WORDS = frozenset({"date", "time", "datetime", "timestamp", "period", "ts"})


_TIME_UNITS = frozenset(
    {
        "days",
        "hours",
        "hrs",
        "hr",
        "h",
        "minutes",
        "mins",
        "min",
        "seconds",
        "secs",
        "sec",
        "weeks",
        "months",
        "years",
    }
)


def in_time_units(name: str) -> bool:
    """A quantity counted in a unit of time, not a part of the calendar: "First Response (min)",
    "promised_days", "wait_minutes" (a unit in brackets, or a plural unit after what it measures)."""
    bracket = re.search(r"[(\[]\s*([a-zA-Z]+)\s*[)\]]", name)
    if bracket and bracket.group(1).lower() in _TIME_UNITS:
        return True
    ws = words(name)
    return len(ws) >= 2 and ws[-1] in _TIME_UNITS and ws[-1].endswith("s")


def _elapsed(p: ColumnProfile) -> bool:
    """A column called just "time" holding small non-negative numbers: time elapsed (days on a
    diet, days to an event), a quantity. Encoded dates (20240115) and epoch seconds run far
    higher, years sit in the year range, and clock times (1530) are `_clock_time`'s."""
    lo, hi = p.stats.get("min"), p.stats.get("max")
    if words(p.name) != ("time",) or lo is None or hi is None or lo < 0 or hi >= 10_000:
        return False
    return not _within(p, YEAR_MIN, YEAR_MAX)


def _clock_time(df: pl.DataFrame, p: ColumnProfile) -> bool:
    """Times of day written as HHMM integers (dep_time 517 = 05:17)."""
    lo, hi = p.stats.get("min"), p.stats.get("max")
    if lo is None or hi is None or lo < 0 or hi > 2400 or hi < 1000 or "time" not in words(p.name):
        return False
    s = df[p.name].drop_nulls().cast(pl.Float64)
    return bool(((s % 1 == 0) & ((s % 100) < 60)).all())


def _integral(df: pl.DataFrame, p: ColumnProfile) -> bool:
    """Whole numbers only (an integer column, or floats that are all whole: 1.0, 2.0 with gaps)."""
    if p.semantic == "integer":
        return True
    v = df[p.name].drop_nulls().cast(pl.Float64)
    return v.len() > 0 and bool((v % 1 == 0).all())


def _tally(p: ColumnProfile) -> bool:
    """Counts of things per row (people affected, items): whole, never negative, a long right tail.

    Measurements (a mass, a length, an age) spread around a typical value;
    tallies of events run from a few to millions. Only tallies add up.
    """
    lo, hi, median = p.stats.get("min"), p.stats.get("max"), p.stats.get("median")
    if p.semantic != "integer" or lo is None or hi is None or median is None or lo < 0:
        return False
    return hi >= 50 * max(median, 1)


def _rate_like(p: ColumnProfile, present: int) -> bool:
    """Small signed fractions (-0.03, 0.02, 0.05): a growth rate, whatever the name says.
    Amounts and counts are not all within ±1 with a share of them negative; summing rates
    ("total gsp 8.5" of yearly growth rates) says nothing."""
    lo, hi, negatives = p.stats.get("min"), p.stats.get("max"), p.stats.get("negatives")
    if lo is None or hi is None or not negatives:
        return False
    share = negatives / present if present else 0.0
    return lo >= -1.0 and hi <= 1.0 and share >= 0.05


def _fraction_like(p: ColumnProfile) -> bool:
    """Fractions between 0 and 1 (0.44, 0.68, 0.94): a share, a rate or a probability.

    No amount of money per row runs from 0.44 to 0.94 without a currency
    sign: a "tax" column of such values is a marginal tax rate, and its total
    says nothing. Physical flows (daily rain in inches, a discharge) can be
    small fractions and still add up; their names tell.
    """
    lo, hi = p.stats.get("min"), p.stats.get("max")
    if p.semantic == "integer" or lo is None or hi is None or p.parsing.get("unit") == "currency":
        return False
    return lo >= 0 and hi <= 1 and lo < hi and not has(p.name, _PHYSICAL)


_PHYSICAL = frozenset(
    {"precip*", "rain*", "snow*", "discharge", "runoff", "flow", "flows", "energy", "generation", "volume"}
)


def _measure(p: ColumnProfile, behaves_like_level: bool) -> Measure:
    unit, symbol = p.parsing.get("unit"), p.parsing.get("symbol")
    kind, across = measure_kind(p.name, unit, behaves_like_level)
    return Measure(
        p.name,
        kind,  # type: ignore[arg-type]
        label(p.name),
        columns=[p.name],
        unit=unit,
        symbol=symbol,
        definition=f"column {p.name}",
        additive_across=across,
    )


def name_tells_kind(name: str, unit: str | None) -> bool:
    """Whether the name (or unit) alone says flow or level."""
    return (
        unit == "percent"
        or has(name, _MODIFIERS)
        or any(has(w, INTENSIVE) or has(w, EXTENSIVE) or has(w, FLOW) for w in words(name))
    )


def measure_kind(name: str, unit: str | None, behaves_like_level: bool) -> tuple[str, bool]:
    """(kind, additive across entities) from the name: the last telling word decides.

    "sales_price" is a price (a level), "total_population" a population (a
    level that adds up across groups), "revenue_growth" a growth rate; a
    modifier such as per/avg/ratio makes any name intensive. A name that tells
    nothing is averaged: summing an unknown quantity can mislead, averaging it cannot.
    `behaves_like_level` (a series that barely moves from one period to the
    next) overrides a flow word: an indicator called "value" in a long table.
    """
    qualified = _qualified_kind(name, unit, behaves_like_level)
    if qualified is not None:
        return qualified
    if behaves_like_level and not (unit == "percent" or has(name, _MODIFIERS)):
        for w in reversed(words(name)):
            if has(w, EXTENSIVE) or has(w, FLOW):
                return "level", True
        return "level", False
    ws = words(name)
    if unit == "percent" or has(name, _MODIFIERS) or "to" in ws[1:-1]:  # debt_to_income: a ratio
        return "level", False
    if has(name, INCOMES) and has(name, _PER_UNIT):  # a borrower's annual income adds up nothing
        return "level", False
    for w in reversed(ws):
        if has(w, INTENSIVE):
            return "level", False
        if has(w, EXTENSIVE):
            return "level", True
        if has(w, FLOW) and not _unknown_total(w, ws):
            return "flow", True
    if words(name) in (("n",), ("nn",), ("cnt",)):  # dplyr's count(), tallies by another name
        return "flow", True
    return "level", False  # an unnamed measurement (mass, length, horsepower) is averaged, never summed


def _qualified_kind(name: str, unit: str | None, behaves_like_level: bool) -> tuple[str, bool] | None:
    """The kind of an indicator's name with a qualifier: a share ("Internet users (% of
    population)"), per head ("CO2 emissions (metric tons per capita)"), or else the kind of what
    comes before the comma or bracket ("Life expectancy at birth, total (years)": an expectancy)."""
    if "%" in name:
        return "level", False
    head = re.split(r"[(,]", name)[0]
    if not head.strip() or head == name:
        return None
    qualifier = name[len(head) :]
    if has(qualifier, _MODIFIERS) or "capita" in words(qualifier):
        return "level", False
    return measure_kind(head, unit, behaves_like_level)


def _unknown_total(word: str, ws: tuple[str, ...]) -> bool:
    """ "total" of something unnamed (sleep_total: hours of sleep a day) says nothing of adding up.

    An order's, invoice's or bill's total is money and adds up; so does a bare "total".
    """
    return word.startswith("total") and any(w not in _BILLED and not w.startswith("total") for w in ws)


_BILLED = frozenset(
    {"grand", "sub", "subtotal", "order", "invoice", "line", "bill", "cart", "basket", "net", "gross", "sum"}
)
_PER_UNIT = frozenset(
    {"annual", "annualized", "monthly", "yearly", "weekly", "hourly", "household", "family", "personal"}
)
_MODIFIERS = frozenset(
    {"unit", "per", "avg", "average", "mean", "median", "pct", "percent", "ratio", "rate", "share"}
)


def persistent(values: np.ndarray) -> bool:
    """Whether a series moves little from one period to the next relative to its size (a level)."""
    v = values[np.isfinite(values)]
    if v.size < 6 or np.all(v == v[0]):
        return False
    size = float(np.median(np.abs(v)))
    if size == 0:
        return False
    step = float(np.median(np.abs(np.diff(v))))
    return step / size < 0.05
