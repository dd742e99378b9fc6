"""`read_semantics()`: the analyst's reading of a table, assembled from one module per question."""

from __future__ import annotations

import numpy as np
import polars as pl

from engine.analysis.profile import ColumnProfile
from engine.analysis.semantics.durations import Duration, find_durations
from engine.analysis.semantics.entities import dimensions_and_entities, find_panel, text_columns
from engine.analysis.semantics.events import count_measure, row_meaning
from engine.analysis.semantics.measures import measure_kind, name_tells_kind, persistent, read_numeric
from engine.analysis.semantics.model import TIME, Measure, Relation, TableModel, TimeAxis
from engine.analysis.semantics.rates import out_of, per_head
from engine.analysis.semantics.relations import find_circular, find_relations
from engine.analysis.semantics.survival import censored_times
from engine.analysis.semantics.time_axis import find_time_axis
from engine.analysis.semantics.vocabulary import CODES, INCOMES, has
from engine.analysis.semantics.weights import expand, frequency_weights

# each detector reads its own few of them; the segment budget goes to those the categories split
MAX_MEASURES = 40
PANEL_KEY_VALUES = 60  # a numeric column with at most this many values may be a panel key (age groups)
LEVEL_SAMPLE_ENTITIES = 20
CLOCK_ENTITIES = 5  # entities followed over time before a measure can be seen to move with the calendar
CLOCK_SLACK = 0.6  # spread (years) of measure − year within an entity that still reads as one for one
WIDE_SIZE_RATIO = 20.0


def read_semantics(df: pl.DataFrame, profiles: list[ColumnProfile], file_name: str | None) -> TableModel:
    """Decide what the table's rows, time axis, measures, dimensions and entities are."""
    by_name = {p.name: p for p in profiles}
    durations = find_durations(df, profiles)
    time, time_expr = find_time_axis(df, profiles, prefer=durations[0].start if durations else None)
    ended = [d for d in durations if d.ended is not None]
    frame = df.with_columns(
        ([time_expr] if time_expr is not None else [])
        + [d.expr for d in durations]
        + [d.ended_expr() for d in ended]
    )
    time_cols = time.columns if time else []
    numeric = read_numeric(df, profiles, time_cols, set())
    measures = numeric.measures
    taken = {m.name for m in measures} | set(time_cols) | set((numeric.geography or {}).values())
    text = text_columns(df, profiles)
    dims, entities = dimensions_and_entities(df, profiles, taken | set(text), set(numeric.codes))
    dims += [c for c in numeric.calendar + numeric.coded if c not in dims and c not in time_cols]
    weights = frequency_weights(df, measures, dims, entities, text, numeric.codes, time is not None)
    if weights:  # a frequency table: one row per case, its count column spent on the expansion
        frame, measures = expand(frame, weights), []
    keyable = [
        m.name
        for m in measures
        if by_name[m.name].semantic == "integer" and by_name[m.name].distinct <= PANEL_KEY_VALUES
    ]
    periods = frame[TIME].n_unique() if TIME in frame.columns else 0
    distinct = {p.name: max(p.distinct, 1) for p in profiles}
    panel = find_panel(
        frame, dims + [e.column for e in entities if e.column not in dims] + keyable, distinct, periods
    )
    if panel:
        for key in panel.keys:
            if key in keyable:
                measures = [m for m in measures if m.name != key]
                dims.append(key)
    kind = _table_kind(frame, time, panel is not None, periods)
    if kind == "cross_section" and _ordered_rows(frame, measures):
        kind = "series"  # rows follow each other in time although no column says when
    if panel and TIME in frame.columns:
        _mark_clocks(frame, measures, panel.keys)
    if panel and panel.mixed_units:
        _levels_by_behaviour(frame, measures, panel.keys)
        for m in measures:
            m.additive_across = False
    frame, rates, ties = _of_things(frame, kind, measures)
    # one row per period (and entity): the file names what is measured (fatalities.csv of state-years)
    meaning = (
        "rows"
        if kind in ("series", "panel")
        else row_meaning(file_name, df.columns, [m.name for m in measures], _keys(df, profiles))
    )
    if weights and meaning == "rows":
        meaning = "cases"
    count = count_measure(meaning, meaning if meaning not in df.columns else f"{meaning} (rows)")
    others = _order(
        [*[d.measure for d in durations], *rates, *measures, *[d.ended for d in ended if d.ended]], kind
    )[: MAX_MEASURES - 1]
    measures = _order([count, *others], kind)
    # time to death beside dead/alive: one observation; every few-valued column may be a status (a
    # multi-state history has more of them than the dimensions kept)
    flags = dims + [p.name for p in profiles if p.name not in dims and p.semantic == "boolean"]
    followed = censored_times(measures, flags, {p.name: p.distinct for p in profiles})
    model = TableModel(
        frame=frame,
        table_kind=kind,
        row_meaning=meaning,
        time=time,
        measures=measures,
        dimensions=dims,
        entities=entities,
        panel=panel.to_dict() if panel else None,
        geography=numeric.geography,
        text=text,
        codes=numeric.codes
        + [
            p.name
            for p in profiles
            if p.semantic in ("categorical", "identifier")
            and df.schema[p.name] == pl.String
            and has(p.name, CODES)
        ],
        relations=find_relations(
            frame.sort(TIME) if kind == "series" and TIME in frame.columns else frame,
            measures,
            panel.keys if panel else None,
            kind in ("series", "panel"),
        )
        + ties,
        # entity keys (firms, cities) differ in size by nature: only categorisations can be circular
        circular=find_circular(frame, [d for d in dims if not (panel and d in panel.keys)], measures)
        + followed,
        calendar=[c for c in dims if c in numeric.calendar or _calendar_words(by_name[c])],
        distinct={p.name: p.distinct for p in profiles},
        quality=[_negative(d) for d in durations if d.negative],
        weights=weights,
    )
    _transforms_share_kind(model)
    _transforms_share_ties(model)
    if model.panel is None and kind == "series":
        parts = next((r for r in model.relations if r.kind == "sum_of" and len(r.parts) >= 3), None)
        if parts:  # the parts of a total are one quantity across entities (states of a country)
            model.panel = {"wide": list(parts.parts)}
        else:
            model.panel = _wide(frame, kind, measures)
    return model


