"""Frequency tables: each row a cell (Class = Crew, Sex = Male, Survived = No) and a column counting it.

R's `as.data.frame(table(...))`, a pivot's export and many published tables
look so. Their rows are not the things counted: 32 rows of the Titanic table
stand for 2,201 people. Read as they are, "Crew" is 8 rows of 32 and every
test has 32 observations; read as an analyst does, Crew is 885 people of
2,201. Such a table is expanded into one row per case (each cell repeated
its count times), so every count, share and drill-down weighs the cells by
their counts, and the count column itself is no longer a measure.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from engine.analysis.semantics.model import Entity, Measure
from engine.analysis.semantics.vocabulary import vocab, words

# The names a count column goes by; its rows are cells, not cases.
COUNT_NAMES = vocab("freq frequency count counts n nn cnt tally obs observations number")
MAX_CASES = 2_000_000  # a table standing for more cases than this is read row by row
MAX_NAME_WORDS = 3


@dataclass(frozen=True)
class Weights:
    """The count column of a frequency table and what it stands for."""

    column: str
    cells: int  # the table's rows
    cases: int  # the sum of the counts: the rows once expanded

    def message(self) -> str:
        return (
            f"Each row is a cell of a frequency table counted by '{self.column}': its {self.cells:,} rows "
            f"stand for {self.cases:,} cases, and counts and shares weigh each row by '{self.column}'."
        )


def frequency_weights(
    df: pl.DataFrame,
    measures: list[Measure],
    dimensions: list[str],
    entities: list[Entity],
    text: list[str],
    codes: list[str],
    timed: bool,
) -> Weights | None:
    """The count column when the table is a frequency table, else None.

    It is one when one whole-number column named as a count (Freq, n, count)
    is the only measure, every other column is a dimension (or a code, such as
    R's row names), the dimensions are crossed (each value labels several cells;
    a column with a value per row or so is a measure of its row, such as y
    successes of n trials), no combination of them repeats, and the counts add
    up to more cases than rows.
    """
    if timed or entities or text or len(measures) != 1 or not dimensions:
        return None
    name = measures[0].name
    ws = words(name)
    if not ws or len(ws) > MAX_NAME_WORDS or not (ws[0] in COUNT_NAMES or ws[-1] in COUNT_NAMES):
        return None
    if not df.schema[name].is_integer() or set(df.columns) - set(codes) != {name, *dimensions}:
        return None
    count = pl.col(name)
    low, cases, missing = df.select(
        count.min().alias("low"), count.sum().alias("cases"), count.null_count().alias("missing")
    ).row(0)
    if missing or low is None or low < 0 or not df.height < cases <= MAX_CASES:
        return None
    if df.select(pl.struct(dimensions).is_duplicated().any()).item():
        return None
    if any(n > df.height / 2 for n in df.select(pl.col(dimensions).n_unique()).row(0)):
        return None  # not a crossed table: a column with a value per row or so labels no cells
    return Weights(name, df.height, int(cases))


def expand(frame: pl.DataFrame, weights: Weights) -> pl.DataFrame:
    """One row per case: each cell repeated its count times, the count column dropped."""
    rows = frame.select(pl.int_range(pl.len()).repeat_by(pl.col(weights.column)).explode().drop_nulls())
    return frame.drop(weights.column)[rows.to_series()]
