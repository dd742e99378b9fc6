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


COUNTRIES = ["Austria", "Belgium", "Chile", "Denmark", "Egypt", "France", "Ghana", "Haiti"]


def _world_bank(indicators: dict[str, str], years: range = range(1990, 2021)) -> str:
    """A World Bank export: one row per country and indicator, one column per year, '..' for gaps."""
    rng = np.random.default_rng(5)
    lines = [",".join(["Country Name", "Country Code", "Indicator Name", "Indicator Code", *map(str, years)])]
    for country in COUNTRIES:
        for label, code in indicators.items():
            start = rng.uniform(1e6, 9e7)
            cells = [f"{start * 1.015**k:.0f}" for k in range(len(years))]
            cells[3] = ".."
            lines.append(",".join([country, country[:3].upper(), f'"{label}"', code, *cells]))
    return "\n".join(lines) + "\n"


def test_year_columns_become_one_yearly_series_per_country(tmp_path: Path) -> None:
    path = tmp_path / "API_SP.POP.TOTL.csv"
    path.write_text(_world_bank({"Population, total": "SP.POP.TOTL"}))
    table = load_table(path, get_settings())
    assert table.df.columns == ["Country Name", "Country Code", "year", "Population, total"]
    assert table.df.height == len(COUNTRIES) * 31 and table.df["Population, total"].null_count() == len(
        COUNTRIES
    )
    issue = next(i for i in table.issues if i.code == "years_as_columns")
    assert "1990 … 2020" in issue.message and "Indicator Name" in issue.message
    result = analyze(path)
    assert result["semantics"]["time"]["grain"] == "year"
    years_as_measures = [k for k in result["kpis"] if (k.get("measure") or "").isdigit()]
    assert not years_as_measures, years_as_measures
    assert all(
        i["type"] != "correlation" for i in result["insights"]
    )  # 1990 against 1991 was the top finding


def test_several_indicators_become_one_column_each(tmp_path: Path) -> None:
    path = tmp_path / "wdi.csv"
    path.write_text(_world_bank({"Population, total": "SP.POP.TOTL", "GDP (current US$)": "NY.GDP.MKTP.CD"}))
    table = load_table(path, get_settings())
    assert table.df.columns == [
        "Country Name",
        "Country Code",
        "year",
        "Population, total",
        "GDP (current US$)",
    ]
    assert table.df.height == len(COUNTRIES) * 31
    codes = {i.code for i in table.issues}
    assert {"years_as_columns", "variables_as_rows"} <= codes


def _long_statistics(*, unit: bool) -> pl.DataFrame:
    """FAO's layout: area, item, element (the variable), year, unit, value, flag."""
    rng = np.random.default_rng(8)
    rows = []
    for area in COUNTRIES[:5]:
        for item in ("Wheat", "Maize"):
            hectares = rng.uniform(1e4, 1e6)
            for year in range(2000, 2016):
                tonnes = hectares * 3 * (1 + 0.03 * (year - 2000))
                for element, amount, u in (("Area harvested", hectares, "ha"), ("Production", tonnes, "t")):
                    rows.append(
                        {"Area": area, "Item": item, "Element": element, "Year": year,
                         **({"Unit": u} if unit else {}), "Value": round(amount), "Flag": "E"}
                    )  # fmt: skip
    return pl.DataFrame(rows)


def test_variables_in_rows_become_one_column_each(tmp_path: Path) -> None:
    path = tmp_path / "crops.csv"
    _long_statistics(unit=True).write_csv(path)
    table = load_table(path, get_settings())
    assert table.df.columns == ["Area", "Item", "Year", "Area harvested (ha)", "Production (t)"]
    assert table.df.height == 5 * 2 * 16
    issue = next(i for i in table.issues if i.code == "variables_as_rows")
    assert issue.extra["variable"] == "Element" and "Flag" in issue.message
    result = analyze(path)
    measures = {m["name"] for m in result["semantics"]["measures"]}
    assert "Value" not in measures and "Production (t)" in measures


def test_a_second_value_for_one_observation_keeps_the_first_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "crops.csv"
    frame = _long_statistics(unit=False)
    pl.concat([frame, frame.head(1).with_columns(pl.col("Value") + 1)]).write_csv(path)
    table = load_table(path, get_settings())
    assert table.df["Area harvested"][0] == frame["Value"][0]
    assert next(i for i in table.issues if i.code == "repeated_observations").extra["count"] == 1