def _mark_clocks(frame: pl.DataFrame, measures: list[Measure], keys: list[str]) -> None:
    """A measure that moves one for one with the years within each entity (a woman's age, her years
    since school, across the survey's waves) is the calendar seen from the entity: it "rises" by
    construction, so it is never read over time."""
    years = (
        pl.col(TIME).dt.year().cast(pl.Float64)
        + (pl.col(TIME).dt.ordinal_day().cast(pl.Float64) - 1) / 365.25
    )
    candidates = [m for m in measures if m.kind == "level" and not m.derived]
    if not candidates:
        return
    per_entity = (
        frame.lazy()
        .filter(pl.col(TIME).is_not_null())
        .group_by(keys)
        .agg(
            [(pl.col(m.name).cast(pl.Float64) - years).std().alias(f"{m.name}\x00off") for m in candidates]
            + [pl.col(m.name).cast(pl.Float64).std().alias(f"{m.name}\x00sd") for m in candidates]
        )
        .collect()
    )
    for m in candidates:
        off, sd = per_entity[f"{m.name}\x00off"].drop_nulls(), per_entity[f"{m.name}\x00sd"].drop_nulls()
        if off.len() >= CLOCK_ENTITIES and float(sd.median() or 0.0) >= 0.5:  # type: ignore[arg-type]
            m.clock = float(off.median() or 0.0) <= CLOCK_SLACK  # type: ignore[arg-type]


