"""Data-quality score (0-100) with each deduction explained, and data-quality insights.

Deductions (points off 100): missing cells (1 point per % missing, at most 30);
mostly-empty columns (2 each, at most 10); duplicate rows (2 per %, at most 20);
values that could not be read as numbers/dates (3 per % of cells in that
column, at most 15 overall); duplicated identifiers (5); constant columns (2
each, at most 6); date order settled by assumption (3 per column).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, evidence
from engine.analysis.fmt import fmt_pct, upper_first
from engine.analysis.jsonsafe import num
from engine.analysis.profile import ColumnProfile
from engine.analysis.stats import poisson_sf
from engine.ingest.table import Table


def _deduction(code: str, points: float, message: str, column: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "points": num(points, 1), "message": message}
    if column:
        out["column"] = column
    return out


def _columns_deduction(code: str, columns: list[ColumnProfile], cap: float, what: str) -> dict[str, Any]:
    """2 points per column (at most `cap`), naming the first five."""
    names = ", ".join(p.name for p in columns[:5])
    return _deduction(code, min(cap, 2.0 * len(columns)), f"{len(columns)} column(s) {what}: {names}.")


CHANCE_P = 1e-3  # repeats as many as coincidence gives this seldom count as duplicates


def _duplicate_rows(df: pl.DataFrame, profiles: list[ColumnProfile]) -> int:
    """Rows that repeat an earlier row exactly.

    A column without a repeated value (an id) rules repeated rows out. Values
    in strictly increasing order (ids numbered as rows were added) prove that
    with one comparison per row; else its 64-bit hashes, all distinct, prove it
    (a collision could only lower the count, so a false "no repeats" cannot
    happen), at half the cost of hashing whole rows. Otherwise 64-bit row
    hashes: fast, with negligible collisions.
    """
    rows = df.height
    if not rows:
        return 0
    # a profile's distinct count may be approximate: the hashes below decide
    keys = [p for p in profiles if p.missing == 0 and p.distinct >= 0.95 * rows]
    if keys:
        key = pl.col(max(keys, key=lambda p: p.distinct).name)
        increasing = df.lazy().select((key > key.shift(1)).all()).collect().item()
        if increasing or df.select(key.hash().n_unique()).item() == rows:
            return 0
    repeats = rows - df.hash_rows().n_unique()
    if not repeats or poisson_sf(repeats, _chance_repeats(df)) > CHANCE_P:
        return 0
    return repeats


def _chance_repeats(df: pl.DataFrame) -> float:
    """How many repeated rows coincidence alone would give: rows of few, coarse columns repeat.

    Nine looms per wool and tension with whole-number break counts, or eruption
    times to the minute, repeat by nature, not by a double export. If the
    columns were independent, two rows would match with probability
    Π_col Σ_value share² (shares among the distinct rows, so that the repeats do
    not make themselves look likely); the repeats to expect are then about that
    times the number of pairs. Repeats count as duplicates only when chance would
    give as many less than once in a thousand tables (`CHANCE_P`, Poisson). With
    an id or a measure of many values the expectation is nil and one repeat counts.
    """
    rows = df.height
    distinct = df.unique()  # the shares of the distinct rows: repeats must not vouch for themselves
    match = 1.0
    for name in df.columns:
        counts = distinct.get_column(name).unique_counts().to_numpy()
        if len(counts) >= 0.95 * distinct.height:
            return 0.0  # a key (an order id) sets each record apart: no coincidence makes two alike
        shares = counts / distinct.height
        match *= float((shares * shares).sum())
        if match * rows * rows < 1e-6:
            return 0.0
    return match * rows * (rows - 1) / 2


def quality(
    table: Table, profiles: list[ColumnProfile], impossible: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], int]:
    """The qualityScore object and the number of duplicate rows.

    `impossible` lists values the semantics found impossible (durations whose
    end comes before their start); each is a deduction of at least 2 points.
    """
    df = table.df
    rows, cols = df.height, df.width
    deductions = []
    missing = sum(p.missing for p in profiles)
    share = missing / (rows * cols) if rows and cols else 0.0
    if missing:
        deductions.append(
            _deduction(
                "missing_cells",
                min(30.0, 100 * share),
                f"{missing:,} of {rows * cols:,} cells are empty ({fmt_pct(share)}).",
            )
        )
    sparse = [p for p in profiles if rows and p.missing / rows > 0.5]
    if sparse:
        deductions.append(_columns_deduction("sparse_columns", sparse, 10.0, "are more than half empty"))
    duplicates = _duplicate_rows(df, profiles)
    if duplicates:
        deductions.append(
            _deduction(
                "duplicate_rows",
                min(20.0, 200 * duplicates / rows),
                f"{duplicates:,} row(s) repeat an earlier row exactly ({fmt_pct(duplicates / rows)}).",
            )
        )
    unparsed = 0.0
    for name, note in table.notes.items():
        if note.unparsed:
            pts = min(15.0, 300 * note.unparsed / rows)
            unparsed += pts
            deductions.append(
                _deduction(
                    "unparsed_values",
                    pts,
                    f"{note.unparsed:,} value(s) in '{name}' could not be read and were treated as missing.",
                    name,
                )
            )
    for p in profiles:
        if p.semantic == "identifier" and p.distinct < (0.98 if p.distinct_approx else 1) * (
            rows - p.missing
        ):
            deductions.append(
                _deduction(
                    "duplicate_ids",
                    5.0,
                    f"Identifier '{p.name}' repeats: {p.distinct:,} "
                    f"distinct values in {rows - p.missing:,} rows.",
                    p.name,
                )
            )
    constant = [p for p in profiles if p.distinct == 1 and rows > 1]
    if constant:
        deductions.append(_columns_deduction("constant_columns", constant, 6.0, "hold a single value"))
    for bad in impossible or []:
        start, end = bad["columns"]
        share = bad["count"] / max(bad["complete"], 1)
        deductions.append(
            _deduction(
                "negative_duration",
                max(2.0, min(10.0, 200 * share)),
                f"{bad['count']:,} row(s) have '{end}' before '{start}' "
                f"({fmt_pct(share)} of rows with both): "
                "impossible durations, left out of the analysis.",
                end,
            )
        )
    for issue in table.issues:
        if issue.code in ("date_order_ambiguous", "date_order_conflict"):
            deductions.append(_deduction(issue.code, 3.0, issue.message, issue.column))
    total = sum(float(d["points"]) for d in deductions)
    score = max(0, round(100 - total))
    return {
        "score": score,
        "grade": _grade(score),
        "deductions": deductions,
        "method": "100 minus the listed deductions",
    }, duplicates


def _grade(score: int) -> str:
    return "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D" if score >= 40 else "E"


def quality_insights(
    quality_score: dict[str, Any], profiles: list[ColumnProfile], rows: int
) -> list[Candidate]:
    """Data-quality findings worth a reader's attention (deductions of 2 points or more)."""
    out = []
    for d in quality_score["deductions"]:
        points = float(d["points"])
        if points < 2:
            continue
        chart = None
        if d["code"] in ("missing_cells", "sparse_columns"):
            gaps = sorted((p for p in profiles if p.missing), key=lambda p: -p.missing)[:15]
            chart = ChartSpec(
                "bar",
                "Missing values by column",
                {
                    "categories": [p.name for p in gaps],
                    "values": [p.missing for p in gaps],
                    "name": "missing",
                },
            )
        out.append(
            Candidate(
                "data_quality",
                _title(d["code"]),
                d["message"],
                min(1.0, max(0.25, points / 20)),  # a quality problem worth a deduction is worth reading
                None,
                evidence(
                    None,
                    columns=[d["column"]] if d.get("column") else [],
                    aggregation="data quality",
                    deduction=d["code"],
                    code=d["code"],
                    points=points,
                    rows=rows,
                ),
                ("data_quality", d["code"], d.get("column") or ""),
                chart,
                significance=1.0,
            )
        )
    return out


def _title(code: str) -> str:
    return {
        "missing_cells": "Missing values",
        "sparse_columns": "Mostly empty columns",
        "duplicate_rows": "Duplicate rows",
        "unparsed_values": "Unreadable values",
        "duplicate_ids": "Repeated identifiers",
        "constant_columns": "Constant columns",
        "date_order_ambiguous": "Ambiguous date order",
        "date_order_conflict": "Conflicting date orders",
        "negative_duration": "Impossible durations (end before start)",
    }.get(code, upper_first(code.replace("_", " ")))
