"""Name a finding by its fields, never by its wording; say what an analyst would not accept.

A corpus case (`Case`) is data: a loader, what an analyst knows about the table (time axis and
grain, codes, coordinates, levels and flows, panel, relations, circular pairs...), the findings
an analyst expects (`Find`) and the ones that would mislead. Three functions turn a case and a
result.json into a list of readable problems:

- `expected_problems`: each expected finding is there, and a table with a pattern gets at least
  one finding beyond data quality;
- `misleading_problems`: the generic checks every case runs (codes, years and coordinates are
  never measures, levels are never summed, nothing finer than the time grain, no pooled panel
  series, no correlation of related or trending levels, nothing circular, no duration line below
  zero) plus the case's own forbidden findings;
- `semantics_problems`: `result.semantics` says what the case declares.

`report` prints what the engine did find, so a failing case shows at a glance why.
The field names follow docs/analysis.md. Where an older result lacks a field
(`evidence.measure`, `agg`, `grain`), the misleading checks read the `aggregation` line instead
("sum of month per day"), so they also catch today's mistakes; expected findings use only the
contract's fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

GRAINS = ("hour", "day", "week", "month", "quarter", "year")
QUALITY = "data_quality"
TIME_TYPES = frozenset(
    {"trend", "change_point", "period_change", "anomaly", "seasonality", "segment_trend", "entity_trend"}
)
MEAN_TYPES = frozenset({"category_outlier", "segment_comparison"})
POOLED_TYPES = frozenset({"trend", "change_point", "period_change", "anomaly", "seasonality"})
Accepted = str | tuple[str, ...] | None  # one value, any of several, or no constraint
Insight = dict[str, Any]
Result = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Reading a finding
# ---------------------------------------------------------------------------------------------


def ev(ins: Insight) -> dict[str, Any]:
    return ins.get("evidence") or {}


def norm(value: Any) -> str:
    """A comparable form of an entity or category value: 8, 8.0 and '8' are the same."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().casefold()


def _accepts(accepted: Accepted, value: Any) -> bool:
    if accepted is None:
        return True
    if value is None:
        return False
    options = (accepted,) if isinstance(accepted, str) else accepted
    return norm(value) in {norm(o) for o in options}


def non_quality(result: Result) -> list[Insight]:
    return [i for i in result.get("insights", []) if i.get("type") != QUALITY]


def semantic_measure(result: Result, name: str | None) -> dict[str, Any] | None:
    if name is None:
        return None
    for m in (result.get("semantics") or {}).get("measures") or []:
        if m.get("name") == name:
            return m
    return None


def measure_kind(ins: Insight, result: Result) -> str | None:
    e = ev(ins)
    if e.get("measureKind") is not None:
        return e["measureKind"]
    m = semantic_measure(result, e.get("measure"))
    return m.get("kind") if m else None


_AGG_LINE = re.compile(
    r"^\s*(?P<agg>sum|mean|average|median|count|last|total)\s+of\s+(?P<col>.+?)"
    r"(?:\s+(?:per|by|where|over|across|in)\s.*)?$",
    re.I,
)
_PER_GRAIN = re.compile(r"\bper\s+(hour|day|week|month|quarter|year)\b", re.I)


def agg_of(ins: Insight) -> str | None:
    """`evidence.agg`, or the aggregation named at the start of the `aggregation` line."""
    e = ev(ins)
    if e.get("agg") is not None:
        return str(e["agg"])
    mt = _AGG_LINE.match(str(e.get("aggregation") or ""))
    if not mt:
        return None
    agg = mt.group("agg").lower()
    return {"average": "mean", "total": "sum"}.get(agg, agg)


def used_measures(ins: Insight, result: Result) -> set[str]:
    """The source columns a finding uses as its measure(s)."""
    e = ev(ins)
    if ins.get("type") == "correlation":
        return set(e.get("columns") or [])
    name = e.get("measure")
    if name is not None:
        m = semantic_measure(result, name)
        cols = set(m.get("columns") or []) if m else set()
        return cols if cols or (m and m.get("derived")) else {name}
    mt = _AGG_LINE.match(str(e.get("aggregation") or ""))
    return {mt.group("col").strip()} if mt else set()