def _transforms_share_ties(model: TableModel) -> None:
    """What follows from a measure follows from its exact transforms too: a status circular with TIME
    is circular with log(TIME), and a censored time's log is censored as well."""
    for rel in model.relations:
        if rel.kind != "transform_of":
            continue
        a, b = model.measure(rel.target), model.measure(rel.parts[0])
        for this, other in ((a, b), (b, a)):
            model.circular += [(d, this.name) for d, m in model.circular if m == other.name]
            this.censored = this.censored or other.censored
    model.circular = list(dict.fromkeys(model.circular))


def _transforms_share_kind(model: TableModel) -> None:
    """A column that is an exact function of a level (tenure² of tenure) is a level too,
    unless its own name says otherwise: its long tail alone made it look like a tally."""
    for rel in model.relations:
        if rel.kind != "transform_of":
            continue
        pair = [model.measure(rel.target), model.measure(rel.parts[0])]
        for this, other in (pair, pair[::-1]):
            if this.kind == "flow" and other.kind == "level" and not name_tells_kind(this.name, this.unit):
                this.kind, this.additive_across = "level", False


def _table_kind(frame: pl.DataFrame, time: TimeAxis | None, panel: bool, periods: int) -> str:
    if panel:
        return "panel"
    if time is None:
        return "cross_section"
    present = frame.height - frame[TIME].null_count()
    if not present or periods < 0.97 * present:
        return "events"
    if time.grain == "hour" and not _on_the_hour(frame[TIME]):
        return "events"  # timestamps of things that happened, unique by accident of precision
    return "series"


def _ordered_rows(frame: pl.DataFrame, measures: list[Measure]) -> bool:
    """Rows in time order without a time column: most measures move little from one row to the next.

    Random or grouped rows have little lag-1 correlation; a table sorted on
    purpose has one monotonic column, and only the columns that follow it
    closely share its smoothness. A table of quarterly indicators with no date
    column (GDP and population rising, interest rates wandering) is smooth in
    nearly every column, several of them not monotonic. A grid (a density over
    eruption times and waits, one wait held for 75 rows) is smooth too, but its
    outer column is a staircase.
    """
    cols = [m.name for m in measures if m.kind != "count"]
    if len(cols) < 2 or frame.height < 30:
        return False
    data = frame.select([pl.col(c).cast(pl.Float64) for c in cols]).drop_nulls()
    if data.height < 30:
        return False
    smooth = wandering = 0
    for c in cols:
        v = data[c].to_numpy()
        if np.std(v) == 0:
            return False
        d = np.diff(v)
        monotone = bool((d >= 0).all() or (d <= 0).all())
        if monotone and np.count_nonzero(d) < 0.5 * len(d):
            return False  # a step of few values held for many rows: a grid or blocks, not time
        if float(np.corrcoef(v[:-1], v[1:])[0, 1]) >= 0.9:
            smooth += 1
            wandering += not monotone
    return wandering >= min(2, len(cols)) and smooth >= 0.75 * len(cols)


_DAY_WORDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTH_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _calendar_words(p: ColumnProfile) -> bool:
    """A text column of weekday or month names (its most frequent values tell)."""
    if p.dtype != "String" or not p.top or p.distinct > 12:
        return False
    short = {str(t["value"]).strip().lower()[:3] for t in p.top}
    return len(short) >= 2 and (short <= set(_DAY_WORDS) or short <= set(_MONTH_WORDS))


def _on_the_hour(s: pl.Series) -> bool:
    """Readings taken on the hour (a sensor log), not events stamped to the minute.

    Read on the column's integer form (a remainder, far cheaper than taking the
    minute and second of a million timestamps); missing times are skipped.
    """
    dtype = s.dtype
    if not isinstance(dtype, pl.Datetime):
        return True  # dates: whole days
    hour = {"ns": 3_600_000_000_000, "us": 3_600_000_000, "ms": 3_600_000}[dtype.time_unit or "us"]
    share = (s.to_physical() % hour == 0).mean()
    return share is not None and bool(share >= 0.95)  # type: ignore[operator]


