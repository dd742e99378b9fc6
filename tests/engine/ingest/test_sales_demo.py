"""dev-samples/sales_demo.csv parses right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from engine.config import Settings
from engine.ingest import load_table

DEMO = Path(__file__).resolve().parents[3] / "dev-samples" / "sales_demo.csv"


def test_sales_demo_parses() -> None:
    table = load_table(DEMO, Settings())
    df = table.df
    assert df.height == 7
    assert df.columns == ["date", "region", "product", "units", "price", "revenue", "customer", "notes"]
    assert df["date"].dtype == pl.Date
    assert df["date"].null_count() == 0
    assert df["date"][2] == dt.date(2024, 1, 19)  # written 01/19/2024
    assert df["date"][0] == dt.date(2024, 1, 5)  # written 2024-01-05
    assert df["customer"][1] == "Globex, Inc."
    assert df["units"].dtype == pl.Int64 and df["units"].null_count() == 1
    for name in ("units", "price", "revenue"):
        assert df[name].dtype.is_numeric()
    assert df["customer"].null_count() == 1 and df["notes"].null_count() == 2
    assert {i.code for i in table.issues} >= {"mixed_date_formats", "date_order_inferred"}
