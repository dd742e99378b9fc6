"""Change attribution: which segment drove the last period-over-period change.

For the dimension whose single category explains the largest share of the
change, each category's contribution is reported. When the measure is a
product of two others (revenue = units × price), the change is also split
into volume (more or fewer units overall), mix (units moving between
categories with different prices) and rate (prices changing within a
category); the three parts add up to the change exactly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, direction_of, evidence
from engine.analysis.fmt import fmt_num, fmt_pct, label
from engine.analysis.semantics.model import TIME, Measure, TableModel
from engine.analysis.series import GRAINS, period_label

KEY, PERIOD = "\x00key", "\x00period"  # internal names that cannot clash with a column
COUNT_COLUMN = "\x00one"


def attribute_change(model: TableModel, pop: Candidate) -> Candidate | None:
    """The segment-level explanation of a period-over-period change of a count or flow, or None."""
    if model.time is None or pop.significance is None or pop.significance <= 0:
        return None
    m = model.measure(pop.evidence["measure"])
    if not m.summable:
        return None
    measure = m.name if m.kind != "count" else COUNT_COLUMN
    df = model.frame if m.kind != "count" else model.frame.with_columns(pl.lit(1.0).alias(COUNT_COLUMN))
    prev, last = pop.extra["periods"]
    every = GRAINS[pop.extra["grain"]][0]
    period = pl.col(TIME).cast(pl.Date).dt.truncate(every)
    window = df.lazy().filter(period.is_in([prev, last])).with_columns(period.alias(PERIOD))
    best: tuple[float, str, pl.DataFrame] | None = None
    for dim in model.dimensions:
        if model.is_circular(dim, m):
            continue
        t = _by_period(window, dim, [measure], prev, last)
        delta = t[f"{measure}\x001"] - t[f"{measure}\x000"]
        total = float(delta.sum())
        if total == 0 or t.height < 2:
            continue
        share = float(delta.abs().max()) / abs(total)  # type: ignore[arg-type]
        if best is None or share > best[0]:
            best = (share, dim, t)
    if best is None:
        return None
    share, dim, table = best
    return _candidate(model, m, pop, window, measure, dim, table, prev, last)


def _by_period(window: pl.LazyFrame, dim: str, cols: list[str], prev: dt.date, last: dt.date) -> pl.DataFrame:
    agg = (
        window.group_by(pl.col(dim).alias(KEY), PERIOD)
        .agg([pl.col(c).cast(pl.Float64).sum() for c in cols])
        .with_columns(pl.col(KEY).cast(pl.String).fill_null("(missing)"))
    )
    parts = []
    for i, when in enumerate((prev, last)):
        part = agg.filter(pl.col(PERIOD) == when).drop(PERIOD).rename({c: f"{c}\x00{i}" for c in cols})
        parts.append(part)
    return parts[0].join(parts[1], on=KEY, how="full", coalesce=True).fill_null(0.0).collect()


def _candidate(
    model: TableModel,
    msr: Measure,
    pop: Candidate,
    window: pl.LazyFrame,
    measure: str,
    dim: str,
    table: pl.DataFrame,
    prev: dt.date,
    last: dt.date,
) -> Candidate:
    delta = (table[f"{measure}\x001"] - table[f"{measure}\x000"]).to_numpy()
    names = table[KEY].to_list()
    order = np.argsort(-np.abs(delta))
    total = float(delta.sum())
    top = int(order[0])
    grain = pop.extra["grain"]
    m, d = msr.label, label(dim)
    text = (
        f"Of the {fmt_num(total)} change in {m} from {period_label(prev, grain)} "
        f"to {period_label(last, grain)}, "
        f"{d} {names[top]} accounts for {fmt_num(delta[top])} ({fmt_pct(delta[top] / total)})"
    )
    aggregates: dict[str, Any] = {
        "totalChange": total,
        "contributions": {names[i]: float(delta[i]) for i in order[:10]},
    }
    split = _mix_rate(model, window, measure, dim, prev, last)
    if split:
        aggregates["decomposition"] = split
        text += (
            f"; overall, volume contributed {fmt_num(split['volume'])}, mix {fmt_num(split['mix'])} "
            f"and rate ({label(split['rateColumn'])}) {fmt_num(split['rate'])}"
        )
    text += "."
    cats = [names[i] for i in order[:8]]
    return Candidate(
        "change_attribution",
        f"{names[top]} drove the {m} change",
        text,
        min(1.0, abs(delta[top] / total)) * pop.impact,
        None,
        evidence(
            msr,
            dimension=dim,
            entity=names[top],
            direction=direction_of(float(delta[top])),
            grain=grain,
            columns=model.time.columns if model.time else [],
            aggregation=f"{msr.agg} of {m} by {dim}, "
            f"{period_label(prev, grain)} vs {period_label(last, grain)}",
            **aggregates,
        ),
        ("change_attribution", msr.name),
        ChartSpec(
            "waterfall",
            f"What changed {m}: {period_label(prev, grain)} → {period_label(last, grain)}",
            {
                "start": float(table[f"{measure}\x000"].sum()),
                "categories": cats,
                "deltas": [float(delta[i]) for i in order[:8]],
                "other": float(total - sum(delta[order[:8]])),
                "startLabel": period_label(prev, grain),
                "endLabel": period_label(last, grain),
                "name": m,
            },
        ),
        significance=pop.significance,
    )


def _mix_rate(
    model: TableModel, window: pl.LazyFrame, measure: str, dim: str, prev: dt.date, last: dt.date
) -> dict[str, Any] | None:
    relation = next((r for r in model.relations if r.kind == "product" and r.target == measure), None)
    if relation is None:
        return None
    a, b = relation.parts
    kinds = {m.name: m.kind for m in model.measures}
    volume_col, rate_col = (a, b) if kinds.get(a) == "flow" and kinds.get(b) == "level" else (b, a)
    if kinds.get(volume_col) != "flow":
        return None
    t = _by_period(window, dim, [measure, volume_col], prev, last)
    r0, r1 = t[f"{measure}\x000"].to_numpy(), t[f"{measure}\x001"].to_numpy()
    u0, u1 = t[f"{volume_col}\x000"].to_numpy(), t[f"{volume_col}\x001"].to_numpy()
    if u0.sum() <= 0 or (u0 <= 0).any() or (u1 <= 0).any():
        return None
    p0, p1 = r0 / u0, r1 / u1
    overall_p0 = r0.sum() / u0.sum()
    volume = float((u1.sum() - u0.sum()) * overall_p0)
    mix = float(((u1 - u0) * p0).sum() - volume)
    rate = float((u1 * (p1 - p0)).sum())
    return {
        "volume": volume,
        "mix": mix,
        "rate": rate,
        "volumeColumn": volume_col,
        "rateColumn": rate_col,
        "method": f"{measure} = {a} × {b}; per {dim}: volume, mix, rate",
    }
