"""Big tables have their text columns typed on several threads: the outcome is the serial one."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import concurrency
from engine.config import Settings
from engine.ingest import load_table

ROWS = 120_000


def _messy_csv(path: Path) -> Path:
    """Columns that exercise every typing path, each with blanks, tokens or bad values."""
    lines = ["when,stamp,price,flag,share,period,label,note"]
    for i in range(ROWS):
        when = "" if i % 97 == 0 else f"{1 + i % 28:02d}/{1 + i % 12:02d}/2023"
        day = f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"
        stamp = "N/A" if i % 89 == 0 else f"{day} {i % 24:02d}:{i % 60:02d}:00"
        price = "oops" if i % 1000 == 0 else f'"${(i % 500) * 3.5:,.2f}"'
        flag = ("yes", "no", "")[i % 3]
        share = f"{i % 100}%"
        period = f"2023-{1 + i % 12:02d}"
        label = ("north", "south", "NA", "east")[i % 4]
        note = f"case {i} about printer{i % 50}"
        lines.append(",".join([when, stamp, price, flag, share, period, label, note]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_parallel_typing_gives_the_serial_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _messy_csv(tmp_path / "messy.csv")
    parallel = load_table(path, Settings())
    monkeypatch.setattr(concurrency, "PARALLEL_ROWS", ROWS * 10)
    serial = load_table(path, Settings())
    assert parallel.df.equals(serial.df)
    assert parallel.df.schema == serial.df.schema
    assert {k: v.to_dict() for k, v in parallel.notes.items()} == {
        k: v.to_dict() for k, v in serial.notes.items()
    }
    assert list(parallel.notes) == list(serial.notes)
    assert [(i.code, i.message) for i in parallel.issues] == [(i.code, i.message) for i in serial.issues]
    assert len({str(t) for t in parallel.df.schema.values()}) >= 4  # the paths were really taken
