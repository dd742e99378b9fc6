"""Change attribution: the segment that drove a change, split into volume, mix and rate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from engine.analysis import analyze


def monthly_sales(tmp_path: Path) -> Path:
    """Ten months of flat sales, then one month where the West's units triple."""
    rng = np.random.default_rng(9)
    rows = []
    for month in range(1, 12):
        for day in range(1, 29):
            for region, price in (("North", 10.0), ("South", 12.0), ("East", 9.0), ("West", 20.0)):
                units = int(rng.integers(8, 12)) * (3 if region == "West" and month == 11 else 1)
                rows.append((dt.date(2024, month, day), region, units, price, units * price))
    df = pl.DataFrame(rows, schema=["date", "region", "units", "price", "revenue"], orient="row")
    path = tmp_path / "m.csv"
    df.write_csv(path)
    return path


def test_west_drove_the_last_month(tmp_path: Path) -> None:
    result = analyze(monthly_sales(tmp_path))
    pops = [i for i in result["insights"] if i["type"] == "period_change"]
    assert pops and "revenue" in pops[0]["text"].lower()
    found = [i for i in result["insights"] if i["type"] == "change_attribution"]
    assert found, [i["title"] for i in result["insights"]]
    agg = found[0]["evidence"]["aggregates"]
    assert found[0]["evidence"]["dimension"] == "region"
    assert max(agg["contributions"], key=lambda k: abs(agg["contributions"][k])) == "West"
    parts = agg["decomposition"]
    assert abs(parts["volume"] + parts["mix"] + parts["rate"] - agg["totalChange"]) < 1e-6 * abs(
        agg["totalChange"]
    )
    assert parts["mix"] > 0  # units moved toward the West, the dearest region
    chart = next(c for c in result["charts"] if c["id"] == found[0]["chartId"])
    assert chart["figure"]["data"][0]["type"] == "waterfall"


def test_days_without_rows_are_gaps_not_anomalies(tmp_path: Path) -> None:
    """Days 29-31 hold no rows: no anomaly there, and the shift is dated to the first of November."""
    result = analyze(monthly_sales(tmp_path))
    anomalies = [i for i in result["insights"] if i["type"] == "anomaly"]
    assert all(i["evidence"]["aggregates"]["value"] > 0 for i in anomalies)
    shifts = [i for i in result["insights"] if i["type"] == "change_point"]
    assert shifts and shifts[0]["evidence"]["aggregates"]["changeDate"] == "2024-11-01"