def grain_of(ins: Insight) -> str | None:
    e = ev(ins)
    grain = e.get("grain") or (e.get("aggregates") or {}).get("grain")
    if grain:
        return str(grain)
    mt = _PER_GRAIN.search(str(e.get("aggregation") or ""))
    return mt.group(1).lower() if mt else None


def filter_columns(ins: Insight) -> set[str]:
    return {f.get("column") for f in ev(ins).get("filters") or [] if isinstance(f, dict)}


def terms_of(ins: Insight) -> list[str]:
    out = []
    for t in ev(ins).get("terms") or []:
        out.append(str(t.get("term") if isinstance(t, dict) else t))
    return out


def date_of(ins: Insight) -> dt.date | None:
    """The date a time finding points at (a change point's date, an anomaly's period)."""
    e = ev(ins)
    agg = e.get("aggregates") or {}
    for key in ("changeDate", "date", "changeAt", "at", "period", "when", "shiftDate"):
        for source in (e, agg):
            value = source.get(key)
            if isinstance(value, str) and (parsed := parse_date(value)):
                return parsed
    return None


def parse_date(text: str) -> dt.date | None:
    """ISO dates and datetimes, 'YYYY-MM', 'YYYY' and quarters like '1983Q1' or '1983-Q1'."""
    text = text.strip()
    mt = re.match(r"^(\d{4})\s*-?Q([1-4])\b", text, re.I)
    if mt:
        return dt.date(int(mt.group(1)), 3 * int(mt.group(2)) - 2, 1)
    mt = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if mt:
        return dt.date(int(mt.group(1)), int(mt.group(2) or 1), int(mt.group(3) or 1))
    return None


# ---------------------------------------------------------------------------------------------
# Extra conditions on a finding (each has a description for failure messages)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pred:
    text: str
    fn: Callable[[Insight], bool]

    def __call__(self, ins: Insight) -> bool:
        try:
            return bool(self.fn(ins))
        except (KeyError, TypeError, ValueError, AttributeError):
            return False


def term(pattern: str) -> Pred:
    """A mined term matches `pattern` (regex, case-insensitive)."""
    rx = re.compile(pattern, re.I)
    return Pred(f"a term ~ /{pattern}/", lambda i: any(rx.search(t) for t in terms_of(i)))


def drill(dimension: str, value: str | None = None) -> Pred:
    """`evidence.drillDown` names `dimension` (and `value`)."""

    def ok(i: Insight) -> bool:
        d = ev(i).get("drillDown") or {}
        return d.get("dimension") == dimension and (value is None or norm(d.get("value")) == norm(value))

    return Pred(f"drillDown {dimension}={value or '*'}", ok)


def near(date: str, days: int) -> Pred:
    """The finding's date is within `days` of `date`."""
    target = dt.date.fromisoformat(date)

    def ok(i: Insight) -> bool:
        when = date_of(i)
        return when is not None and abs((when - target).days) <= days

    return Pred(f"date within {days} days of {date}", ok)


def basis(*values: str) -> Pred:
    return Pred(f"basis in {values}", lambda i: ev(i).get("basis") in values)


def quality_code(code: str) -> Pred:
    return Pred(f"aggregates.code = {code}", lambda i: (ev(i).get("aggregates") or {}).get("code") == code)


def entity_not(*values: str) -> Pred:
    return Pred(
        f"entity not in {values}",
        lambda i: ev(i).get("entity") is not None and norm(ev(i)["entity"]) not in {norm(v) for v in values},
    )


def share_between(lo: float, hi: float) -> Pred:
    """Some share the finding rests on (an `aggregates` key naming a share) lies in [lo, hi]."""

    def ok(i: Insight) -> bool:
        agg = ev(i).get("aggregates") or {}
        shares = [v for k, v in agg.items() if "share" in k.lower() and isinstance(v, int | float)]
        shares = [s / 100 if s > 1 else s for s in shares]
        return any(lo <= s <= hi for s in shares)

    return Pred(f"a share in [{lo}, {hi}]", ok)


