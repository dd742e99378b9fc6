"""Wide tables of months read as the monthly series they are.

Climate records, price indices and many official statistics come as one row
per year and one column per month (`YEAR, JAN, FEB, … DEC`). Read as they
stand, the twelve months are twelve "measures": January "correlates" with
February and no seasonality can be seen. An analyst reads them as one series
with a row per year and month; so does Sightline, and says so in an issue.

Only a clear layout is reshaped: an integer year column, at least ten numeric
columns named by distinct months, and otherwise only text columns (a station,
a region: kept on every row) and, optionally, a yearly summary column (annual,
total, mean: dropped, as it restates the months).
"""

from __future__ import annotations

import re

import polars as pl

from engine.ingest.reshape.common import is_year, replace_frame
from engine.ingest.table import Issue, Table

MIN_MONTHS = 10
VALUE = "value"
_MONTHS = {
    name: k
    for k, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_SUMMARY = re.compile(
    r"^(annual|yearly|total|sum|mean|avg|average|ann|metann|j-d|d-n)([ _-]?(total|mean|avg))?$"
)
_YEAR = re.compile(r"^(year|yr|yyyy|jahr|annee)$")


def unpivot_months(table: Table) -> Table:
    """`table` with its month columns stacked into one monthly series, or `table` unchanged."""
    df = table.df
    months = {c: _MONTHS[c.strip().lower()] for c in df.columns if c.strip().lower() in _MONTHS}
    months = {c: k for c, k in months.items() if df[c].dtype.is_numeric()}
    if len(set(months.values())) < MIN_MONTHS or len(set(months.values())) != len(months):
        return table
    year = next((c for c in df.columns if _YEAR.match(c.strip().lower()) and is_year(df[c])), None)
    if year is None:
        return table
    rest = [c for c in df.columns if c not in months and c != year]
    summaries = [c for c in rest if _SUMMARY.match(c.strip().lower()) and df[c].dtype.is_numeric()]
    keys = [c for c in rest if c not in summaries]
    if any(df[c].dtype.is_numeric() for c in keys) or len(keys) > 2 or VALUE in keys or "month" in keys:
        return table
    if df.select(year, *keys).is_duplicated().any():
        return table  # a year twice for the same station: not one row per year
    long = (
        df.unpivot(index=[year, *keys], on=list(months), variable_name="\x00month", value_name=VALUE)
        .with_columns(
            pl.date(
                pl.col(year).cast(pl.Int32),
                pl.col("\x00month").replace_strict(months, return_dtype=pl.Int8),
                1,
            ).alias("month")
        )
        .select([*keys, "month", VALUE])
        .sort([*keys, "month"])
    )
    dropped = f"; {', '.join(summaries)} restates the months and was left out" if summaries else ""
    table.issues.append(
        Issue(
            "months_as_columns",
            f"The {len(months)} month columns ({', '.join(list(months)[:2])} … {list(months)[-1]}) and "
            f"'{year}' were read as one monthly series '{VALUE}': one row per year and month, "
            f"{long.height:,} rows{dropped}.",
        )
    )
    replace_frame(table, long, [*months, year, *summaries])
    return table
