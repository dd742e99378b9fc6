"""Entry point of ingestion: any supported file in, one typed Table out."""

from __future__ import annotations

from pathlib import Path

from engine.config import Settings
from engine.errors import InputError
from engine.ingest.delimited import read_delimited
from engine.ingest.detect import check_size, sniff_kind
from engine.ingest.normalize import normalize_dtypes
from engine.ingest.readers import read_excel, read_json, read_parquet
from engine.ingest.refine import refine_columns
from engine.ingest.reshape import reshape
from engine.ingest.table import Issue, Table

HEAD_BYTES = 262144


def load_table(
    path: str | Path, settings: Settings, *, file_name: str | None = None, sheet: str | None = None
) -> Table:
    """Read `path` into a typed Table, or raise InputError naming what is wrong with it.

    `file_name` is the user's name for the file (an upload may be stored under
    another); it picks the reader by extension and appears in error messages.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"File not found: {path}")
    shown = Path(file_name) if file_name else path
    size = path.stat().st_size
    check_size(shown, size, settings.max_upload_bytes)
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    kind = sniff_kind(shown, head)
    if kind in ("csv", "tsv") and head.lstrip()[:1] in (b"[", b"{") and shown.suffix.lower() != ".csv":
        kind = "json"
    table = _read(path, shown, head, kind, size, settings, sheet)
    _check_shape(shown, table, settings.max_columns)
    _clean_names(table)
    normalize_dtypes(table)
    refine_columns(table)
    return reshape(table)


def _read(
    path: Path, shown: Path, head: bytes, kind: str, size: int, settings: Settings, sheet: str | None
) -> Table:
    if kind in ("csv", "tsv"):
        return read_delimited(path, head, kind, size, settings.max_columns)
    if kind == "xlsx":
        df, sheet_name = read_excel(path, sheet)
        return Table(df, "xlsx", size, sheet=sheet_name)
    if kind in ("json", "jsonl"):
        df, found, codec = read_json(shown, path.read_bytes())
        return Table(df, found, size, encoding=codec)
    if kind == "parquet":
        return Table(read_parquet(path), "parquet", size)
    raise InputError(f"Unsupported file type for '{shown.name}'.")


def _check_shape(shown: Path, table: Table, max_columns: int) -> None:
    df = table.df
    if df.width == 0:
        raise InputError(f"'{shown.name}' has no columns: there is no table to analyse.")
    if df.width > max_columns:
        raise InputError(f"'{shown.name}' has {df.width} columns; the limit (MAX_COLUMNS) is {max_columns}.")
    if df.height == 0:
        raise InputError(f"'{shown.name}' has a header row but no data rows.")


def _clean_names(table: Table) -> None:
    """Trim names, name blank ones, make duplicates unique; say so when anything changed."""
    seen: set[str] = set()
    names = []
    for i, raw in enumerate(table.df.columns):
        name = raw.strip() or f"column_{i + 1}"
        if "_duplicated_" in name:
            name = name.split("_duplicated_")[0]
        base, n = name, 2
        while name in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name)
        names.append(name)
    if names != table.df.columns:
        changed = [f"'{a}' → '{b}'" for a, b in zip(table.df.columns, names, strict=True) if a != b]
        table.issues.append(
            Issue(
                "columns_renamed",
                "Blank or repeated column names were renamed: " + ", ".join(changed[:10]) + ".",
                severity="info",
            )
        )
        table.df = table.df.rename(dict(zip(table.df.columns, names, strict=True)))
    empty = [c for c in table.df.columns if table.df[c].null_count() == table.df.height]
    if empty and len(empty) < table.df.width:
        table.issues.append(
            Issue(
                "empty_columns",
                f"{len(empty)} column(s) hold no values at all: " + ", ".join(empty[:10]) + ".",
                severity="warning",
            )
        )
