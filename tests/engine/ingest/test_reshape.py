"""A table of one row per year and one column per month is read as one monthly series, and says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from engine.analysis import analyze
from engine.config import get_settings
from engine.ingest import load_table

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _wide(years: int, *, station: bool = False) -> pl.DataFrame:
    rng = np.random.default_rng(2)
    rows = []
    for name in ["North", "South"] if station else [None]:
        for y in range(1950, 1950 + years):
            temps = {
                m: 10 + 8 * np.sin((k - 3) / 12 * 2 * np.pi) + rng.normal(0, 1) for k, m in enumerate(MONTHS)
            }
            rows.append({**({"station": name} if name else {}), "Year": float(y), **temps, "Annual": 10.0})
    return pl.DataFrame(rows)


def test_month_columns_become_one_monthly_series(tmp_path: Path) -> None:
    path = tmp_path / "temperatures.csv"
    _wide(30).write_csv(path)
    table = load_table(path, get_settings())
    assert table.df.columns == ["month", "value"] and table.df.height == 360
    assert table.df["month"][0] == dt.date(1950, 1, 1) and table.df["month"][-1] == dt.date(1979, 12, 1)
    issue = next(i for i in table.issues if i.code == "months_as_columns")
    assert "Annual" in issue.message  # the yearly summary is left out, and the user is told
    result = analyze(path)
    assert result["semantics"]["time"]["grain"] == "month"
    kinds = [i["type"] for i in result["insights"]]
    assert "seasonality" in kinds and "correlation" not in kinds, kinds


def test_a_text_key_is_kept_on_every_row(tmp_path: Path) -> None:
    path = tmp_path / "stations.csv"
    _wide(5, station=True).write_csv(path)
    df = load_table(path, get_settings()).df
    assert df.columns == ["station", "month", "value"] and df.height == 2 * 5 * 12


def test_other_layouts_are_left_alone(tmp_path: Path) -> None:
    wide = _wide(5)
    for name, frame in {
        "few_months.csv": wide.select("Year", *MONTHS[:6]),
        "no_year.csv": wide.drop("Year"),
        "other_numbers.csv": wide.with_columns(pl.lit(3.5).alias("rainfall")),
    }.items():
        path = tmp_path / name
        frame.write_csv(path)
        assert load_table(path, get_settings()).df.columns == frame.columns, name
