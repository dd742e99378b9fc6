"""Safe file names for uploads."""

from __future__ import annotations

import pytest

from engine.storage import safe_file_name


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/path/data.csv", "data.csv"),
        ("C:\\Users\\x\\report.xlsx", "report.xlsx"),
        ("na\x00me.csv", "name.csv"),
        ("..", "upload.csv"),
        ("", "upload.csv"),
        ("sales 2024 (final).csv", "sales 2024 _final_.csv"),
    ],
)
def test_safe_file_name(raw: str, safe: str) -> None:
    assert safe_file_name(raw) == safe
    assert safe_file_name(safe) == safe, "stable: a stored name maps to itself"