JUNK_TERM = re.compile(r"[\\\x00-\x1f\x7f]|^n$|^na$|^nan$|^null$|^none$", re.I)
junk_term = Pred(
    "a term that is a missing-value marker or control characters",
    lambda i: any(JUNK_TERM.search(t) for t in terms_of(i)),
)


# ---------------------------------------------------------------------------------------------
# A finding pattern
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Find:
    """A finding named by its fields. Tuples accept any of their values; None is no constraint."""

    type: str | tuple[str, ...]
    columns: tuple[str, ...] = ()  # all of these among evidence.columns
    measure: Accepted = None  # semantics measure name, or the only column of that measure
    measure_kind: Accepted = None
    agg: Accepted = None
    dimension: Accepted = None
    entity: Accepted = None
    direction: Accepted = None
    grain: Accepted = None
    top: int | None = None  # among the first `top` findings beyond data quality
    where: tuple[Pred, ...] = ()
    why: str = ""  # what an analyst would say (or why it misleads)

    def describe(self) -> str:
        parts = [f"type={self.type}"]
        for key in ("columns", "measure", "measure_kind", "agg", "dimension", "entity", "direction", "grain"):
            value = getattr(self, key)
            if value:
                parts.append(f"{key}={value}")
        if self.top:
            parts.append(f"top={self.top}")
        parts += [p.text for p in self.where]
        text = "Find(" + ", ".join(parts) + ")"
        return f"{text} — {self.why}" if self.why else text

    def matches(self, ins: Insight, result: Result, rank: int | None = None) -> bool:
        e = ev(ins)
        if not _accepts(self.type, ins.get("type")):
            return False
        if self.top is not None and (rank is None or rank > self.top):
            return False
        if not set(self.columns) <= set(e.get("columns") or []):
            return False
        if self.measure is not None and not self._measure_ok(ins, result):
            return False
        checks = (
            (self.measure_kind, measure_kind(ins, result)),
            (self.agg, e.get("agg")),
            (self.dimension, e.get("dimension")),
            (self.entity, e.get("entity")),
            (self.direction, e.get("direction")),
            (self.grain, e.get("grain")),
        )
        if not all(_accepts(accepted, value) for accepted, value in checks):
            return False
        return all(p(ins) for p in self.where)

    def _measure_ok(self, ins: Insight, result: Result) -> bool:
        name = ev(ins).get("measure")
        if _accepts(self.measure, name):
            return True
        m = semantic_measure(result, name)
        cols = (m or {}).get("columns") or []
        return len(cols) == 1 and _accepts(self.measure, cols[0])


def find_all(result: Result, spec: Find) -> list[Insight]:
    """Every insight matching `spec` (data-quality findings only when `spec` asks for them)."""
    found, rank = [], 0
    for ins in result.get("insights", []):
        if ins.get("type") != QUALITY:
            rank += 1
        if spec.matches(ins, result, rank if ins.get("type") != QUALITY else None):
            found.append(ins)
    return found


def expect_finding(result: Result, spec: Find | None = None, **fields: Any) -> Insight:
    """The first insight matching `spec` (or `Find(**fields)`); fails with what was found."""
    spec = spec or Find(**fields)
    found = find_all(result, spec)
    assert found, f"expected {spec.describe()}\n{report(result)}"
    return found[0]


def expect_no_finding(result: Result, spec: Find | None = None, **fields: Any) -> None:
    spec = spec or Find(**fields)
    found = find_all(result, spec)
    assert not found, f"found what misleads: {spec.describe()}\n  in: {_titles(found)}\n{report(result)}"


# ---------------------------------------------------------------------------------------------
# A case
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    entity: str | None = None  # long table: the entity column (time is the case's time column)
    wide: tuple[str, ...] = ()  # series table: one measure column per entity
    stable_mix: bool = False  # every entity in every period, same units: a pooled level is fine


