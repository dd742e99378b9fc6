"""Headline numbers (KPIs): size, what a row is and how many, totals of flows, levels at the last period,
typical durations, date span, completeness.

A KPI follows its measure's kind: flows are totalled (and averaged per row),
levels are given at the last period (summed across entities there only when
they add up, like population) or averaged when there is no time axis,
durations by their median and mean. Codes, years and coordinates are not
measures, so they never get a KPI.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from engine.analysis.fmt import upper_first
from engine.analysis.jsonsafe import json_safe, num
from engine.analysis.profile import ColumnProfile
from engine.analysis.semantics.model import TIME, Measure, TableModel
from engine.analysis.semantics.vocabulary import PRICES, has

COVERED = 0.9  # a period is a KPI's latest when this share of the widest period's rows report it

KPI_MEASURES = 4


def compute_kpis(
    model: TableModel, profiles: list[ColumnProfile], quality_score: int
) -> list[dict[str, Any]]:
    """KPI objects: id, label, value, and unit/symbol/column/measure where they apply."""
    df = model.frame
    rows = model.weights.cells if model.weights else df.height  # the file's rows, not the cases
    kpis: list[dict[str, Any]] = [
        {
            "id": "rows",
            "label": upper_first(model.count.label) if model.table_kind == "events" else "Rows",
            "value": rows,
            "measure": model.count.name,
        },
        {"id": "columns", "label": "Columns", "value": len(profiles)},
    ]
    if model.weights:
        kpis[0].pop("measure")
        kpis.insert(
            1,
            {
                "id": "cases",
                "label": upper_first(model.count.label),
                "value": df.height,
                "measure": model.count.name,
                "column": model.weights.column,
            },
        )
    for m in [m for m in model.measures if m.kind != "count" and not _unpooled(model, m)][:KPI_MEASURES]:
        kpis += _measure_kpis(model, m)
    by_name = {p.name: p for p in profiles}
    if model.time and model.time.column in by_name:
        rng = _time_range(df)
        if rng:
            kpis.append(
                {
                    "id": "date_range",
                    "label": f"{upper_first(model.time.column.replace('_', ' '))} range",
                    "value": {**rng, "grain": model.time.grain},
                    "column": model.time.column,
                }
            )
    cells = rows * len(profiles)
    missing = sum(p.missing for p in profiles)
    kpis.append(
        {
            "id": "completeness",
            "label": "Complete cells",
            "value": num(100 * (1 - missing / cells) if cells else 100, 2),
            "unit": "percent",
        }
    )
    kpis.append({"id": "quality_score", "label": "Data quality score", "value": quality_score})
    return kpis


def _unit(m: Measure) -> dict[str, Any]:
    return {k: v for k, v in (("unit", m.unit), ("symbol", m.symbol)) if v}


def _base(m: Measure, kpi_id: str, text: str, value: Any) -> dict[str, Any]:
    return {
        "id": kpi_id,
        "label": text,
        "value": num(value) if isinstance(value, float) else value,
        "column": m.columns[0] if len(m.columns) == 1 else None,
        "measure": m.name,
        **_unit(m),
    }


def _unpooled(model: TableModel, m: Measure) -> bool:
    """A price across the entities of a panel (several shares' closes): their mean is no one's price."""
    return model.table_kind == "panel" and bool((model.panel or {}).get("keys")) and has(m.name, PRICES)


def _measure_kpis(model: TableModel, m: Measure) -> list[dict[str, Any]]:
    v = pl.col(m.name).cast(pl.Float64)
    if m.kind == "flow":
        total, mean = model.frame.select(v.sum().alias("a"), v.mean().alias("b")).row(0)
        return [
            _base(m, f"total_{m.name}", f"Total {m.label}", total),
            _base(m, f"mean_{m.name}", f"Average {m.label} per row", mean),
        ]
    if m.kind == "duration":
        values = model.frame.select(v.drop_nulls().drop_nans()).to_series().to_numpy()
        # numpy's selection, not polars' median: half the time on a million durations
        median, mean = (float(np.median(values)), float(values.mean())) if values.size else (None, None)
        return [
            _base(m, f"median_{m.name}", f"Median {m.label}", median),
            _base(m, f"mean_{m.name}", f"Average {m.label}", mean),
        ]
    if model.time is not None and TIME in model.frame.columns and model.table_kind in ("series", "panel"):
        # a level's latest value says where a series stands; in an event table the last row is one record
        # the last period the measure is reported for nearly as widely as ever: a year only some
        # countries have reported yet neither sums nor averages like the others
        reported = (
            model.frame.lazy()
            .filter(pl.col(TIME).is_not_null() & v.is_not_null() & v.is_not_nan())
            .group_by(TIME)
            .agg(pl.len().alias("n"))
            .collect()
        )
        if reported.height == 0:
            return [_base(m, f"mean_{m.name}", f"Average {m.label}", None)]
        widest = float(reported["n"].max())  # type: ignore[arg-type]
        last_time = reported.filter(pl.col("n") >= COVERED * widest)[TIME].max()
        latest = model.frame.filter(pl.col(TIME) == last_time)
        agg = v.sum() if m.additive_across and model.table_kind == "panel" else v.mean()
        value = latest.select(agg).item()
        out = _base(m, f"latest_{m.name}", f"{upper_first(m.label)} (latest)", value)
        out["at"] = json_safe(last_time)
        return [out]
    return [_base(m, f"mean_{m.name}", f"Average {m.label}", model.frame.select(v.mean()).item())]


def _time_range(df: pl.DataFrame) -> dict[str, Any] | None:
    lo, hi = df.select(pl.col(TIME).min().alias("a"), pl.col(TIME).max().alias("b")).row(0)
    if lo is None:
        return None
    days = (hi - lo).days if hasattr(hi - lo, "days") else None
    return {"start": json_safe(lo), "end": json_safe(hi), "days": days}