def _keys(df: pl.DataFrame, profiles: list[ColumnProfile]) -> list[str]:
    """Columns with a value of their own on (nearly) every row: the ones that can name a row."""
    return [
        p.name
        for p in profiles
        if p.missing < 0.5 * df.height and p.distinct >= 0.95 * (df.height - p.missing)
    ]


def _of_things(
    frame: pl.DataFrame, kind: str, measures: list[Measure]
) -> tuple[pl.DataFrame, list[Measure], list[Relation]]:
    """In a table of things (states, occupations; once or once a year each): incomes are each
    one's own level, and a count beside the population is read per head as well. In any table, a
    count beside the group it was counted in is read as a share of it."""
    frame, shares, tied = out_of(frame, measures)  # cases among all tested: the share, by age group
    if kind not in ("cross_section", "panel"):
        return frame, shares, tied
    _incomes_per_unit(measures)
    frame, rates, ties = per_head(frame, measures)  # murders beside population: per 100,000 people
    return frame, rates + shares, ties + tied


def _incomes_per_unit(measures: list[Measure]) -> None:
    """In a table of things (occupations, states, households; each in one row or one per year), an
    income is each one's own level, per person or per household: their "total income" adds up nothing."""
    for m in measures:
        if m.kind == "flow" and has(m.name, INCOMES) and not has(m.name, _TOTALS):
            m.kind, m.additive_across = "level", False


_TOTALS = frozenset({"total*", "sum", "gross"})


def _levels_by_behaviour(frame: pl.DataFrame, measures: list[Measure], keys: list[str]) -> None:
    """In a long table of mixed indicators, a measure is a level when each entity's series barely moves."""
    unknown = [m for m in measures if m.kind == "flow"]
    if not unknown:
        return
    data = frame.sort(TIME)
    if keys:
        firsts = data.select(keys).unique(maintain_order=True).head(LEVEL_SAMPLE_ENTITIES)
        groups = [data.join(firsts.slice(i, 1), on=keys) for i in range(firsts.height)]
    else:
        groups = [data]
    for m in unknown:
        votes = [persistent(g[m.name].cast(pl.Float64).to_numpy()) for g in groups]
        if votes and float(np.mean(votes)) > 0.5:
            kind, across = measure_kind(m.name, m.unit, behaves_like_level=True)
            m.kind, m.additive_across = kind, across  # type: ignore[assignment]


def _order(measures: list[Measure], kind: str) -> list[Measure]:
    """The main measure first: a money flow, else a duration, else the count (events) or first measure."""

    def rank(m: Measure) -> tuple[int, int]:
        if m.kind == "flow" and m.money:
            return (0, 0)
        if m.kind == "duration":
            return (1, 0)
        if m.kind == "count":
            return (2, 0) if kind in ("events", "cross_section") else (5, 0)
        if m.kind == "flow":
            return (3, 0)
        return (4, 0)

    return sorted(measures, key=rank)


def _wide(frame: pl.DataFrame, kind: str, measures: list[Measure]) -> dict[str, object] | None:
    """A series table whose three or more unnamed measures are alike in kind and size: one per entity.

    One price column per ticker, one index per market: their names tell
    nothing, their sizes are of one order. Different indicators side by side
    (consumption, savings rate, unemployment) differ by orders of magnitude.
    """
    if kind != "series":
        return None
    plain = [m for m in measures if m.kind in ("flow", "level") and not name_tells_kind(m.name, m.unit)]
    if len(plain) < 3 or len({m.kind for m in plain}) != 1:
        return None
    sizes = frame.select([pl.col(m.name).cast(pl.Float64).abs().median() for m in plain]).row(0)
    if any(v is None or v <= 0 for v in sizes) or max(sizes) > WIDE_SIZE_RATIO * min(sizes):
        return None
    return {"wide": [m.name for m in plain]}


def _negative(d: Duration) -> dict[str, object]:
    return {
        "code": "negative_duration",
        "measure": d.measure.name,
        "columns": [d.start, d.end],
        "count": d.negative,
        "complete": d.complete,
    }
