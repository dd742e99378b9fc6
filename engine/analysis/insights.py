"""Run every detector the table's semantics call for, then rank the candidates.

What is examined is bounded (a few measures over time, a few dimensions and
entities, drill-downs only into segments that stood out), so the run stays
fast on wide and long files. Which pairs are never examined follows from the
semantics: circular dimension/measure pairs, related measures, pooled series
of panels whose entity mix changes, sums of levels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from engine.analysis.candidates import Candidate
from engine.analysis.detectors.attribution import attribute_change
from engine.analysis.detectors.brackets import bracket
from engine.analysis.detectors.correlation import ONE_QUANTITY_R, correlations
from engine.analysis.detectors.counts import count_distribution
from engine.analysis.detectors.drilldown import (
    PAIR_SCAN_VALUES,
    Nesting,
    drill_measure,
    drill_rows,
    strongest_pair,
    strongest_rate,
)
from engine.analysis.detectors.negative import negative_answers
from engine.analysis.detectors.panel import entity_frame, entity_seasonality, entity_trends
from engine.analysis.detectors.patterns import anomalies, cycle_finding, seasonality
from engine.analysis.detectors.repeats import repeated_records
from engine.analysis.detectors.seasonal import seasonal
from engine.analysis.detectors.segment_stats import SegmentStats, segment_stats
from engine.analysis.detectors.segment_trend import segment_cells, segment_trends
from engine.analysis.detectors.segments import (
    category_outliers,
    concentration,
    segment_comparison,
    top_contributor,
)
from engine.analysis.detectors.temporal import MIN_POP_POINTS, change_point, period_change, trend
from engine.analysis.detectors.text import overall_terms, segment_terms, text_rows
from engine.analysis.fmt import label
from engine.analysis.goal import GoalFocus, relevance
from engine.analysis.ranking import apply_fdr, select
from engine.analysis.semantics.model import TIME, Measure, TableModel
from engine.analysis.semantics.vocabulary import COHORTS, OUTCOMES, PRICES, STATUS, UNITS, YEARS, has, words
from engine.analysis.series import TimeSeries, build_series, choose_grain, cube, dense_days

TIME_MEASURES = 4
SEGMENT_MEASURES = 3
ENTITY_TREND_MEASURES = 3
DRILL_SEGMENTS = 3
DRILL_DIMENSIONS = 6
TEXT_COLUMNS = 2
SEGMENT_TREND_DIMENSIONS = 3
_SEGMENT_TYPES = frozenset({"category_outlier", "segment_comparison", "top_contributor", "concentration"})
CENSORED_SHARE = 0.2  # durations still open on this share of rows are not read over time
SMALL_TABLE = 200_000  # up to this many rows, twice as many measures are segmented
LIFECYCLE_STATES = 12
FULL_DETECTION_ROWS = 500_000  # up to this many rows, the secondary detectors read every row...
DETECTION_ROWS = 125_000  # ...above it, every k-th row, about this many
SPLIT_VALUES = 50  # dimensions with at most this many categories screen the measures to segment
SPLIT_ROWS = 20_000  # rows that screening reads (every k-th row of a longer table)
BOX_SAMPLE = 50_000  # rows drawn in box plots and read by the log-scale check; other segment figures: all


@dataclass
class Found:
    """Everything the insight stage hands on: ranked insights, selection facts, the series it built."""

    kept: list[Candidate]
    selection: dict[str, Any]
    main_series: TimeSeries | None
    series: dict[str, TimeSeries] = field(default_factory=dict)
    stats: list[SegmentStats] = field(default_factory=list)  # the segment aggregates, for the overview


def find_insights(
    model: TableModel, quality: list[Candidate], tick: Callable[[float], None], focus: GoalFocus | None = None
) -> Found:
    """Ranked insights for the table; with a goal, the detectors spend their budget on what it names first
    and findings about it rank first."""
    if focus is not None and focus.matched:
        _steer(model, focus)
    candidates = list(quality)
    series: dict[str, TimeSeries] = {}
    pops: list[Candidate] = []
    grain = None
    if model.time:
        grain = _temporal(model, candidates, pops, series)
        if grain and ((model.panel or {}).get("keys") or (model.panel or {}).get("wide")):
            candidates += _panel(model, grain)
    tick(0.6)
    stats = _segments(model, candidates)
    tick(0.65)
    rows = _detection_rows(model)
    secondary = _drill_downs(model, stats, rows, focus) + _text(model, stats, rows)
    if grain and model.table_kind == "events":
        secondary += _segment_trends(model, grain, rows, focus)
    secondary += _brackets(model, rows)
    if rows is not model.frame:  # read on every k-th row: say so on each finding
        for c in secondary:
            c.evidence["aggregates"]["sampledRows"] = rows.height
    candidates += secondary + _repeats(model)  # copies are counted on every row: a sample would split them
    tick(0.7)
    found, corr_info = correlations(model, series)
    candidates += found
    apply_fdr(candidates)
    _attribute_and_group(model, series, pops, candidates)
    if focus is not None and focus.matched:
        candidates += negative_answers(model, focus, stats, grain, rows, candidates)
        for c in candidates:
            rel = relevance(c, focus)
            if rel > 0:
                c.extra["goal"] = rel
    kept, selection = select(candidates)
    main = next(iter(series.values()), None)
    return Found(kept, {**selection, "correlation": corr_info}, main, series, stats)


def measure_families(model: TableModel, series: dict[str, TimeSeries]) -> dict[str, str]:
    """Measures telling one story (revenue = units × price; orders and units moving as one) share a family.

    One finding of a kind per family survives ranking: "orders, units and
    revenue all rose" is one finding, not three.
    """
    family = {m.name: m.name for m in model.measures}
    order = [m.name for m in model.measures]

    def join(a: str, b: str) -> None:
        ra, rb = family[a], family[b]
        keep, drop = (ra, rb) if order.index(ra) <= order.index(rb) else (rb, ra)
        for k, v in family.items():
            if v == drop:
                family[k] = keep

    for r in model.relations:
        for part in r.parts:
            if part not in family or r.target not in family:
                continue
            if r.kind in ("component_of", "proportional", "transform_of") or (
                r.kind in ("product", "sum_of")
                and model.measure(part).kind in ("flow", model.measure(r.target).kind)
            ):
                join(r.target, part)
    _rowwise(model, join)
    names = [n for n in series if n in family and model.measure(n).summable]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            x, y = series[a], series[b]
            if x.x == y.x and len(x) >= 6:  # counts and flows that move as one, step by step
                dx, dy = np.diff(x.y), np.diff(y.y)
                if np.std(dx) > 0 and np.std(dy) > 0 and float(np.corrcoef(dx, dy)[0, 1]) >= 0.95:
                    join(a, b)
    return family


def _rowwise(model: TableModel, join: Callable[[str, str], None]) -> None:
    """Measures that are one quantity (value and value01, a flight's air time and its distance): r >=
    ONE_QUANTITY_R row by row (within entities), as the correlation detector reads them too."""
    names = [m.name for m in model.measures if m.kind in ("flow", "level") and not m.derived][:12]
    if len(names) < 2:
        return
    keys = (model.panel or {}).get("keys") or []
    over_time = model.table_kind in ("series", "panel")
    data = model.frame.sort([*keys, TIME]) if over_time and TIME in model.frame.columns else model.frame
    data = data.select([*keys, *names]).head(20_000)
    groups = [g for _, g in data.group_by(keys, maintain_order=True)][:10] if keys else [data]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            rs = []
            for g in groups:
                both = g.select(pl.col(a).cast(pl.Float64), pl.col(b).cast(pl.Float64)).drop_nulls()
                x, y = both[a].to_numpy(), both[b].to_numpy()
                if over_time:  # levels over time all "correlate": compare their steps
                    x, y = np.diff(x), np.diff(y)
                if len(x) >= 5 and np.std(x) > 0 and np.std(y) > 0:
                    rs.append(float(np.corrcoef(x, y)[0, 1]))
            if rs and min(rs) >= ONE_QUANTITY_R:
                join(a, b)


def _time_measures(model: TableModel) -> list[tuple[Measure, pl.DataFrame]]:
    """Measures read over time, each with the rows it is read on.

    The count only in event tables. A panel's measure is read as one series only
    when it adds up across entities; when the mix of entities changes over time,
    only over the entities present throughout (never a sum that grows because
    cities join the data).
    """
    out = []
    for m in model.measures:
        if m.kind == "count" and model.table_kind != "events":
            continue
        frame = _pooled_frame(model, m) if model.table_kind == "panel" else model.frame
        if frame is not None:
            out.append((m, frame))
    return out[:TIME_MEASURES]


def _censored(model: TableModel, m: Measure) -> bool:
    """A duration whose end is still missing on many rows (patients alive, tickets open) cannot be read
    over time: the latest starts only have their short durations ended yet, so the duration would
    seem to fall."""
    if m.tied_to_time:
        return True
    if m.kind != "duration" or len(m.columns) != 2:
        return False
    start, end = m.columns
    both = model.frame.select(
        pl.col(start).is_not_null().sum().alias("started"),
        (pl.col(start).is_not_null() & pl.col(end).is_null()).sum().alias("open"),
    ).row(0)
    return both[0] > 0 and both[1] >= CENSORED_SHARE * both[0]


def _pooled_frame(model: TableModel, m: Measure) -> pl.DataFrame | None:
    """The rows a panel's measure is read on as one series: a sum over the entities (flows, levels
    that add up), or their mean for a rate on one scale for all (unemployment rates across
    countries, temperatures across cities) while the same entities are there throughout. Never
    prices (each share's own scale) nor a key that names different quantities."""
    comparable = (
        m.kind == "level"
        and not m.money
        and not has(m.name, PRICES)
        and not (model.panel or {}).get("mixedUnits")
    )
    if not (m.kind == "flow" or (m.kind == "level" and m.additive_across) or comparable):
        return None
    keys = (model.panel or {}).get("keys") or []
    present = model.frame.lazy().filter(pl.col(TIME).is_not_null() & pl.col(m.name).is_not_null())
    per = present.group_by(TIME).agg(pl.struct(keys).n_unique().alias("k")).collect()["k"]
    if per.len() == 0:
        return None
    if float(per.min()) >= 0.9 * float(per.max()):  # type: ignore[arg-type]
        return model.frame
    if m.kind != "flow":
        return None  # a level over a changing mix: per entity only
    periods = per.len()
    seen = present.group_by(keys).agg(pl.col(TIME).n_unique().alias("p"), pl.len().alias("rows")).collect()
    steady = seen.filter(pl.col("p") >= 0.95 * periods)
    if steady.height < 2 or float(steady["rows"].sum()) < 0.5 * float(seen["rows"].sum()):
        return None
    return model.frame.join(steady.select(keys), on=keys)


def _temporal(
    model: TableModel, candidates: list[Candidate], pops: list[Candidate], series: dict[str, TimeSeries]
) -> str | None:
    assert model.time is not None
    valued = [m for m in model.measures if m.kind != "count"]
    c = cube(model.frame, valued, model.time.grain)
    grain = choose_grain(c)
    if grain is None:
        return None
    time = model.time.columns
    keys = (model.panel or {}).get("keys") or []
    for m, frame in _time_measures(model):
        if _censored(model, m):
            continue
        mc = c if frame is model.frame else cube(frame, [m], model.time.grain)
        ts = build_series(mc, m, grain)
        if ts is None:
            continue
        series[m.name] = ts
        s = seasonal(ts)
        found = [x for x in (trend(s, m, time), change_point(s, m, time)) if x]
        found += anomalies(s, m, time)
        found += seasonality(s, m, time)
        cycle = cycle_finding(ts, m, time)
        found += [cycle] if cycle else []
        if ts.grain != "day" and dense_days(mc):  # the weekly cycle shows only in daily values
            daily = build_series(mc, m, "day")
            if daily is not None:
                weekly = seasonality(seasonal(daily), m, time)
                found += [x for x in weekly if x.evidence["aggregates"]["cycle"] == "weekly"]
        # the last period's move, for what adds up or is waited for; a mean price's weekly wobble is not news
        pop = period_change(seasonal(_pop_series(mc, ts, m)), m, time) if m.kind != "level" else None
        if pop:
            found.append(pop)
            if m.summable:
                pops.append(pop)
        averaged = model.table_kind == "panel" and m.kind == "level" and not m.additive_across
        if frame is not model.frame or averaged:  # read over the entities present throughout
            pooled = frame.select(keys).n_unique()
            for x in found:
                x.evidence["aggregates"]["entitiesPooled"] = pooled
                if averaged and x.text.endswith("."):  # the series is their mean: say so
                    x.text = (
                        f"{x.text[:-1]}; the mean over {pooled} {' × '.join(label(k) for k in keys)} values."
                    )
        candidates += found
    return grain


def _pop_series(c: Any, ts: TimeSeries, m: Measure) -> TimeSeries:
    """The coarsest series with enough complete periods for a period-over-period comparison."""
    for grain in ("month", "week"):
        if grain == ts.grain:
            break
        if ts.grain in ("quarter", "year"):
            break
        coarse = build_series(c, m, grain)
        if coarse is not None and len(coarse) >= MIN_POP_POINTS:
            return coarse
    return ts


def _panel(model: TableModel, grain: str) -> list[Candidate]:
    panel = model.panel or {}
    keys, wide = panel.get("keys"), panel.get("wide")
    out: list[Candidate] = []
    if wide:
        first = model.measure(wide[0])
        m = Measure(
            "value",
            first.kind,
            "value",
            columns=list(wide),
            derived=True,
            unit=first.unit,
            definition=f"each of {', '.join(wide)}",
            additive_across=first.additive_across,
        )
        long = entity_frame(model.frame, None, wide, m)
        if long is not None:
            out += entity_trends(long, m, grain, "series", model.time.columns if model.time else [])
        return out
    measures = [m for m in model.measures if m.kind in ("flow", "level") and not m.tied_to_time][
        :ENTITY_TREND_MEASURES
    ]
    dim = ", ".join(keys or [])
    time = model.time.columns if model.time else []
    native = model.time.grain if model.time else "day"
    for m in measures:
        long = entity_frame(model.frame, keys, None, m)
        if long is None:
            continue
        out += entity_trends(long, m, grain, dim, time)
        if _pooled_frame(model, m) is None:  # not read as one series: its season, city by city
            out += entity_seasonality(long, m, native, grain, dim, time)
    return out


def _segment_measures(model: TableModel) -> list[Measure]:
    """The main measure, the row count and money, then, of the others, those the dimensions split most
    (when there are more than the budget): the usage columns of a wide customer export that churners
    differ on, not merely the first ones."""
    out = []
    for m in model.measures:
        if m.kind == "count" and model.table_kind in ("series", "panel"):
            continue  # a row per period (and entity): counting rows says nothing
        out.append(m)
    budget = (SEGMENT_MEASURES if model.frame.height > SMALL_TABLE else 2 * SEGMENT_MEASURES) + 1
    if len(out) <= budget:
        return out
    fixed = [m for i, m in enumerate(out) if i == 0 or m.kind == "count" or m.money][:budget]
    rest = [m for m in out if m not in fixed]
    strength = _split_strength(model, rest)
    chosen = sorted(rest, key=lambda m: -strength.get(m.name, 0.0))[: max(0, budget - len(fixed))]
    return [m for m in out if m in fixed or m in chosen]


def _split_strength(model: TableModel, measures: list[Measure]) -> dict[str, float]:
    """Per measure, the largest share of its variance that one dimension's categories explain (η²),
    read on every k-th row of a long table; pairs where the dimension follows from the measure count 0."""
    dims = [d for d in model.dimensions if 2 <= model.distinct.get(d, 0) <= SPLIT_VALUES]
    names = [m.name for m in measures]
    if not dims or not names:
        return {}
    frame = model.frame.select(list(dict.fromkeys([*dims, *names])))
    rows = frame.gather_every(frame.height // SPLIT_ROWS) if frame.height > 2 * SPLIT_ROWS else frame
    values = {n: pl.col(n).cast(pl.Float64) for n in names}
    spread = rows.select(
        [values[n].var(ddof=0).alias(f"{n}\x00var") for n in names]
        + [values[n].mean().alias(f"{n}\x00mean") for n in names]
    ).row(0, named=True)
    groups = pl.collect_all(
        rows.lazy()
        .filter(pl.col(d).is_not_null())
        .group_by(d)
        .agg(
            [values[n].mean().alias(f"{n}\x00mean") for n in names]
            + [values[n].count().alias(f"{n}\x00n") for n in names]
        )
        for d in dims
    )
    out: dict[str, float] = {}
    for d, table in zip(dims, groups, strict=True):
        for m in measures:
            var, mean = spread[f"{m.name}\x00var"], spread[f"{m.name}\x00mean"]
            if not var or mean is None or model.is_circular(d, m):
                continue
            n = table[f"{m.name}\x00n"].to_numpy().astype(float)
            means = np.nan_to_num(table[f"{m.name}\x00mean"].to_numpy().astype(float), nan=float(mean))
            between = float((n * (means - mean) ** 2).sum()) / max(float(n.sum()), 1.0)
            out[m.name] = max(out.get(m.name, 0.0), between / float(var))
    return out


def _segment_columns(model: TableModel) -> list[str]:
    """Dimensions and entities to segment by: not a series' calendar, not a mixed panel's indicator key."""
    panel = model.panel or {}
    skip = set(panel.get("keys") or []) if panel.get("mixedUnits") else set()
    if model.table_kind == "series":
        skip |= set(model.calendar)  # its month or weekday column is the seasonality already
    entity_cols = [e.column for e in model.entities if e.column not in model.dimensions]
    return [c for c in model.dimensions + entity_cols if c not in skip]


def _segments(model: TableModel, candidates: list[Candidate]) -> list[SegmentStats]:
    df = model.frame
    entity_cols = [e.column for e in model.entities if e.column not in model.dimensions]
    columns = _segment_columns(model)
    measures = _segment_measures(model)
    read = list(dict.fromkeys([*columns, *(m.name for m in measures if m.kind != "count")]))
    sample = df.select(read).gather_every(df.height // BOX_SAMPLE) if df.height > 2 * BOX_SAMPLE else df
    stats = segment_stats(df, sample, columns, measures, frozenset(entity_cols))
    keys = set((model.panel or {}).get("keys") or [])
    for s in stats:
        if model.is_circular(s.dimension, s.measure):
            continue
        if s.measure.censored and _entry_period(model, s.dimension):
            continue  # the earliest patients were followed longest: a censored time by period of entry
        if s.dimension in keys and has(s.measure.name, PRICES):
            continue  # one share's price beside another's: their units differ, only their moves compare
        if s.measure.kind != "count" and set(words(s.dimension)) <= UNITS:
            continue  # widths in feet beside widths in metres: the unit column converts, it does not segment
        if s.measure.kind == "count":
            pareto = s.entity or (len(s.names) >= 10 and s.dimension not in model.calendar)
            lifecycle = _lifecycle(s)  # most tickets are "Closed" by nature
            found = [None if lifecycle else count_distribution(s), concentration(s) if pareto else None]
        else:
            # one category apart says more than "they differ"; among hundreds of customers, a flow's
            # story is its concentration, not one customer's average order
            # among many planes or destinations, one's long flights only restate where it flies: entity
            # outliers are about people (the agent whose tickets take three times as long)
            people = {e.column for e in model.entities if e.person}
            skip = s.entity and (s.measure.kind == "flow" or s.dimension not in people)
            outliers = [] if skip else category_outliers(s)
            # most of the money sits in "Approved" claims because most claims are approved: by nature
            lifecycle = _lifecycle(s)
            leaders = [] if lifecycle else [top_contributor(s, main=s.measure.money), concentration(s)]
            found = [*leaders, None if outliers else segment_comparison(s)]
            candidates += outliers
        candidates += [c for c in found if c]
    return stats


ENTRY_PROBE = 5_000  # rows read to tell whether a dimension's values are years or spans of years
_YEAR_SPAN = r"^\s*(1[89]|20)\d{2}\s*([-–/]\s*(\d{2}|(1[89]|20)\d{2}))?\s*$"  # 1995, 1985-1989, 2019/20


def _entry_period(model: TableModel, dim: str) -> bool:
    """Whether a dimension names when rows entered: a year or cohort column, or values that are years
    or spans of years."""
    if has(dim, YEARS) or has(dim, COHORTS):
        return True
    column = model.frame[dim]
    if column.len() > 2 * ENTRY_PROBE:  # the values of a few-valued column: every k-th row shows them
        column = column.gather_every(column.len() // ENTRY_PROBE)
    values = column.drop_nulls().unique().head(50).cast(pl.String)
    return values.len() >= 2 and bool(values.str.contains(_YEAR_SPAN).all())


def _lifecycle(s: SegmentStats) -> bool:
    """A workflow state (Open, Closed, Approved), not a US state: named so, with a handful of values."""
    return has(s.dimension, STATUS) and len(s.names) <= LIFECYCLE_STATES


def _standouts(model: TableModel, stats: list[SegmentStats]) -> list[tuple[str, str, Measure]]:
    """Segments worth drilling into: the leading category by rows, the category with the highest mean."""
    out: list[tuple[str, str, Measure]] = []
    for s in stats:
        if s.dimension not in model.dimensions or model.is_circular(s.dimension, s.measure):
            continue
        if s.measure.kind == "count":
            c = None if _lifecycle(s) else count_distribution(s)
            if c:
                out.append((s.dimension, s.names[0], s.measure))
        elif s.measure.kind == "duration":
            for c in category_outliers(s)[:1]:
                if c.evidence["direction"] == "up":
                    out.append((s.dimension, str(c.evidence["entity"]), s.measure))
    # the most dominant segment first: "Hardware incidents are in Australia" before its mirror image
    out.sort(key=lambda t: -_dominance(stats, *t))
    return out[:DRILL_SEGMENTS]


def _dominance(stats: list[SegmentStats], dim: str, value: str, m: Measure) -> float:
    s = next(x for x in stats if x.dimension == dim and x.measure is m)
    i = s.names.index(value)
    if m.kind == "count":
        return float(s.total[i] / s.total.sum()) * len(s.names)  # share against an even share
    return float(s.mean[i] / (np.mean(s.mean) or 1.0))


def _attribute_and_group(
    model: TableModel, series: dict[str, TimeSeries], pops: list[Candidate], candidates: list[Candidate]
) -> None:
    """Attribute the period changes that passed, then key every finding by its family of measures."""
    families = measure_families(model, series)
    for pop in pops:  # one attribution per family of measures: its main measure's
        if families.get(pop.evidence["measure"]) != pop.evidence["measure"]:
            continue
        extra = attribute_change(model, pop) if model.dimensions else None
        if extra:
            candidates.append(extra)
    for c in candidates:
        c.key = tuple(families.get(k, k) for k in c.key)
        if c.type in _SEGMENT_TYPES and c.evidence.get("measure"):
            c.extra["family"] = families.get(c.evidence["measure"], c.evidence["measure"])


def _steer(model: TableModel, focus: GoalFocus) -> None:
    """Put what the goal names first: its measures, dimensions and text columns lead every list."""
    first = [model.measure(n) for n in focus.measures if n in {m.name for m in model.measures}]
    model.measures = (
        [model.count]
        + [m for m in first if m.kind != "count"]
        + [m for m in model.measures if m not in first and m.kind != "count"]
    )
    named = [d for d in focus.dimensions if d in model.dimensions]
    model.dimensions = named + [d for d in model.dimensions if d not in named]
    model.text = [t for t in model.text if t in focus.columns] + [
        t for t in model.text if t not in focus.columns
    ]


def _detection_rows(model: TableModel) -> pl.DataFrame:
    """The rows the secondary detectors read: all of them, or every k-th row of a long table.

    Drill-downs, terms, segment trends and brackets look for patterns strong
    enough to show in a hundred thousand rows (a share read on that many rows
    is within about half a point); their findings say how many rows they were
    read on (`aggregates.sampledRows`). Totals, counts, shares, series, segment
    figures and repeated records always use every row.
    """
    frame = model.frame
    if frame.height <= FULL_DETECTION_ROWS:
        return frame
    wanted = [
        *model.dimensions,
        *(e.column for e in model.entities),
        *model.text,
        TIME,
        *(m.name for m in model.measures if m.kind != "count"),
    ]
    cols = [c for c in dict.fromkeys(wanted) if c in frame.columns]  # ids and raw timestamps stay behind
    return frame.select(cols).gather_every(frame.height // DETECTION_ROWS)


def _drill_downs(
    model: TableModel, stats: list[SegmentStats], rows: pl.DataFrame, focus: GoalFocus | None = None
) -> list[Candidate]:
    out = []
    standouts = _standouts(model, stats)
    if focus is not None:  # a value the goal names is drilled into too ("Hardware incidents")
        named = [(c, v, model.count) for c, v in focus.values if c in model.dimensions]
        standouts = named + [s for s in standouts if (s[0], s[1]) not in focus.values]
    nesting = Nesting(rows)
    # the event statuses of a survival table: one implies another (died, so relapsed first) by design,
    # and against the period of entry each only says that the latest patients had the least time
    statuses = {d for d, name in model.circular if model.has_measure(name) and model.measure(name).censored}
    entry = [d for d in model.dimensions if statuses and _entry_period(model, d)]
    apart = frozenset(frozenset((a, b)) for a in statuses for b in [*statuses, *entry] if a != b)
    for dim, value, m in standouts[: DRILL_SEGMENTS + len(focus.values if focus else [])]:
        others = [
            d
            for d in model.dimensions
            if d != dim and not model.is_circular(d, m) and frozenset((dim, d)) not in apart
        ][:DRILL_DIMENSIONS]
        if not others:
            continue
        c = (
            drill_rows(rows, model.count, dim, value, others, nesting)
            if m.kind == "count"
            else (drill_measure(rows, m, dim, value, others, nesting))
        )
        if c:
            out.append(c)
    small = [
        d for d in model.dimensions if d not in model.calendar and 2 <= model.distinct[d] <= PAIR_SCAN_VALUES
    ]
    for scan, rates in ((strongest_pair, False), (strongest_rate, True)):
        pair = scan(small, nesting, apart)
        if pair is not None and not any(c.key[1:3] == pair[:2] for c in out):
            dim, value, other, scanned = pair
            c = drill_rows(rows, model.count, dim, value, [other], nesting, scanned, rates=rates)
            if c:
                out.append(c)
    return _one_per_table(model, out)


def _one_per_table(model: TableModel, drills: list[Candidate]) -> list[Candidate]:
    """Two yes/no columns make one 2×2 table, whichever way it is read: its readings are marked so
    that ranking keeps one, and where one reads the rate of an outcome (churn among plan holders,
    not the plan among churners) the others are left out here."""
    tables: dict[frozenset[str], list[Candidate]] = {}
    for c in drills:
        columns = frozenset(str(f["column"]) for f in c.evidence.get("filters") or [])
        if len(columns) == 2 and all(model.distinct.get(col) == 2 for col in columns):
            c.extra["two_by_two"] = columns
            tables.setdefault(columns, []).append(c)
    dropped: set[int] = set()
    for readings in tables.values():
        outcome = [
            c
            for c in readings
            if has(str(c.evidence["aggregates"].get("rateOf", "")).split(" = ")[0], OUTCOMES)
        ]
        if outcome:  # of those, the side where the outcome is the more common ("42% of plan holders")
            higher = (
                c
                for c in outcome
                if c.evidence["aggregates"]["rate"] > c.evidence["aggregates"]["rateElsewhere"]
            )
            kept = next(higher, outcome[0])
            dropped |= {id(c) for c in readings if c is not kept}
    return [c for c in drills if id(c) not in dropped]


def _text(model: TableModel, stats: list[SegmentStats], rows: pl.DataFrame) -> list[Candidate]:
    out: list[Candidate] = []
    standouts = [(d, v) for d, v, m in _standouts(model, stats) if m.kind == "count"]
    for column in model.text[:TEXT_COLUMNS]:
        text = text_rows(rows, column, [d for d, _ in standouts[:2]])
        out += overall_terms(text, model.count)
        for dim, value in standouts[:2]:
            c = segment_terms(text, model.count, dim, value)
            if c:
                out.append(c)
    return out


def _segment_trends(
    model: TableModel, grain: str, rows: pl.DataFrame, focus: GoalFocus | None = None
) -> list[Candidate]:
    people = [e.column for e in model.entities if e.person]
    dims = [d for d in model.dimensions if model.distinct.get(d, 0) <= 20 and d not in model.calendar]
    dims = ([d for d in dims if d in people] + [d for d in dims if d not in people])[
        :SEGMENT_TREND_DIMENSIONS
    ]
    dims += [c for c in people if c not in dims][:1]
    measures = [model.count, *[m for m in model.measures if m.kind == "duration"][:1]]
    if focus is not None:  # the goal's dimensions and measures, whatever their rank
        named = [d for d in focus.dimensions if d in model.dimensions or d in people]
        dims = named + [d for d in dims if d not in named]
        wanted = [
            model.measure(n) for n in focus.measures if model.measure(n).kind in ("count", "duration", "flow")
        ]
        measures = wanted + [m for m in measures if m not in wanted]
    out = []
    for dim, cells in segment_cells(rows, dims, measures, grain, model.distinct).items():
        for m in measures:
            if model.is_circular(dim, m):
                continue
            c = segment_trends(cells, m, dim, model.time.columns if model.time else [])
            if c:
                out.append(c)
    return out


def _repeats(model: TableModel) -> list[Candidate]:
    """Identical records filed again and again by one entity, counted on every row."""
    out: list[Candidate] = []
    if model.table_kind not in ("events", "cross_section"):
        return out
    flows = [m for m in model.measures if m.kind == "flow" and not m.derived]
    people = [e.column for e in model.entities] or [
        d for d in model.dimensions if model.distinct.get(d, 0) > 20
    ]
    # a claim filed twice keeps its category or merchant, not its workflow state (approved once,
    # rejected once): each of the first two such columns is tried, the stronger repeat is kept
    cats = [d for d in model.dimensions if d not in people and not has(d, STATUS)][:2]
    for who in people[:2]:
        for m in flows[:1]:
            c = repeated_records(model.frame, who, m, [[d] for d in cats])
            if c:
                out.append(c)
    return out


def _brackets(model: TableModel, rows: pl.DataFrame) -> list[Candidate]:
    """A measure's brackets that change another (claims above 5,000 take 3× longer)."""
    out: list[Candidate] = []
    if model.table_kind not in ("events", "cross_section"):
        return out
    flows = [m for m in model.measures if m.kind == "flow" and not m.derived]
    targets = [m for m in model.measures if m.kind == "duration"] or [
        m for m in model.measures if m.kind == "level"
    ][:1]
    for x in flows[:2]:
        for y in targets[:2]:
            if x.name != y.name and not model.related(x.name, y.name):
                c = bracket(rows, x, y)
                if c:
                    out.append(c)
    return out
