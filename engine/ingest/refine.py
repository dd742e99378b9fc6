"""Give text columns their real type: booleans, numbers (currency, percent, separators), dates."""

from __future__ import annotations

import functools

import polars as pl

from engine.concurrency import side_by_side
from engine.ingest.coerce import try_boolean, try_numeric
from engine.ingest.dates import try_dates
from engine.ingest.periods import try_periods
from engine.ingest.table import ColumnNote, Issue, Table

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
    "..",  # "not available" in World Bank, OECD and national statistics exports
    "...",
    ":",  # Eurostat's "not available"
]


def refine_columns(table: Table) -> None:
    """Replace each text column by its typed reading, recording how it was read.

    Types are guessed from an evenly spread sample and then applied to the
    whole column; values that do not fit become missing and are counted.
    Columns are typed side by side on a few threads (polars releases the GIL
    while it parses); notes and issues come out in column order all the same.
    """
    decimal_comma = _decimal_comma_hint(table)
    names = [name for name, dtype in table.df.schema.items() if dtype == pl.String]
    for name in names:
        table.note(name)  # created here, so the threads only fill in their own column's note
    typed = side_by_side(
        [functools.partial(_refine_one, table, name, decimal_comma) for name in names], table.df.height
    )
    replaced = []
    for name, (series, is_typed, found) in zip(names, typed, strict=True):
        replaced.append(series)
        table.issues.extend(found)
        if not is_typed:
            del table.notes[name]  # plain text: nothing to note
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


def _refine_one(table: Table, name: str, decimal_comma: bool) -> tuple[pl.Series, bool, list[Issue]]:
    """One text column: typed (True) or still text with its blanks made missing (False),
    and the issues found on the way."""
    s = table.df[name]
    sample = _sample(s)
    if bool((sample.str.strip_chars().str.len_chars() == 0).any() or sample.is_in(NULL_TOKENS).any()):
        s = _blank_to_null(s)
        sample = _sample(s)
    found: list[Issue] = []
    typed = _type_one(s, sample, decimal_comma, table.notes[name], found)
    return (s, False, found) if typed is None else (typed, True, found)


def _type_one(
    s: pl.Series, sample: pl.Series, decimal_comma: bool, note: ColumnNote, issues: list[Issue]
) -> pl.Series | None:
    if sample.len() == 0:
        return None
    for attempt in (
        lambda: try_boolean(s, sample),
        lambda: try_numeric(s, sample, decimal_comma, note),
        lambda: try_periods(s, sample, note),
        lambda: try_dates(s, sample, decimal_comma, note, issues),
    ):
        typed = attempt()
        if typed is not None:
            if note.parsed_as is None:
                note.parsed_as = "boolean"
            return typed
        note.parsed_as, note.unit, note.symbol, note.unparsed, note.period = None, None, None, 0, None
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
