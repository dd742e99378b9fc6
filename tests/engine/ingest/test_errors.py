"""Files that are not tables fail with an InputError naming the problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.config import Settings
from engine.errors import InputError
from engine.ingest import load_table

SETTINGS = Settings()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\n\n  \n", "empty"),
        ("header.csv", b"a,b,c\n", "header row but no data rows"),
        ("noise.csv", os.urandom(2048) + b"\x00\x00", "binary"),
        ("image.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
        ("doc.pdf", b"%PDF-1.7\n...", "PDF document"),
        ("page.csv", b"<!DOCTYPE html><html><body>hi</body></html>\n", "HTML"),
        ("thing.docx", b"hello", "Unsupported file type '.docx'"),
        ("fake.xlsx", b"just text, not a workbook\n", "not an Excel workbook"),
        ("fake.parquet", b"a,b\n1,2\n", "not a Parquet file"),
        ("bad.json", b"{not json", "not valid JSON"),
    ],
)
def test_unreadable_files_are_named(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_table(write(tmp_path, name, data), SETTINGS)


def test_prose_is_not_a_table(tmp_path: Path) -> None:
    text = (
        "This is a letter to the data team explaining what happened last quarter\n"
        + "We saw many things happen and we would like to talk about them at length here\n" * 5
    )
    with pytest.raises(InputError, match="does not look like a table"):
        load_table(write(tmp_path, "letter.txt", text.encode()), SETTINGS)


def test_too_many_columns(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(12))
    path = write(tmp_path, "wide.csv", f"{header}\n{','.join('1' * 12)}\n".encode())
    with pytest.raises(InputError, match=r"12 columns; the limit \(MAX_COLUMNS\) is 5"):
        load_table(path, Settings(MAX_COLUMNS=5))


def test_too_many_columns_in_json(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.json", ("[{" + ",".join(f'"c{i}": 1' for i in range(8)) + "}]").encode())
    with pytest.raises(InputError, match="MAX_COLUMNS"):
        load_table(path, Settings(MAX_COLUMNS=5))


def test_over_the_upload_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv", b"a,b\n" + b"1,2\n" * 600_000)
    with pytest.raises(InputError, match=r"upload limit \(MAX_UPLOAD_MB\)"):
        load_table(path, Settings(MAX_UPLOAD_MB=1))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_table(tmp_path / "nope.csv", SETTINGS)
