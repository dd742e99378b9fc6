"""Per-entity reading of a panel (entity × time × value) or of a wide table (one column per entity).

Each entity's series is read on its own, never pooled with the others while
the mix of entities changes:

- growth: the entity that grew (or fell) most, as the slope of its log values
  (or of its values relative to their mean when not all are positive). With
  five or more entities the leader is tested against the others' slopes
  (robust z, Bonferroni over entities); with two to four it is descriptive.
- divergence: an entity whose own trend is significant and runs against a
  clear majority of the others ("DAX fell while the others rose");
- common: three quarters or more of the entities moving the same way, each
  significantly ("median prices rose in 45 of 46 cities"), a sign test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, direction_of, evidence
from engine.analysis.detectors.seasonal import seasonal_hump
from engine.analysis.fmt import category, fmt_change, fmt_num, fmt_p, fmt_pct, ratio_scale, upper_first
from engine.analysis.semantics.model import TIME, Measure
from engine.analysis.series import GRAINS, TimeSeries, period_label
from engine.analysis.stats import binom_sf, norm_sf, ols

ENTITY = "\x00entity"
MIN_PERIODS = 6
MAX_ENTITIES = 400
CHART_LINES = 8


def entity_frame(
    df: pl.DataFrame, keys: list[str] | None, wide: list[str] | None, m: Measure
) -> pl.DataFrame | None:
    """Long rows (entity, time, value) for the measure, from a panel's keys or a wide table's columns."""
    base = df.filter(pl.col(TIME).is_not_null())
    if wide:
        return (
            base.select(TIME, *wide)
            .unpivot(index=TIME, variable_name=ENTITY, value_name="value")
            .with_columns(pl.col("value").cast(pl.Float64))
        )
    if not keys:
        return None
    entity = (
        pl.col(keys[0]).cast(pl.String)
        if len(keys) == 1
        else pl.concat_str([pl.lit(f"{k}=") + pl.col(k).cast(pl.String) for k in keys], separator=", ")
    )
    return base.select(entity.alias(ENTITY), TIME, m.value().alias("value")).filter(
        pl.col(ENTITY).is_not_null()
    )


def entity_trends(
    long: pl.DataFrame, m: Measure, grain: str, dimension: str, time_columns: list[str]
) -> list[Candidate]:
    """Growth leader, biggest faller and divergent entity of the panel."""
    every = GRAINS[grain][0]
    agg = pl.col("value").sum() if m.kind == "flow" else pl.col("value").mean()
    per = (
        long.lazy()
        .group_by(ENTITY, pl.col(TIME).cast(pl.Date).dt.truncate(every).alias("period"))
        .agg(agg.alias("y"))
        .drop_nulls("y")
        .sort(ENTITY, "period")
        .collect()
    )
    rows = []
    for (name,), g in per.group_by([ENTITY], maintain_order=True):
        if g.height < MIN_PERIODS:
            continue
        y = g["y"].to_numpy().astype(float)
        periods = g["period"].to_list()
        row = _growth(str(name), periods, y)
        ts = TimeSeries(m.name, m.agg, m.kind, grain, periods, y, np.ones(len(y)), [])
        if seasonal_hump(ts, y):
            row["p"] = 1.0  # under two years of a season: its rise is the time of year, not growth
        rows.append(row)
        if len(rows) >= MAX_ENTITIES:
            break
    if len(rows) < 2:
        return []
    out = []
    slopes = np.array([r["slope"] for r in rows])
    for pick, sign in ((int(np.argmax(slopes)), 1), (int(np.argmin(slopes)), -1)):
        c = _leader(rows, pick, sign, m, grain, dimension, time_columns)
        if c:
            out.append(c)
    div = _divergent(rows, m, grain, dimension, time_columns)
    if div:
        out.append(div)
    common = _common(rows, m, grain, dimension, time_columns)
    if common:
        out.append(common)
    return out


def _common(rows: list[dict], m: Measure, grain: str, dim: str, time: list[str]) -> Candidate | None:
    """Most entities moving the same way, each significantly: a change across the board, not one entity's."""
    k = len(rows)
    if k < 3:
        return None
    for sign, word in ((1, "rose"), (-1, "fell")):
        moved = [r for r in rows if np.sign(r["slope"]) == sign and r["p"] < 0.05]
        if len(moved) < 0.75 * k:
            continue
        p = binom_sf(len([r for r in rows if np.sign(r["slope"]) == sign]), k, 0.5)
        changes = np.array([r["change"] for r in rows])
        lo, mid, hi = (float(np.quantile(changes, q)) for q in (0.1, 0.5, 0.9))
        text = (
            f"{upper_first(m.label)} {word} in {len(moved)} of {k} {dim} values: a median change of "
            f"{fmt_pct(mid, signed=True)} (from {fmt_pct(lo, signed=True)} to {fmt_pct(hi, signed=True)} "
            "for most; "
            f"{fmt_p(p)})."
        )
        return Candidate(
            "entity_trend",
            f"{upper_first(m.label)} {word} across {dim}",
            text,
            min(1.0, abs(mid) / 0.5) * len(moved) / k,
            p,
            evidence(
                m,
                dimension=dim,
                entity=None,
                direction=direction_of(sign),
                grain=grain,
                columns=time,
                aggregation=f"{m.label} per {grain} and {dim}",
                entities=k,
                moved=len(moved),
                medianChange=mid,
                common=True,
                test="sign test across entities, each entity's own slope significant",
            ),
            ("entity_trend", dim, m.name, "common"),
            _chart(
                rows,
                int(np.argmax([abs(r["change"]) for r in rows])),
                m,
                grain,
                f"{upper_first(m.label)} per {grain} by {dim}",
            ),
        )
    return None


