"""Headline numbers (KPIs) of the dataset: size, totals of the main measures, date span, completeness."""

from __future__ import annotations

from typing import Any

from engine.analysis.fmt import label
from engine.analysis.jsonsafe import num
from engine.analysis.profile import ColumnProfile
from engine.analysis.roles import Roles


def compute_kpis(
    rows: int, profiles: list[ColumnProfile], roles: Roles, quality_score: int
) -> list[dict[str, Any]]:
    """KPI objects: id, label, value, and unit/symbol/column where they apply."""
    by_name = {p.name: p for p in profiles}
    kpis: list[dict[str, Any]] = [
        {"id": "rows", "label": "Rows", "value": rows},
        {"id": "columns", "label": "Columns", "value": len(profiles)},
    ]
    for measure in roles.measures[:3]:
        p = by_name[measure]
        unit = {k: v for k, v in (("unit", p.parsing.get("unit")), ("symbol", p.parsing.get("symbol"))) if v}
        if roles.additive.get(measure, True):
            kpis.append(
                {
                    "id": f"total_{measure}",
                    "label": f"Total {label(measure)}",
                    "value": p.stats.get("sum"),
                    "column": measure,
                    **unit,
                }
            )
        kpis.append(
            {
                "id": f"mean_{measure}",
                "label": f"Average {label(measure)}",
                "value": p.stats.get("mean"),
                "column": measure,
                **unit,
            }
        )
    if roles.time and by_name[roles.time].date_range:
        rng = by_name[roles.time].date_range or {}
        kpis.append(
            {
                "id": "date_range",
                "label": f"{label(roles.time).capitalize()} range",
                "value": {"start": rng["min"], "end": rng["max"], "days": rng.get("days")},
                "column": roles.time,
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
