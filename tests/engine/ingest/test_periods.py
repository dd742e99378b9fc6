"""Text naming whole months or quarters is read as the first day of each period, and says so."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from engine.ingest.periods import try_periods
from engine.ingest.table import ColumnNote


@pytest.mark.parametrize(
    ("values", "period", "first"),
    [
        (["2024-03", "2024-04", "2024-5"], "month", dt.date(2024, 3, 1)),
        (["Mar 2024", "April 2024", "May-2024"], "month", dt.date(2024, 3, 1)),
        (["2024M01", "2024M02", "2024M03"], "month", dt.date(2024, 1, 1)),
        (["03/2024", "04/2024", "05/2024"], "month", dt.date(2024, 3, 1)),
        (["2024-Q1", "2024 Q2", "Q3 2024"], "quarter", dt.date(2024, 1, 1)),
        (["1959Q1", "1959Q2", "1959Q3"], "quarter", dt.date(1959, 1, 1)),
    ],
)
def test_periods_become_first_days(values: list[str], period: str, first: dt.date) -> None:
    s = pl.Series("p", values)
    note = ColumnNote()
    parsed = try_periods(s, s, note)
    assert parsed is not None and parsed.dtype == pl.Date
    assert parsed[0] == first and note.period == period and note.parsed_as == "date"


@pytest.mark.parametrize(
    "values", [["Team 2024", "Week 2023", "x"], ["north", "south", "east"], ["12", "13", "14"]]
)
def test_other_text_is_not_periods(values: list[str]) -> None:
    s = pl.Series("p", values)
    assert try_periods(s, s, ColumnNote()) is None
