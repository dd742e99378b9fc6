"""Long tables of variables read as one column per variable.

Official statistics come as one row per observation: where, when, *which
variable*, and its value (OECD's `LOCATION, INDICATOR, TIME, Value`, FAO's
`Area, Item, Element, Year, Unit, Value`, Eurostat, national statistics
offices). Read as they stand, `Value` is one "measure" that mixes hectares with
tonnes and GDP with imports: its average, its trend and every segment of it are
meaningless. An analyst reads one column per variable; so does Sightline, and
says so in an issue.

Only a clear layout is pivoted: a text column named as a variable is named
(indicator, measure, variable, element, metric, statistic, series name) with
2..`MAX_VARIABLES` values, one numeric value column (named as a value is, or
the only numeric column besides years), no other fractional numbers, and one
row per variable for every combination of the other columns. Columns that only describe the variable (its
unit, its code) and per-observation annotations (flags, notes) are not part of
an observation's key: a variable's unit goes into its column's name
("Production (t)"), the rest is left out.
"""

from __future__ import annotations

import re

import polars as pl

from engine.ingest.reshape.common import is_year, replace_frame
from engine.ingest.table import Issue, Table

MAX_VARIABLES = 30
MAX_REPEATED = 0.01  # rows that repeat an observation's variable: a slip of the export, the first is kept
VARIABLE = re.compile(
    r"^(indicator|measure|variable|var|element|metric|statistic|stat|concept|series)"
    r"([ _.-]?(name|label|description|desc))?$"
)
VALUE = re.compile(r"^(value|values|val|obs[ _.-]?value|data[ _.-]?value|observation|obs)$")
UNIT = re.compile(r"^(unit|units|uom|unit[ _.-]?of[ _.-]?measure(ment)?|unit[ _.-]?(name|label|code)?)$")
ANNOTATION = re.compile(r"(^|[ _.-])(flags?|notes?|footnotes?|obs[ _.-]?status|comments?|remarks?|symbols?)$")


def pivot_variables(table: Table, variable: str | None = None, value: str | None = None) -> Table:
    """`table` with one column per variable, or `table` unchanged when its layout is not clear.

    `variable` and `value` name the two columns when the caller knows them (a
    table of years that was just stacked); otherwise they are found by name.
    """
    df = table.df
    variable = variable or _variable_column(df)
    if variable is None:
        return table
    value = value or _value_column(df, variable)
    if value is None:
        return table
    rest = [c for c in df.columns if c not in (variable, value)]
    described = [c for c in rest if _describes(df, c, variable)]
    notes = [c for c in rest if c not in described and ANNOTATION.search(_norm(c))]
    index = [c for c in rest if c not in described and c not in notes]
    if not index or any(df[c].dtype.is_float() for c in index):
        return table  # no observation key, or a second measure beside the value (a rescaled copy, say)
    repeated = df.height - df.select(*index, variable).n_unique()
    if repeated > MAX_REPEATED * df.height:
        return table  # not one value per variable and observation: some other layout
    unit = next((c for c in described if UNIT.match(_norm(c))), None)
    names = _column_names(df, variable, unit, set(index))
    wide = (
        df.with_columns(pl.col(variable).cast(pl.String).replace_strict(names, return_dtype=pl.String))
        .pivot(on=variable, index=index, values=value, aggregate_function="first", maintain_order=True)
        .select(*index, *[n for n in names.values()])
    )
    shown = list(names.values())
    left = [c for c in [*described, *notes] if c != unit]
    table.issues.append(
        Issue(
            "variables_as_rows",
            f"'{value}' holds {len(shown)} different variables, named in '{variable}' "
            f"({', '.join(shown[:3])}{' …' if len(shown) > 3 else ''}); it was read as one column per "
            f"variable, one row per {', '.join(index[:3])}{' …' if len(index) > 3 else ''}: "
            f"{wide.height:,} rows"
            + (
                f"; {', '.join(left)} only describe(s) the variables or the values and was left out"
                if left
                else ""
            )
            + ".",
            extra={"variable": variable, "value": value, "columns": shown},
        )
    )
    if repeated:
        table.issues.append(
            Issue(
                "repeated_observations",
                f"{repeated} row(s) give a second value for a variable of the same observation "
                f"({', '.join(index[:3])}, {variable}); the first value of each was kept.",
                severity="warning",
                extra={"count": repeated},
            )
        )
    replace_frame(table, wide, [variable, value, *described, *notes])
    return table


def _norm(name: str) -> str:
    return name.strip().lower()


def _variable_column(df: pl.DataFrame) -> str | None:
    for c in df.columns:
        if VARIABLE.match(_norm(c)) and df[c].dtype in (pl.String, pl.Categorical):
            distinct = df[c].drop_nulls().n_unique()
            if 2 <= distinct <= MAX_VARIABLES and df[c].null_count() == 0:
                return c
    return None


def _value_column(df: pl.DataFrame, variable: str) -> str | None:
    numeric = [c for c in df.columns if c != variable and df[c].dtype.is_numeric()]
    named = [c for c in numeric if VALUE.match(_norm(c))]
    if len(named) == 1:
        return named[0]
    measures = [c for c in numeric if not is_year(df[c])]
    return measures[0] if len(measures) == 1 else None


def _describes(df: pl.DataFrame, column: str, variable: str) -> bool:
    """One value per variable, and not the same for all of them: its unit, its code, its definition."""
    per = df.group_by(variable).agg(pl.col(column).n_unique().alias("n"))
    return bool((per["n"] == 1).all()) and df[column].n_unique() > 1


def _column_names(df: pl.DataFrame, variable: str, unit: str | None, taken: set[str]) -> dict[str, str]:
    """Each variable's column name: its label, with its unit when there is one, never an index name."""
    if unit is None:
        pairs = [(str(v), None) for v in df[variable].unique(maintain_order=True).to_list()]
    else:
        units = df.select(variable, unit).unique(maintain_order=True)
        pairs = [(str(v), u) for v, u in units.iter_rows()]
    names: dict[str, str] = {}
    for label, u in pairs:
        name = f"{label} ({u})" if u not in (None, "") else label
        while name in taken or name in names.values():
            name = f"{name} ({variable})"
        names[label] = name
    return names