def test_tables_that_only_look_long_or_wide_are_left_alone(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    sales = pl.DataFrame(
        {
            "date": [dt.date(2024, 1, 1) + dt.timedelta(days=k // 3) for k in range(90)],
            "item": ["pens", "ink", "paper"] * 30,  # products are entities, not variables
            "value": rng.uniform(10, 100, 90).round(2),
        }
    )
    yearly = pl.DataFrame(
        {"product": ["a", "b", "c"], **{str(y): [1.0, 2.0, 3.0] for y in range(2019, 2025)}}
    )
    long = _long_statistics(unit=False)
    for name, frame in {
        "sales.csv": sales,
        "yearly_with_price.csv": yearly.with_columns(pl.Series("price", [9.5, 3.0, 4.0])),
        "few_years.csv": yearly.select("product", "2023", "2024"),
        "not_one_value_each.csv": pl.concat([long, long]),  # every observation twice
    }.items():
        path = tmp_path / name
        frame.write_csv(path)
        assert load_table(path, get_settings()).df.columns == frame.columns, name


def test_a_share_indicator_is_averaged_across_countries_never_summed(tmp_path: Path) -> None:
    years = range(2000, 2021)
    rng = np.random.default_rng(6)
    lines = [",".join(["Country Name", "Country Code", "Indicator Name", *map(str, years)])]
    for country in COUNTRIES:
        start = rng.uniform(5, 60)
        cells = [f"{min(99.0, start + 2.5 * k):.1f}" for k in range(len(years))]
        lines.append(",".join([country, country[:3].upper(), '"Internet users (% of population)"', *cells]))
    path = tmp_path / "internet.csv"
    path.write_text("\n".join(lines) + "\n")
    result = analyze(path)
    (measure,) = [m for m in result["semantics"]["measures"] if m["kind"] != "count"]
    assert measure["name"] == "Internet users (% of population)" and measure["kind"] == "level"
    shown = [k["value"] for k in result["kpis"] if k.get("measure") == measure["name"]]
    assert shown and all(v <= 100 for v in shown), result["kpis"]  # eight countries' shares never add up


def test_the_latest_kpi_is_the_last_year_most_countries_reported(tmp_path: Path) -> None:
    text = _world_bank({"Population, total": "SP.POP.TOTL"})
    lines = text.splitlines()
    lines[0] += ",2021"
    lines[1:] = [row + (",5000000" if k < 2 else ",") for k, row in enumerate(lines[1:])]  # 2 of 8 so far
    path = tmp_path / "population.csv"
    path.write_text("\n".join(lines) + "\n")
    result = analyze(path)
    (latest,) = [k for k in result["kpis"] if k.get("measure") == "Population, total"]
    assert latest["at"].startswith("2020"), latest


def _regions(total_label: str, *, total: tuple[float, float, float] | None = None) -> str:
    rows = [("North", 120, 30, 4.0), ("South", 340, 85, 4.0), ("East", 95, 19, 5.0), ("West", 210, 42, 5.0)]
    text = "Region,Sales,Units,Price\n" + "".join(f"{r},{s},{u},{p}\n" for r, s, u, p in rows)
    figures = total or (sum(r[1] for r in rows), sum(r[2] for r in rows), 4.5)  # price: the average
    return text + f"{total_label},{figures[0]},{figures[1]},{figures[2]}\n"


def test_a_totals_row_is_left_out_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "sales_by_region.csv"
    path.write_text(_regions("Grand Total"))
    table = load_table(path, get_settings())
    assert table.df["Region"].to_list() == ["North", "South", "East", "West"]
    (issue,) = [i for i in table.issues if i.code == "total_row"]
    assert "Grand Total" in issue.message
    result = analyze(path, file_name=path.name)
    totals = {k["id"]: k["value"] for k in result["kpis"]}
    assert totals["total_Sales"] == 765 and totals["rows"] == 4


def test_a_row_named_total_whose_figures_are_its_own_stays(tmp_path: Path) -> None:
    """Total is also a brand of petrol stations: its sales are not the others' sum."""
    path = tmp_path / "stations.csv"
    path.write_text(_regions("Total", total=(180, 44, 4.2)))
    table = load_table(path, get_settings())
    assert "Total" in table.df["Region"].to_list()
    assert not [i for i in table.issues if i.code == "total_row"]


def _grouped_report(rng: np.random.Generator, subtotal: str) -> tuple[str, float]:
    """Regions of products, each region closed by a subtotal row, the report by a grand total."""
    lines, grand = ["Region,Product,Units,Revenue"], 0.0
    for region, products in (("North", 5), ("South", 1), ("East", 4), ("West", 6)):
        rows = [
            (int(rng.integers(10, 200)), round(float(rng.uniform(100, 5000)), 2)) for _ in range(products)
        ]
        lines += [f"{region},P{k},{u},{r}" for k, (u, r) in enumerate(rows)]
        units, revenue = sum(u for u, _ in rows), round(sum(r for _, r in rows), 2)
        label = subtotal.format(region=region)
        lines.append(
            f"{region},{label},{units},{revenue}"
            if "{region}" not in subtotal
            else f"{label},,{units},{revenue}"
        )
        grand += revenue
    units = sum(int(x.split(",")[2]) for x in lines[1:] if "P" in x.split(",")[1])
    lines.append(f"Grand Total,,{units},{round(grand, 2)}")
    return "\n".join(lines) + "\n", round(grand, 2)


def test_subtotal_rows_that_close_their_groups_are_left_out(tmp_path: Path) -> None:
    for subtotal in ("Subtotal", "{region} Total"):
        text, grand = _grouped_report(np.random.default_rng(7), subtotal)
        path = tmp_path / "report.csv"
        path.write_text(text)
        table = load_table(path, get_settings())
        assert table.df.height == 16, (subtotal, table.df)
        assert {i.code for i in table.issues} >= {"subtotal_rows", "total_row"}, table.issues
        result = analyze(path, file_name=path.name)
        totals = {k["id"]: k["value"] for k in result["kpis"]}
        assert abs(totals["total_Revenue"] - grand) < 0.01, (subtotal, totals)


def test_rows_named_like_totals_whose_figures_are_their_own_stay(tmp_path: Path) -> None:
    """A gym chain's "Total Gym" and "Fitness Total" products sell like any other product."""
    rng = np.random.default_rng(8)
    names = ["Total Gym", "Bench", "Fitness Total", "Rower", "Bike", "Total Gym"]
    rows = [f"{n},{int(rng.integers(5, 90))},{round(float(rng.uniform(50, 900)), 2)}" for n in names * 3]
    path = tmp_path / "products.csv"
    path.write_text("Product,Units,Revenue\n" + "\n".join(rows) + "\n")
    table = load_table(path, get_settings())
    assert table.df.height == 18
    assert not [i for i in table.issues if i.code in ("subtotal_rows", "total_row")]
