"""Readers for Excel, JSON / JSON lines and Parquet files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl

from engine.errors import InputError
from engine.ingest.encoding import detect_encoding
from engine.ingest.values import frame_from_rows, series_from_values


def read_excel(path: Path, sheet: str | None) -> tuple[pl.DataFrame, str]:
    """The named sheet (else the first) as a frame, and the sheet's name."""
    import python_calamine  # deferred: only a workbook needs it

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise InputError(f"'{path.name}' could not be opened as an Excel workbook: {exc}") from exc
    names = workbook.sheet_names
    if not names:
        raise InputError(f"Workbook '{path.name}' has no sheets.")
    if sheet is not None and sheet not in names:
        raise InputError(f"Workbook '{path.name}' has no sheet named '{sheet}' (sheets: {', '.join(names)}).")
    name = sheet or names[0]
    rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise InputError(f"Sheet '{name}' of '{path.name}' is empty: there is no table to analyse.")
    start = _header_row(rows)
    return frame_from_rows(rows[start], rows[start + 1 :]), name


def _header_row(rows: list[list[Any]]) -> int:
    """Index of the header: the first row as wide as most rows (title rows above it are narrower)."""
    widths = [sum(1 for c in r if c not in (None, "")) for r in rows[:50]]
    common = Counter(widths).most_common(1)[0][0]
    return next((i for i, w in enumerate(widths) if w >= common), 0)


def read_json(path: Path, data: bytes) -> tuple[pl.DataFrame, str, str]:
    """A JSON array of records, an object holding one, or JSON lines; returns (frame, kind, encoding)."""
    codec = detect_encoding(data[:65536])
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(f"'{path.name}' is not readable text ({codec}): {exc}") from exc
    stripped = text.strip()
    if not stripped:
        raise InputError(f"'{path.name}' is empty: there is no table to analyse.")
    kind = "json"
    try:
        doc: Any = json.loads(stripped)
    except json.JSONDecodeError:
        doc, kind = _json_lines(path, stripped), "jsonl"
    records = _records(path, doc)
    return _frame_from_records(path, records), kind, codec


def read_parquet(path: Path) -> pl.DataFrame:
    """A Parquet file as a frame."""
    try:
        return pl.read_parquet(path)
    except Exception as exc:
        raise InputError(f"'{path.name}' could not be read as Parquet: {exc}") from exc


def _json_lines(path: Path, text: str) -> list[Any]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"'{path.name}' is not valid JSON or JSON lines (line {number}: {exc.msg})."
                ) from exc
    return out


def _records(path: Path, doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        doc = lists[0] if len(lists) == 1 else [doc]
    if not isinstance(doc, list) or not doc:
        raise InputError(f"'{path.name}' holds no records: expected an array of objects or JSON lines.")
    if not all(isinstance(r, dict) for r in doc):
        raise InputError(f"'{path.name}' is JSON but not a table: expected every item to be an object.")
    return doc


def _frame_from_records(path: Path, records: list[dict[str, Any]]) -> pl.DataFrame:
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    if not keys:
        raise InputError(f"'{path.name}' has records without fields: there is no table to analyse.")
    return pl.DataFrame([series_from_values(str(k), [r.get(k) for r in records]) for k in keys])
