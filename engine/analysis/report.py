"""Pieces of result.json that restate facts: fileInfo, insight objects, preview, caveats and issues."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from engine.analysis.candidates import Candidate
from engine.analysis.fmt import label
from engine.analysis.jsonsafe import json_safe, num
from engine.analysis.semantics.model import Relation, TableModel
from engine.ingest import Table

PREVIEW_ROWS = 20


def file_info(table: Table, path: Path, file_name: str | None) -> dict[str, Any]:
    """The fileInfo object."""
    info: dict[str, Any] = {
        "name": file_name or path.name,
        "type": table.file_type,
        "size": table.size_bytes,
        "rows": table.df.height,
        "columns": table.df.width,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
    }
    if table.sheet:
        info["sheet"] = table.sheet
    return info


def insight_dict(c: Candidate, ins_id: str, chart_id: str | None, score: float) -> dict[str, Any]:
    """One entry of `insights`."""
    return {
        "id": ins_id,
        "type": c.type,
        "title": c.title,
        "text": c.text,
        "score": score,
        "impact": num(c.impact, 4),
        "significance": num(c.significance, 4),
        "pValue": num(c.p_value, 8) if c.p_value is not None else None,
        "qValue": num(c.q_value, 8) if c.q_value is not None else None,
        "evidence": json_safe(c.evidence),
        "chartId": chart_id,
        "goalMatch": bool(c.extra.get("goal")),
    }


def cleaned_preview(df: pl.DataFrame) -> dict[str, Any]:
    """The first rows as typed JSON values (numbers stay numbers, dates become ISO text)."""
    head = df.head(PREVIEW_ROWS)
    return {
        "columns": head.columns,
        "dtypes": [str(t) for t in head.dtypes],
        "rows": [json_safe(list(r)) for r in head.iter_rows()],
        "totalRows": df.height,
    }


def caveats_and_issues(
    table: Table, model: TableModel, selection: dict[str, Any]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Reader-facing caveats for the narrative and the `issues` list."""
    issues = [i.to_dict() for i in table.issues]
    rows = table.df.height
    for name, missing in zip(table.df.columns, table.df.null_count().row(0), strict=True):
        if missing:
            issues.append(
                {
                    "code": "missing_values",
                    "severity": "warning" if missing / rows > 0.2 else "info",
                    "column": name,
                    "count": missing,
                    "message": f"'{name}' is empty in {missing:,} of {rows:,} rows "
                    f"({100 * missing / rows:.1f}%).",
                }
            )
    caveats = [i.message for i in table.issues if i.severity == "warning"]
    for rel in model.relations:
        tie = _relation_phrase(rel)
        msg = f"'{rel.target}' {tie}; their correlation is arithmetic and is not reported as a finding."
        issues.append({"code": "derived_measure", "message": msg, "severity": "info", "column": rel.target})
    if model.weights:
        msg = model.weights.message()
        issues.append(
            {"code": "weighted_rows", "message": msg, "severity": "info", "column": model.weights.column}
        )
        caveats.append(msg)
    sampled = selection.get("correlation", {}).get("sampledRows")
    if sampled:
        msg = (
            f"Correlations were computed on a systematic sample of {sampled:,} rows; "
            "all other figures use every row."
        )
        issues.append({"code": "sampled", "message": msg, "severity": "info"})
        caveats.append(msg)
    if model.time:
        missing = model.frame["\x00time"].null_count() if "\x00time" in model.frame.columns else 0
        if missing:
            what = label(model.time.column)
            msg = f"{missing:,} row(s) without a {what} were left out of the analysis over time."
            issues.append(
                {
                    "code": "rows_dropped",
                    "message": msg,
                    "severity": "warning",
                    "column": model.time.column,
                    "count": missing,
                }
            )
            caveats.append(msg)
    return caveats, issues


def _relation_phrase(rel: Relation) -> str:
    """How a derived measure follows from its parts, for the issues list."""
    parts = ", ".join(f"'{p}'" for p in rel.parts)
    symbol = {"product": " × ", "sum_of": " + ", "difference": " − "}.get(rel.kind)
    if symbol:
        return f"equals {symbol.join(rel.parts)} on nearly every row"
    return {
        "component_of": f"contains {parts} (each is part of it on every row)",
        "growth_of": f"is the period-to-period growth of {parts}",
        "proportional": f"is a steady multiple of {parts} (the same events in another unit)",
        "transform_of": f"is an exact function of {parts} (a log, a power or a complement of it)",
        "linear_of": f"is computed from {parts} by a linear formula on every row",
    }.get(rel.kind, f"is tied to {parts}")
