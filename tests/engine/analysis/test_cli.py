"""`analyze FILE [--out result.json]` prints a summary and writes the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.analysis.cli import main_analyze

DEMO = Path(__file__).resolve().parents[3] / "dev-samples" / "sales_demo.csv"


def test_cli_writes_result_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "result.json"
    assert main_analyze([str(DEMO), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["fileInfo"]["rows"] == 7
    printed = capsys.readouterr().out
    assert "sales_demo.csv: csv, 7 rows × 8 columns" in printed
    assert "Data quality:" in printed and str(out) in printed


def test_cli_bad_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    assert main_analyze([str(bad), "--out", str(tmp_path / "r.json")]) == 2
    assert "is empty" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()
