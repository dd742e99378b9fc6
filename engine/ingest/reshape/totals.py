"""A totals row at the foot (or head) of a table: the sum of the other rows, not one more of them.

Exports and pivot tables made for the eye end with `Total` (`Grand total`,
`Summe`, `Gesamt`, ...). Read as data, it doubles every sum, becomes the
category that "stands out", and pulls every mean. A row is dropped as a totals
row only when its label says so and its figures bear it out: at least one
numeric column holds the sum of the other rows (within half a percent), and
every other numeric figure in it is either such a sum or lies within the other
rows' range (an average or a rate, as pivot totals show them). Issue
`total_row` says which row went.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from engine.ingest.table import Issue, Table

TOTAL_WORDS = frozenset(
    {
        "total",
        "totals",
        "grand total",
        "total general",
        "overall",
        "sum",
        "summe",
        "gesamt",
        "gesamtsumme",
        "insgesamt",
        "totaal",
        "totale",
        "somme",
    }
)
SUM_TOLERANCE = 0.005
MAX_TOTAL_ROWS = 2  # a grand total, perhaps a second one at the head
MIN_ROWS = 3  # other rows


def drop_total_rows(table: Table) -> Table:
    """`table` without its totals rows (see the module), or `table` unchanged."""
    df = table.df
    numeric = [c for c, t in df.schema.items() if t.is_numeric()]
    text = [c for c, t in df.schema.items() if t == pl.String]
    if not numeric or not text or df.height < MIN_ROWS + 1:
        return table
    word = pl.any_horizontal(
        pl.col(c).str.strip_chars().str.strip_chars_end(":").str.to_lowercase().is_in(list(TOTAL_WORDS))
        for c in text
    )
    # only the first and last rows are looked at: a totals row sits at the head or the foot
    ends = sorted({*range(MAX_TOTAL_ROWS), *range(df.height - MAX_TOTAL_ROWS, df.height)})
    at_ends = df[ends].select(word.fill_null(False).alias("total")).to_series()
    flagged = [i for i, hit in zip(ends, at_ends.to_list(), strict=True) if hit]
    if not flagged:
        return table
    labelled = pl.Series(range(df.height)).is_in(flagged)
    rest = df.filter(~labelled)
    if rest.height < MIN_ROWS:
        return table
    totals = df.filter(labelled)
    sums, lows, highs = (
        rest.select(e).row(0, named=True)
        for e in (pl.col(numeric).sum(), pl.col(numeric).min(), pl.col(numeric).max())
    )
    if not all(_adds_up(row, numeric, sums, lows, highs) for row in totals.iter_rows(named=True)):
        return table
    table.df = rest
    shown = ", ".join(next(str(r[c]) for c in text if r[c] is not None) for r in totals.iter_rows(named=True))
    table.issues.append(
        Issue(
            "total_row",
            f"The row {shown!r} holds the sum of the other rows; it was left out of the analysis.",
            extra={"rows": totals.height},
        )
    )
    return table


def _adds_up(
    row: dict[str, Any],
    numeric: list[str],
    sums: dict[str, Any],
    lows: dict[str, Any],
    highs: dict[str, Any],
) -> bool:
    """Whether the row's figures are the other rows' `sums` (at least one) or within their range."""
    summed = 0
    for c in numeric:
        value = row[c]
        if value is None:
            continue
        v, total = float(value), float(sums[c] or 0.0)
        if total != 0 and abs(v - total) <= SUM_TOLERANCE * abs(total):
            summed += 1
        elif lows[c] is None or not float(lows[c]) <= v <= float(highs[c]):
            return False
    return summed > 0