@dataclass(frozen=True)
class Relation:
    kinds: tuple[str, ...]  # accepted `semantics.relations[].kind`
    target: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Fact:
    """A fact of the data itself that an expectation rests on (checked on the loaded table)."""

    text: str
    fn: Callable[[pl.DataFrame], bool]


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # where the table comes from
    covers: str  # which points of issue 9 it covers
    load: Callable[[], pl.DataFrame]
    file: str  # the file written (its name and suffix are part of the case)
    # What an analyst knows about the table (checked against result.semantics where declared)
    table_kind: tuple[str, ...] = ()
    row_meaning: tuple[str, ...] = ()
    time: tuple[str, ...] = ()  # accepted time columns
    no_time: bool = False  # the table has no time axis
    grain: tuple[str, ...] = ()  # accepted true grains; the finest is the floor for every finding
    time_source: tuple[str, ...] = ()
    count_measure: bool = False  # an event table: the row count is a measure
    levels: tuple[str, ...] = ()  # measures that are levels (never summed)
    flows: tuple[str, ...] = ()
    no_sum: tuple[str, ...] = ()  # never summed either, whatever kind the engine gives them
    durations: tuple[tuple[str, str], ...] = ()  # (start, end) pairs that form a duration
    codes: tuple[str, ...] = ()  # must be in semantics.codes; never measures
    not_measures: tuple[str, ...] = ()  # date parts, clock times, flags: never measures
    coordinates: tuple[str, str] | None = None  # (latitude, longitude)
    entities: tuple[str, ...] = ()
    panel: Panel | None = None
    relations: tuple[Relation, ...] = ()
    trending: tuple[str, ...] = ()  # trending series: correlate their changes, never their levels
    circular: tuple[tuple[str, str], ...] = ()  # (dimension, measure): the first follows from the second
    text: tuple[str, ...] = ()
    expect: tuple[Find, ...] = ()
    forbid: tuple[Find, ...] = ()
    facts: tuple[Fact, ...] = ()

    @property
    def never_measures(self) -> set[str]:
        coords = set(self.coordinates or ())
        return set(self.codes) | set(self.not_measures) | coords | set(self.time)

    @property
    def never_summed(self) -> set[str]:
        return set(self.levels) | set(self.no_sum)

    @property
    def pooled_forbidden(self) -> set[str]:
        if self.panel is None or self.panel.entity is None or self.panel.stable_mix:
            return set()
        return self.never_summed

    def floor(self) -> str | None:
        known = [g for g in self.grain if g in GRAINS]
        return min(known, key=GRAINS.index) if known else None


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def expected_problems(result: Result, case: Case) -> list[str]:
    problems = [
        f"expected {spec.describe()}: not found" for spec in case.expect if not find_all(result, spec)
    ]
    if case.expect and not non_quality(result):
        problems.append(
            "the table has a pattern an analyst would report, but only data-quality findings came out"
        )
    return problems


def misleading_problems(result: Result, case: Case) -> list[str]:
    problems: list[str] = []
    for check in _GENERIC:
        problems += check(result, case)
    for spec in case.forbid:
        found = find_all(result, spec)
        if found:
            problems.append(f"misleading {spec.describe()}: {_titles(found)}")
    return problems


def _code_measures(result: Result, case: Case) -> list[str]:
    bad = case.never_measures
    spans = {c for pair in case.durations for c in pair}
    out = []
    for ins in non_quality(result):
        if measure_kind(ins, result) == "duration" and ins.get("type") != "correlation":
            continue
        hit = (used_measures(ins, result) - spans) & bad
        if hit:
            out.append(
                f"{_name(ins)} uses {sorted(hit)} (a code, year, date part or coordinate) as a measure"
            )
    for kpi in result.get("kpis", []):
        agg = kpi_agg(kpi)
        if kpi.get("column") in spans or kpi.get("id") == "date_range":
            continue  # a duration's KPI may name its start column
        if agg and kpi.get("column") in bad:
            out.append(
                f"KPI {kpi.get('id')!r} ({kpi.get('label')}) aggregates {kpi['column']!r}, "
                "which is not a measure"
            )
    return out