def _growth(name: str, x: list[Any], y: np.ndarray) -> dict[str, Any]:
    n = len(y)
    t = np.arange(n, dtype=float)
    positive = bool((y > 0).all())
    if positive:
        slope, _, _, p = ols(t, np.log(y))
    else:
        scale = float(np.mean(np.abs(y))) or 1.0
        slope, _, _, p = ols(t, y / scale)
    w = max(1, n // 10)
    first, last = float(np.mean(y[:w])), float(np.mean(y[-w:]))
    change = (last - first) / abs(first) if first else 0.0
    return {
        "name": name,
        "x": x,
        "y": y,
        "slope": slope * n,
        "p": p,
        "first": first,
        "last": last,
        "change": change,
    }


def _leader(
    rows: list[dict], i: int, sign: int, m: Measure, grain: str, dim: str, time: list[str]
) -> Candidate | None:
    r = rows[i]
    who = category(dim, str(r["name"]))  # "state 29", not a bare 29
    k = len(rows)
    others = [x for j, x in enumerate(rows) if j != i]
    med_change = float(np.median([x["change"] for x in others]))
    if sign * r["change"] <= 0 or abs(r["change"] - med_change) < 0.2:
        return None
    if k >= 5:
        slopes = np.array([x["slope"] for x in others])
        center = float(np.median(slopes))
        spread = 1.4826 * float(np.median(np.abs(slopes - center))) or float(np.std(slopes)) or 1e-9
        z = (r["slope"] - center) / spread
        p: float | None = min(1.0, norm_sf(sign * z) * k)
    else:
        p, z = None, None
    if r["p"] > 0.05:  # its own trend must stand too
        return None
    word = "grew most" if sign > 0 else "fell most"
    x0, x1 = period_label(r["x"][0], grain), period_label(r["x"][-1], grain)
    every = np.concatenate([x["y"] for x in rows])
    if ratio_scale(every, r["first"], m.interval) and all(x["first"] > 0 for x in rows):
        median = fmt_pct(med_change, signed=True)
        moved = f"{fmt_change(r['last'], r['first'], True)}), against a median of {median}"
    else:  # a log, a variance, a share on both sides of zero: moves in its own unit
        diff = float(np.median([x["last"] - x["first"] for x in others]))
        moved = (
            f"{fmt_change(r['last'], r['first'], False)}), against a median of {fmt_change(diff, 0.0, False)}"
        )
    text = (
        f"{who} {word}: {m.label} went from {fmt_num(r['first'], m.unit, m.symbol)} to "
        f"{fmt_num(r['last'], m.unit, m.symbol)} between {x0} and {x1} ({moved} for the other {k - 1} "
        f"({fmt_p(p)})."
    )
    return Candidate(
        "entity_trend",
        f"{who} {word} in {m.label}",
        text,
        min(1.0, abs(r["change"] - med_change) / 1.0),
        p,
        evidence(
            m,
            dimension=dim,
            entity=r["name"],
            direction=direction_of(sign),
            grain=grain,
            columns=time,
            aggregation=f"{m.label} per {grain} and {dim}",
            change=r["change"],
            first=r["first"],
            last=r["last"],
            medianChangeOthers=med_change,
            entities=k,
            robustZ=z,
            test="robust z of the entity's log slope against the others, Bonferroni"
            if p is not None
            else "descriptive (fewer than five entities)",
        ),
        ("entity_trend", dim, m.name, "up" if sign > 0 else "down"),
        _chart(rows, i, m, grain, f"{upper_first(m.label)} per {grain}: {who} vs the others"),
    )


def _divergent(rows: list[dict], m: Measure, grain: str, dim: str, time: list[str]) -> Candidate | None:
    k = len(rows)
    if k < 3:
        return None
    signs = np.array([np.sign(r["slope"]) if r["p"] < 0.05 else 0 for r in rows])
    for majority in (1, -1):
        if (signs == majority).sum() >= max(2, 0.75 * (k - 1)):
            against = [i for i in range(k) if signs[i] == -majority and rows[i]["p"] < 0.05 / k]
            if not against:
                continue
            i = min(against, key=lambda j: rows[j]["p"])
            r = rows[i]
            who = category(dim, str(r["name"]))
            word = "fell" if majority > 0 else "rose"
            text = (
                f"{who} {word} ({fmt_pct(r['change'], signed=True)}) while "
                f"{int((signs == majority).sum())} "
                f"of the other {k - 1} {'rose' if majority > 0 else 'fell'} ({fmt_p(min(1.0, r['p'] * k))})."
            )
            return Candidate(
                "entity_trend",
                f"{who} diverges from the others in {m.label}",
                text,
                min(1.0, abs(r["change"]) / 0.5),
                min(1.0, r["p"] * k),
                evidence(
                    m,
                    dimension=dim,
                    entity=r["name"],
                    direction=direction_of(-majority),
                    grain=grain,
                    columns=time,
                    aggregation=f"{m.label} per {grain} and {dim}",
                    change=r["change"],
                    divergent=True,
                    entities=k,
                    test="entity's own slope t-test (autocorrelation-corrected), Bonferroni",
                ),
                ("entity_trend", dim, m.name, "divergent"),
                _chart(rows, i, m, grain, f"{upper_first(m.label)} per {grain}: {who} against the trend"),
            )
    return None


def _chart(rows: list[dict], i: int, m: Measure, grain: str, title: str) -> ChartSpec:
    order = [i, *[j for j in np.argsort([-abs(r["change"]) for r in rows]) if j != i][: CHART_LINES - 1]]
    series = [
        {"name": rows[j]["name"], "x": rows[j]["x"], "y": rows[j]["y"].tolist(), "highlight": j == i}
        for j in order
    ]
    return ChartSpec("multiline", title, {"series": series, "name": m.label, "grain": grain})


def entity_label(keys: list[str] | None) -> str:
    """The name of the entity dimension for prose and evidence."""
    return ", ".join(keys) if keys else "series"


def entity_seasonality(
    long: pl.DataFrame, m: Measure, native: str, grain: str, dim: str, time: list[str], limit: int = 6
) -> list[Candidate]:
    """The seasonal cycle read entity by entity (a temperature's year in each city), never pooled.

    One finding per cycle shown by at least half of the busiest entities; the
    entity with the clearest cycle is the one named, Bonferroni over the
    entities read.
    """
    from engine.analysis.detectors.patterns import seasonality
    from engine.analysis.detectors.seasonal import seasonal
    from engine.analysis.series import build_series, cube

    busiest = (
        long.group_by(ENTITY)
        .agg(pl.len().alias("n"))
        .sort(["n", ENTITY], descending=[True, False])
        .head(limit)
    )
    found: dict[str, list[Candidate]] = {}
    names = busiest[ENTITY].to_list()
    for name in names:
        rows = long.filter(pl.col(ENTITY) == name).rename({"value": m.name})
        ts = build_series(cube(rows, [m], native), m, grain)
        if ts is None:
            continue
        for c in seasonality(seasonal(ts), m, time):
            c.evidence["dimension"], c.evidence["entity"] = dim, str(name)
            c.evidence["filters"] = [{"column": dim, "equals": str(name)}]
            c.evidence["aggregation"] += f" for {dim} = {name}"
            found.setdefault(c.evidence["aggregates"]["cycle"], []).append(c)
    out = []
    for cycle, cands in found.items():
        if len(cands) < max(1, len(names) / 2):
            continue
        best = min(cands, key=lambda c: c.p_value or 1.0)
        peaks = {str(c.evidence["entity"]): c.evidence["aggregates"]["peak"] for c in cands}
        listed = ", ".join(f"{k} ({v})" for k, v in list(peaks.items())[:5])
        best.text = (
            f"{upper_first(m.label)} follows a {cycle} pattern in {len(cands)} of {len(names)} {dim} values; "
            "peaks: "
            f"{listed}. {best.text}"
        )
        best.title = f"{upper_first(cycle)} pattern in {m.label}, {dim} by {dim}"
        best.p_value = min(1.0, (best.p_value or 1.0) * len(names))
        best.evidence["aggregates"]["entitiesWithCycle"] = len(cands)
        best.evidence["aggregates"]["peaks"] = peaks
        best.key = ("seasonality", m.name, cycle)
        out.append(best)
    return out
