"""Give text columns their real type: booleans, numbers (currency, percent, separators), dates."""

from __future__ import annotations

import polars as pl

from engine.ingest.coerce import try_boolean, try_numeric
from engine.ingest.dates import try_dates
from engine.ingest.periods import try_periods
from engine.ingest.table import Issue, Table

SAMPLE_SIZE = 5000
NULL_TOKENS = [
    "NA",
    "N/A",
    "n/a",
    "NaN",
    "nan",
    "null",
    "NULL",
    "None",
    "none",
    "#N/A",
    "-",
    "?",
    "--",
    "\\N",
]


def refine_columns(table: Table) -> None:
    """Replace each text column by its typed reading, recording how it was read.

    Types are guessed from an evenly spread sample and then applied to the
    whole column; values that do not fit become missing and are counted.
    """
    decimal_comma = _decimal_comma_hint(table)
    replaced = []
    for name in table.df.columns:
        s = table.df[name]
        if s.dtype != pl.String:
            continue
        sample = _sample(s)
        if bool((sample.str.strip_chars().str.len_chars() == 0).any() or sample.is_in(NULL_TOKENS).any()):
            s = _blank_to_null(s)
            sample = _sample(s)
        typed = _type_one(table, s, sample, decimal_comma)
        replaced.append(typed if typed is not None else s)
    if replaced:
        table.df = table.df.with_columns(replaced)
    for name, note in table.notes.items():
        if note.unparsed:
            what = "numbers" if note.parsed_as == "number" else "dates"
            table.issues.append(
                Issue(
                    "unparsed_values",
                    f"{note.unparsed} value(s) in '{name}' could not be read as {what} "
                    "and were treated as missing.",
                    severity="warning",
                    column=name,
                    extra={"count": note.unparsed},
                )
            )


def _type_one(table: Table, s: pl.Series, sample: pl.Series, decimal_comma: bool) -> pl.Series | None:
    if sample.len() == 0:
        return None
    note = table.note(s.name)
    for attempt in (
        lambda: try_boolean(s, sample),
        lambda: try_numeric(s, sample, decimal_comma, note),
        lambda: try_periods(s, sample, note),
        lambda: try_dates(s, sample, decimal_comma, note, table.issues),
    ):
        typed = attempt()
        if typed is not None:
            if note.parsed_as is None:
                note.parsed_as = "boolean"
            return typed
        note.parsed_as, note.unit, note.symbol, note.unparsed, note.period = None, None, None, 0, None
    del table.notes[s.name]
    return None


def _blank_to_null(s: pl.Series) -> pl.Series:
    """Blank cells and missing-value tokens (NA, null, N/A, -, ...) become missing."""
    stripped = s.str.strip_chars()
    keep = (stripped.str.len_chars() > 0) & ~stripped.is_in(NULL_TOKENS)
    return pl.select(pl.when(keep).then(s)).to_series().alias(s.name)


def _sample(s: pl.Series) -> pl.Series:
    values = s.drop_nulls()
    if values.len() > SAMPLE_SIZE:
        values = values.gather_every(values.len() // SAMPLE_SIZE).head(SAMPLE_SIZE)
    return values


def _decimal_comma_hint(table: Table) -> bool:
    """European files (';' or tab delimited) usually write 1.234,5 and day/month dates."""
    return table.delimiter == ";"