def kpi_agg(kpi: dict[str, Any]) -> str | None:
    if kpi.get("agg"):
        return str(kpi["agg"])
    kid = str(kpi.get("id") or "")
    for prefix, agg in (
        ("total_", "sum"),
        ("sum_", "sum"),
        ("mean_", "mean"),
        ("avg_", "mean"),
        ("last_", "last"),
    ):
        if kid.startswith(prefix):
            return agg
    label = str(kpi.get("label") or "").lower()
    if label.startswith("total "):
        return "sum"
    return None


def _levels_summed(result: Result, case: Case) -> list[str]:
    bad = case.never_summed
    out = []
    for ins in non_quality(result):
        if ins.get("type") == "correlation" or (ev(ins).get("agg") is None and ins.get("type") in MEAN_TYPES):
            continue  # a correlation has no aggregate; these compare means whatever the line says
        hit = used_measures(ins, result) & bad
        if hit and agg_of(ins) == "sum":
            out.append(f"{_name(ins)} sums {sorted(hit)}, a level")
    for kpi in result.get("kpis", []):
        if kpi.get("column") in bad and kpi_agg(kpi) == "sum":
            out.append(f"KPI {kpi.get('id')!r} ({kpi.get('label')}) is a total of a level")
    return out


def _finer_than_grain(result: Result, case: Case) -> list[str]:
    floor = case.floor()
    if floor is None:
        return []
    out = []
    for ins in non_quality(result):
        grain = grain_of(ins)
        if grain in GRAINS and GRAINS.index(grain) < GRAINS.index(floor):
            out.append(f"{_name(ins)} is computed per {grain}; the data's grain is {floor}")
        elif floor == "year" and ins.get("type") == "seasonality" and _cycle(ins) != "multi-year":
            out.append(f"{_name(ins)}: a calendar cycle in yearly data")
    return out


def _cycle(ins: dict[str, Any]) -> str | None:
    """The cycle a seasonality finding is about: weekly, yearly, or multi-year (a cycle of years)."""
    return (ins.get("evidence", {}).get("aggregates") or {}).get("cycle")


def _pooled_panel(result: Result, case: Case) -> list[str]:
    bad = case.pooled_forbidden
    if not bad or case.panel is None:
        return []
    entity_col = case.panel.entity
    out = []
    for ins in non_quality(result):
        e = ev(ins)
        if ins.get("type") not in POOLED_TYPES or not (used_measures(ins, result) & bad):
            continue
        if (
            e.get("entity") is None
            and entity_col not in filter_columns(ins)
            and e.get("dimension") != entity_col
        ):
            out.append(f"{_name(ins)} pools {sorted(used_measures(ins, result) & bad)} across {entity_col!r}")
    return out


def _related_correlations(result: Result, case: Case) -> list[str]:
    out = []
    for ins in non_quality(result):
        if ins.get("type") != "correlation":
            continue
        cols = set(ev(ins).get("columns") or [])
        for rel in case.relations:
            if rel.target in cols and cols & set(rel.parts):
                out.append(
                    f"{_name(ins)} correlates {rel.target!r} "
                    f"with its own part {sorted(cols & set(rel.parts))}"
                )
        trending = cols & set(case.trending)
        if len(trending) >= 2 and ev(ins).get("basis") != "changes":
            out.append(f"{_name(ins)} correlates the levels of trending series {sorted(trending)}")
    return out


def _circular(result: Result, case: Case) -> list[str]:
    out = []
    for ins in non_quality(result):
        e = ev(ins)
        for dim, measure in case.circular:
            segments_by = e.get("dimension") == dim or dim in filter_columns(ins)
            if ins.get("type") == "correlation":
                segments_by = dim in (e.get("columns") or [])
            if segments_by and measure in used_measures(ins, result):
                out.append(f"{_name(ins)} is circular: {dim!r} follows from {measure!r}")
    return out


