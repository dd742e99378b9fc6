"""A totals row at the foot (or head) of a table: the sum of the other rows, not one more of them.

Exports and pivot tables made for the eye end with `Total` (`Grand total`,
`Summe`, `Gesamt`, ...). Read as data, it doubles every sum, becomes the
category that "stands out", and pulls every mean. A row is dropped as a totals
row only when its label says so and its figures bear it out: at least one
numeric column holds the sum of the other rows (within half a percent), and
every other numeric figure in it is either such a sum or lies within the other
rows' range (an average or a rate, as pivot totals show them). Issue
`total_row` says which row went.

Reports made in a spreadsheet also close each group with a subtotal ("North
Total", "Subtotal", "Zwischensumme") and the table with a grand total of the
groups. A labelled row inside the table is a subtotal when its figures are those
of the rows since the previous labelled row (the group it closes); subtotals go
(issue `subtotal_rows`) and a grand total is then judged against the rows left.
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
SUBTOTAL_WORDS = frozenset(
    {
        "subtotal",
        "sub-total",
        "sub total",
        "subtotals",
        "zwischensumme",
        "sous-total",
        "subtotaal",
        "subtotale",
    }
)
# "North Total", "Total North", "Total: North", "Summe Nord": a group's label beside a total word
_GROUP_TOTAL = r"^(total|totals|sum|summe|gesamt)\b.*|.*\b(total|totals|summe|gesamt)$"
SUBTOTAL_MAX_ROWS = 100_000  # reports closed by subtotals are made for the eye: not millions of rows
SUM_TOLERANCE = 0.005
MAX_TOTAL_ROWS = 2  # a grand total, perhaps a second one at the head
MIN_ROWS = 3  # other rows


def drop_total_rows(table: Table) -> Table:
    """`table` without its subtotal and totals rows (see the module), or `table` unchanged."""
    return _drop_grand_total(_drop_subtotals(table))


def _drop_subtotals(table: Table) -> Table:
    df = table.df
    numeric = [c for c, t in df.schema.items() if t.is_numeric()]
    text = [c for c, t in df.schema.items() if t == pl.String]
    if not numeric or not text or not MIN_ROWS < df.height <= SUBTOTAL_MAX_ROWS:
        return table
    word = pl.any_horizontal(
        [_label(c).is_in(list(SUBTOTAL_WORDS)) | _label(c).str.contains(_GROUP_TOTAL) for c in text]
    ).fill_null(False)
    flagged = df.select(word.arg_true()).to_series().to_list()
    if len(flagged) < 2:  # one labelled row is a grand total at most: the foot's rule reads it
        return table
    closing, groups, start = [], 0, 0
    for i in flagged:
        block = df.slice(start, i - start)  # the rows since the previous labelled row: its group
        if block.height and _adds_up(df.row(i, named=True), numeric, *_figures(block, numeric)):
            closing.append(i)
            groups += block.height >= 2
        start = i + 1
    # two groups closed at least, one of several rows (a group of one row equals its own subtotal)
    if len(closing) < 2 or not groups:
        return table
    table.df = df.filter(~pl.Series(range(df.height)).is_in(closing))
    table.issues.append(
        Issue(
            "subtotal_rows",
            f"{len(closing)} rows hold the sums of the groups they close (subtotals); "
            "they were left out of the analysis.",
            extra={"rows": len(closing)},
        )
    )
    return table


def _label(column: str) -> pl.Expr:
    """A text cell as a totals label is compared: trimmed, without a trailing colon, lower case."""
    return pl.col(column).str.strip_chars().str.strip_chars_end(":").str.to_lowercase()


def _figures(rows: pl.DataFrame, numeric: list[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The rows' sums, lowest and highest values, per numeric column."""
    sums, lows, highs = (
        rows.select(e).row(0, named=True)
        for e in (pl.col(numeric).sum(), pl.col(numeric).min(), pl.col(numeric).max())
    )
    return sums, lows, highs


def _drop_grand_total(table: Table) -> Table:
    df = table.df
    numeric = [c for c, t in df.schema.items() if t.is_numeric()]
    text = [c for c, t in df.schema.items() if t == pl.String]
    if not numeric or not text or df.height < MIN_ROWS + 1:
        return table
    word = pl.any_horizontal(_label(c).is_in(list(TOTAL_WORDS)) for c in text)
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
    figures = _figures(rest, numeric)
    if not all(_adds_up(row, numeric, *figures) for row in totals.iter_rows(named=True)):
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
