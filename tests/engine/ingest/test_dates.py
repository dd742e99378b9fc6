"""Dates in mixed formats, with the day/month order settled per column and reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from engine.config import Settings
from engine.ingest import load_table

SETTINGS = Settings()


def load(tmp_path: Path, text: str, name: str = "d.csv") -> tuple[pl.DataFrame, list[str], object]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    table = load_table(path, SETTINGS)
    return table.df, [i.code for i in table.issues], table


def test_us_order_settled_by_a_day_above_12(tmp_path: Path) -> None:
    df, codes, _ = load(tmp_path, "when,v\n01/02/2024,1\n01/19/2024,2\n03/04/2024,3\n")
    assert df["when"].to_list() == [dt.date(2024, 1, 2), dt.date(2024, 1, 19), dt.date(2024, 3, 4)]
    assert "date_order_inferred" in codes


def test_european_order_settled_by_a_day_above_12(tmp_path: Path) -> None:
    df, codes, table = load(tmp_path, "when,v\n01/02/2024,1\n19/01/2024,2\n03/04/2024,3\n")
    assert df["when"].to_list() == [dt.date(2024, 2, 1), dt.date(2024, 1, 19), dt.date(2024, 4, 3)]
    assert table.notes["when"].day_first is True  # type: ignore[attr-defined]
    assert "date_order_inferred" in codes


def test_dotted_european_dates(tmp_path: Path) -> None:
    df, _, _ = load(tmp_path, "when;v\n31.12.2023;1\n01.02.2024;2\n15.03.2024;3\n")
    assert df["when"].to_list() == [dt.date(2023, 12, 31), dt.date(2024, 2, 1), dt.date(2024, 3, 15)]


def test_ambiguous_order_is_assumed_and_said(tmp_path: Path) -> None:
    df, codes, _ = load(tmp_path, "when,v\n01/02/2024,1\n03/04/2024,2\n05/06/2024,3\n")
    assert df["when"].dtype == pl.Date
    assert "date_order_ambiguous" in codes
    assert df["when"][0] == dt.date(2024, 1, 2)  # month first is assumed for comma files


def test_ambiguous_order_follows_european_hint_in_semicolon_files(tmp_path: Path) -> None:
    df, codes, _ = load(tmp_path, "when;v\n01/02/2024;1,5\n03/04/2024;2,5\n05/06/2024;3,5\n")
    assert df["when"][0] == dt.date(2024, 2, 1)
    assert "date_order_ambiguous" in codes


def test_mixed_iso_us_and_month_names(tmp_path: Path) -> None:
    text = "when,v\n2024-01-05,1\n01/19/2024,2\nMar 3, 2024,3\n5 April 2024,4\n2024-05-06T10:30:00,5\n"
    text = text.replace("Mar 3, 2024", '"Mar 3, 2024"')
    df, codes, _ = load(tmp_path, text)
    assert df["when"].dtype == pl.Datetime("us")
    assert df["when"].null_count() == 0
    assert df["when"][2] == dt.datetime(2024, 3, 3)
    assert df["when"][4] == dt.datetime(2024, 5, 6, 10, 30)
    assert "mixed_date_formats" in codes


def test_conflicting_orders_are_reported(tmp_path: Path) -> None:
    text = "when,v\n" + "".join(f"{d}/01/2024,{d}\n" for d in range(13, 28)) + "01/20/2024,99\n"
    df, codes, _ = load(tmp_path, text)
    assert "date_order_conflict" in codes
    assert df["when"].null_count() == 1


def test_utc_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    text = "ts,v\n2024-01-01T10:00:00+02:00,1\n2024-01-02T11:00:00Z,2\n2024-01-03 12:30:00,3\n"
    df, _, _ = load(tmp_path, text)
    assert df["ts"].to_list() == [
        dt.datetime(2024, 1, 1, 8, 0),
        dt.datetime(2024, 1, 2, 11, 0),
        dt.datetime(2024, 1, 3, 12, 30),
    ]