def _duration_below_zero(result: Result, case: Case) -> list[str]:
    charts = {c.get("id"): c for c in result.get("charts", [])}
    pairs = [set(p) for p in case.durations]
    out = []
    for ins in non_quality(result):
        if ins.get("type") not in TIME_TYPES:
            continue
        cols = set(ev(ins).get("columns") or [])
        is_duration = measure_kind(ins, result) == "duration" or any(p <= cols for p in pairs)
        chart = charts.get(ins.get("chartId"))
        if not is_duration or not chart:
            continue
        for trace in (chart.get("figure") or {}).get("data") or []:
            ys = [y for y in trace.get("y") or [] if isinstance(y, int | float)]
            if ys and min(ys) < 0:
                out.append(
                    f"{_name(ins)}: duration line {trace.get('name')!r} goes below zero ({min(ys):.3g})"
                )
    return out


_GENERIC: tuple[Callable[[Result, Case], list[str]], ...] = (
    _code_measures,
    _levels_summed,
    _finer_than_grain,
    _pooled_panel,
    _related_correlations,
    _circular,
    _duration_below_zero,
)


def semantics_problems(result: Result, case: Case) -> list[str]:
    sem = result.get("semantics")
    if not isinstance(sem, dict):
        return ["result has no `semantics` block (docs/analysis.md §1)"]
    out: list[str] = []
    out += _check_one("tableKind", sem.get("tableKind"), case.table_kind)
    out += _check_one("rowMeaning", sem.get("rowMeaning"), case.row_meaning)
    time = sem.get("time") or {}
    if case.no_time and sem.get("time"):
        out.append(f"time axis {time.get('column')!r} found in a table without one")
    out += _check_one("time.column", time.get("column"), case.time)
    out += _check_one("time.grain", time.get("grain"), case.grain)
    out += _check_one("time.source", time.get("source"), case.time_source)
    measures = sem.get("measures") or []
    out += _measure_kinds(measures, case)
    out += _listed("codes", sem.get("codes") or [], case.codes)
    out += _listed("text", sem.get("text") or [], case.text)
    out += _listed("entities", [e.get("column") for e in sem.get("entities") or []], case.entities)
    for m in measures:
        hit = set(m.get("columns") or []) & case.never_measures
        if hit and m.get("kind") != "duration":
            out.append(f"measure {m.get('name')!r} is built on {sorted(hit)}, which is not a measure")
    if case.coordinates:
        geo = sem.get("geography") or {}
        want = {"latitude": case.coordinates[0], "longitude": case.coordinates[1]}
        if {k: geo.get(k) for k in want} != want:
            out.append(f"geography should be {want}, got {geo or None}")
    out += _panel(sem.get("panel"), case)
    out += _relations(sem.get("relations") or [], case)
    circular = {(c.get("dimension"), c.get("measure")) for c in sem.get("circular") or []}
    names = _measure_names(measures)
    for dim, measure in case.circular:
        if not any(d == dim and (m == measure or measure in names.get(m, set())) for d, m in circular):
            out.append(f"circular should pair {dim!r} with {measure!r}, got {sorted(circular)}")
    return out


def _check_one(key: str, value: Any, accepted: tuple[str, ...]) -> list[str]:
    if accepted and not _accepts(accepted, value):
        return [f"{key} should be one of {list(accepted)}, got {value!r}"]
    return []


def _listed(key: str, got: Iterable[Any], want: Iterable[str]) -> list[str]:
    missing = sorted(set(want) - set(got))
    return [f"{key} should include {missing}, got {sorted(map(str, got))}"] if missing else []


def _measure_names(measures: list[dict[str, Any]]) -> dict[str, set[str]]:
    return {m.get("name"): set(m.get("columns") or []) for m in measures}


