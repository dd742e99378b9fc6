"""Excel, JSON, JSON lines and Parquet inputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from engine.config import Settings
from engine.errors import InputError
from engine.ingest import load_table

SETTINGS = Settings()


def make_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Summary"
    first.append(["region", "sales", "when"])
    first.append(["North", 10.5, dt.datetime(2024, 1, 1)])
    first.append(["South", 20, dt.datetime(2024, 1, 2)])
    second = wb.create_sheet("Detail")
    second.append(["Stock detail, exported Monday"])
    second.append(["sku", "qty"])
    for i in range(5):
        second.append([f"S{i}", i])
    wb.save(path)
    return path


def test_xlsx_first_sheet_by_default(tmp_path: Path) -> None:
    table = load_table(make_workbook(tmp_path / "book.xlsx"), SETTINGS)
    assert table.file_type == "xlsx" and table.sheet == "Summary"
    assert table.df["sales"].to_list() == [10.5, 20.0]
    assert table.df["when"].dtype.is_temporal()


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    table = load_table(make_workbook(tmp_path / "book.xlsx"), SETTINGS, sheet="Detail")
    assert table.sheet == "Detail"
    assert table.df["qty"].to_list() == [0, 1, 2, 3, 4]


def test_xlsx_missing_sheet_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no sheet named 'Nope'.*Summary, Detail"):
        load_table(make_workbook(tmp_path / "book.xlsx"), SETTINGS, sheet="Nope")


def test_json_array_of_records(tmp_path: Path) -> None:
    records = [{"a": 1, "b": "x", "c": {"n": 1}}, {"a": 2, "b": "y"}, {"a": 3, "d": "2024-01-05"}]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(records))
    table = load_table(path, SETTINGS)
    assert table.file_type == "json"
    assert table.df.columns == ["a", "b", "c", "d"]
    assert table.df["a"].to_list() == [1, 2, 3]
    assert table.df["c"][0] == '{"n": 1}'


def test_json_object_holding_records(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({"meta": {"v": 1}, "rows": [{"x": 1.5}, {"x": 2.5}]}))
    assert load_table(path, SETTINGS).df["x"].to_list() == [1.5, 2.5]


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"x": 1, "when": "2024-02-01"}\n\n{"x": 2, "when": "2024-02-02"}\n')
    table = load_table(path, SETTINGS)
    assert table.file_type == "jsonl"
    assert table.df["when"].dtype == pl.Date


def test_json_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(InputError, match="not a table"):
        load_table(path, SETTINGS)


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame(
        {"k": ["a", "b"], "v": [1.0, 2.0], "d": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)]}
    ).write_parquet(path)
    table = load_table(path, SETTINGS)
    assert table.file_type == "parquet"
    assert table.df.schema["d"] == pl.Date


def test_parquet_with_unusual_types_is_analysed(tmp_path: Path) -> None:
    from decimal import Decimal

    from engine.analysis import analyze

    path = tmp_path / "odd.parquet"
    pl.DataFrame(
        {
            "took": [dt.timedelta(seconds=s) for s in (1, 2, 90)],
            "at": [dt.time(9, 30), dt.time(10), dt.time(11, 15)],
            "amount": pl.Series([Decimal("1.50"), Decimal("2.25"), Decimal("3.00")], dtype=pl.Decimal(10, 2)),
            "tags": [["a", "b"], ["c"], []],
            "meta": [{"k": 1}, {"k": 2}, {"k": 3}],
            "kind": pl.Series(["x", "y", "x"], dtype=pl.Categorical),
        }
    ).write_parquet(path)
    table = load_table(path, SETTINGS)
    assert table.df["took"].to_list() == [1.0, 2.0, 90.0]
    assert table.df["at"][0].startswith("09:30")
    assert table.df["amount"].to_list() == [1.5, 2.25, 3.0]
    assert table.df["tags"][0] == '["a", "b"]'
    assert table.df["kind"].dtype == pl.String
    analyze(path)
