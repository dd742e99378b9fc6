"""Decide what kind of file an upload is, and refuse what cannot be a table.

Checks run on the first bytes only, so a wrong upload fails fast with a message
that names the problem instead of a parser's stack trace.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError

TEXT_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv", ".dat": "csv"}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
JSON_EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
PARQUET_EXTENSIONS = {".parquet", ".pq"}

# Magic numbers of formats people upload by mistake.
_FOREIGN_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive (unpack it first)",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"\x7fELF": "an executable program",
    b"MZ": "a Windows executable",
    b"SQLite format 3": "an SQLite database",
}


def sniff_kind(path: Path, head: bytes) -> str:
    """The file type to read `path` as, from its extension checked against its first bytes."""
    ext = path.suffix.lower()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        if ext in EXCEL_EXTENSIONS or ext in ("", ".bin"):
            return "xlsx"
        if ext in (".zip", ".docx", ".pptx"):
            raise InputError(f"'{path.name}' is a zip-based document, not a spreadsheet or a table.")
        return "xlsx"  # a spreadsheet under another name; calamine will say if it is not
    for magic, what in _FOREIGN_MAGIC.items():
        if head.startswith(magic):
            raise InputError(
                f"'{path.name}' is {what}, not a table. Upload CSV, TSV, Excel, JSON or Parquet."
            )
    if ext in PARQUET_EXTENSIONS:
        raise InputError(f"'{path.name}' has a .parquet name but is not a Parquet file (no PAR1 header).")
    if ext in EXCEL_EXTENSIONS:
        raise InputError(f"'{path.name}' has an Excel name but is not an Excel workbook.")
    if ext in JSON_EXTENSIONS:
        return JSON_EXTENSIONS[ext]
    if ext in TEXT_EXTENSIONS or ext == "":
        return TEXT_EXTENSIONS.get(ext, "csv")
    raise InputError(
        f"Unsupported file type '{ext}' for '{path.name}'. "
        "Upload CSV, TSV, Excel (.xlsx), JSON / JSON lines or Parquet."
    )


def check_size(path: Path, size: int, max_bytes: int) -> None:
    """Refuse empty files and files over the upload limit."""
    if size == 0:
        raise InputError(f"'{path.name}' is empty (0 bytes): there is no table to analyse.")
    if size > max_bytes:
        raise InputError(
            f"'{path.name}' is {size / 1048576:.1f} MB; the upload limit (MAX_UPLOAD_MB) is "
            f"{max_bytes / 1048576:.0f} MB."
        )


def looks_binary(text_head: bytes) -> bool:
    """True when decoded-as-text bytes hold NULs or many control characters."""
    if not text_head:
        return False
    if b"\x00" in text_head:
        return True
    controls = sum(1 for b in text_head if b < 9 or 13 < b < 32)
    return controls / len(text_head) > 0.02