def _measure_kinds(measures: list[dict[str, Any]], case: Case) -> list[str]:
    out = []

    def kind_of(col: str) -> str | None:
        for m in measures:
            if m.get("name") == col or (m.get("columns") or []) == [col]:
                return m.get("kind")
        return None

    for kind, cols in (("level", case.levels), ("flow", case.flows)):
        for col in cols:
            got = kind_of(col)
            if got != kind:
                out.append(f"measure {col!r} should be a {kind}, got {got or 'no measure'}")
    if case.count_measure and not any(m.get("kind") == "count" for m in measures):
        out.append("an event table should have the row count as a measure (kind 'count')")
    for start, end in case.durations:
        match = [
            m for m in measures if m.get("kind") == "duration" and set(m.get("columns") or []) == {start, end}
        ]
        if not match:
            out.append(f"no duration measure from {start!r} to {end!r}")
        elif match[0].get("unit") not in ("hours", "days"):
            out.append(f"duration {start}→{end} should be in hours or days, got {match[0].get('unit')!r}")
    return out


def _panel(panel: Any, case: Case) -> list[str]:
    if case.panel is None:
        return []
    panel = panel or {}
    out = []
    if case.panel.entity and panel.get("entity") != case.panel.entity:
        out.append(f"panel.entity should be {case.panel.entity!r}, got {panel.get('entity')!r}")
    missing = set(case.panel.wide) - set(panel.get("wide") or [])
    if missing:
        out.append(f"panel.wide should include {sorted(missing)}, got {panel.get('wide')!r}")
    return out


def _relations(got: list[dict[str, Any]], case: Case) -> list[str]:
    out = []
    for rel in case.relations:
        parts: set[str] = set()
        for r in got:
            if r.get("kind") in rel.kinds and r.get("target") == rel.target:
                parts |= set(r.get("parts") or [])
        if not set(rel.parts) <= parts:
            out.append(
                f"relations should hold {rel.target!r} {'/'.join(rel.kinds)} {list(rel.parts)}, got {got}"
            )
    return out


# ---------------------------------------------------------------------------------------------
# What was found
# ---------------------------------------------------------------------------------------------


def _name(ins: Insight) -> str:
    return f"{ins.get('id')} {ins.get('type')} {str(ins.get('title'))[:70]!r}"


def _titles(found: list[Insight]) -> str:
    return "; ".join(_name(i) for i in found)


def report(result: Result) -> str:
    """The semantics summary and every insight with the fields tests match on."""
    lines = ["--- what the engine found ---"]
    sem = result.get("semantics")
    if isinstance(sem, dict):
        time = sem.get("time") or {}
        measures = ", ".join(
            f"{m.get('name')}:{m.get('kind')}/{m.get('agg')}" for m in sem.get("measures") or []
        )
        lines.append(
            f"semantics: kind={sem.get('tableKind')} rows={sem.get('rowMeaning')} "
            f"time={time.get('column')}/{time.get('grain')}/{time.get('source')} measures=[{measures}]"
        )
        lines.append(
            f"  entities={[e.get('column') for e in sem.get('entities') or []]} panel={sem.get('panel')} "
            f"geo={sem.get('geography')} codes={sem.get('codes')} text={sem.get('text')} "
            f"relations={sem.get('relations')} circular={sem.get('circular')}"
        )
    else:
        lines.append("semantics: <absent>")
    for ins in result.get("insights", []):
        e = ev(ins)
        fields = {
            k: e.get(k)
            for k in ("measure", "measureKind", "agg", "dimension", "entity", "direction", "grain", "basis")
            if e.get(k) is not None
        }
        lines.append(f"  {ins.get('id')} {ins.get('type')}: {str(ins.get('title'))[:80]!r}")
        lines.append(f"      cols={e.get('columns')} {fields} aggregation={e.get('aggregation')!r}")
        if e.get("terms"):
            lines.append(f"      terms={terms_of(ins)[:8]}")
        if e.get("drillDown"):
            lines.append(f"      drillDown={e.get('drillDown')}")
    kpis = [f"{k.get('id')}" for k in result.get("kpis", [])]
    lines.append(f"kpis: {kpis}")
    return "\n".join(lines)


@dataclass
class Outcome:
    """The result of one case, or the error the analysis raised."""

    result: Result | None = None
    error: BaseException | None = None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
