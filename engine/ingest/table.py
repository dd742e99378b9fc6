"""What ingestion hands to the analysis: a typed polars frame plus facts about the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass
class Issue:
    """One thing worth telling the user about how the file was read."""

    code: str
    message: str
    severity: str = "info"  # "info" | "warning" | "error"
    column: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The entry of result.json `issues`."""
        out: dict[str, Any] = {"code": self.code, "message": self.message, "severity": self.severity}
        if self.column is not None:
            out["column"] = self.column
        out.update(self.extra)
        return out


@dataclass
class ColumnNote:
    """How one column was read (e.g. currency strings turned into numbers)."""

    parsed_as: str | None = None  # "number" | "date" | "datetime" | "boolean"
    unit: str | None = None  # "currency" | "percent"
    symbol: str | None = None  # currency symbol seen, e.g. "$"
    date_formats: list[str] = field(default_factory=list)
    day_first: bool | None = None
    unparsed: int = 0  # non-empty cells that could not be read and became missing
    period: str | None = None  # "month" | "quarter": the text named whole periods ("2024-03", "2024-Q1")

    def to_dict(self) -> dict[str, Any]:
        """The `parsing` object of the column's profile (only what applies)."""
        out: dict[str, Any] = {}
        if self.parsed_as:
            out["parsedAs"] = self.parsed_as
        if self.unit:
            out["unit"] = self.unit
        if self.symbol:
            out["symbol"] = self.symbol
        if self.date_formats:
            out["dateFormats"] = list(self.date_formats)
        if self.day_first is not None:
            out["dayFirst"] = self.day_first
        if self.unparsed:
            out["unparsed"] = self.unparsed
        if self.period:
            out["period"] = self.period
        return out


@dataclass
class Table:
    """A file read into a typed frame, with the facts `fileInfo` reports."""

    df: pl.DataFrame
    file_type: str  # "csv" | "tsv" | "xlsx" | "json" | "jsonl" | "parquet"
    size_bytes: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    issues: list[Issue] = field(default_factory=list)
    notes: dict[str, ColumnNote] = field(default_factory=dict)

    def note(self, column: str) -> ColumnNote:
        """The (possibly new) note of a column."""
        return self.notes.setdefault(column, ColumnNote())
