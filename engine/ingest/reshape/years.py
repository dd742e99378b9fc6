"""Wide tables of years read as the yearly series they are.

Population, GDP and most indicators from the World Bank, the UN or a
statistics office come as one row per country (and indicator) and one column
per year: `Country Name, Country Code, Indicator Name, 1960, 1961, …`. Read as
they stand, every year is a "measure": 1990 "correlates" with 1991 and "the
average 2020" is a KPI. An analyst reads one series per country with a row per
year; so does Sightline, and says so in an issue.

Only a clear layout is stacked: at least `MIN_YEARS` numeric columns named by
distinct years (`1990`, `X1990`, `Y1990`, `1990 [YR1990]`), and otherwise only
text columns (the country, its code, the indicator). An indicator column with
one value names the stacked column and is left out; with several values, the
stacked table has one column per indicator (`variables.pivot_variables`).
"""

from __future__ import annotations

import re

import polars as pl

from engine.ingest.reshape.common import YEARS, replace_frame
from engine.ingest.reshape.variables import VARIABLE, pivot_variables
from engine.ingest.table import Issue, Table

MIN_YEARS = 5
YEAR = "year"
VALUE = "value"
_YEAR_NAME = re.compile(r"^\s*[xy]?(\d{4})(\s*\[yr\d{4}\])?\s*$", re.IGNORECASE)


def unpivot_years(table: Table) -> Table:
    """`table` with its year columns stacked into one yearly series, or `table` unchanged."""
    df = table.df
    years = {c: int(m.group(1)) for c in df.columns if (m := _YEAR_NAME.match(c))}
    years = {c: y for c, y in years.items() if YEARS[0] <= y <= YEARS[1] and _numeric_or_empty(df[c])}
    if len(years) < MIN_YEARS or len(set(years.values())) != len(years):
        return table
    keys = [c for c in df.columns if c not in years]
    if not keys or any(df[c].dtype.is_numeric() for c in keys) or YEAR in {k.lower() for k in keys}:
        return table  # other numbers beside the years: not a plain table of yearly values
    if df.select(keys).is_duplicated().any():
        return table  # a country twice for one indicator: not one row per series
    indicators = [c for c in keys if VARIABLE.match(c.strip().lower()) or "indicator" in c.lower()]
    single = [c for c in indicators if df[c].n_unique() == 1]
    name = _value_name(df, single, keys)
    index = [c for c in keys if c not in single]
    several = sorted(
        (c for c in indicators if c in index and df[c].n_unique() <= 30),
        key=lambda c: not VARIABLE.match(c.strip().lower()),  # the indicator's name before its code
    )
    long = (
        df.unpivot(index=keys, on=list(years), variable_name="\x00year", value_name=name)
        .with_columns(
            pl.col("\x00year").replace_strict(years, return_dtype=pl.Int64).alias(YEAR),
            pl.col(name).cast(pl.Float64),
        )
        .select([*index, YEAR, name])
        .sort([*[c for c in index if c not in several], YEAR], maintain_order=True)
    )
    first, last = min(years.values()), max(years.values())
    left = f"; {', '.join(single)} (one value) names it and was left out" if single else ""
    table.issues.append(
        Issue(
            "years_as_columns",
            f"The {len(years)} year columns ({first} … {last}) were read as one yearly series "
            f"'{name}' with a '{YEAR}' column: one row per {', '.join(index[:3]) or 'table'} and year, "
            f"{long.height:,} rows{left}.",
        )
    )
    replace_frame(table, long, [*years, *single])
    return pivot_variables(table, several[0], name) if several else table


def _numeric_or_empty(s: pl.Series) -> bool:
    return s.dtype.is_numeric() or s.dtype == pl.Null or s.null_count() == s.len()


def _value_name(df: pl.DataFrame, single: list[str], keys: list[str]) -> str:
    """The stacked column's name: the one indicator's label when there is one."""
    for c in single:
        label = df[c].drop_nulls()
        is_code = label.dtype != pl.String or not label.len() or label[0].replace(".", "").isupper()
        if not is_code and label[0] not in keys:
            return str(label[0])
    return VALUE if VALUE not in keys else f"{VALUE}_"
