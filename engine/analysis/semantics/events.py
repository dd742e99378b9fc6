"""What one row is ("incidents", "claims"), from the file name or the id column, and the row count.

Every table gets the row count as a measure: in an event table (tickets,
orders, claims, flights) it is the measure analysts count per category, per
person and per period.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from engine.analysis.semantics.model import Measure
from engine.analysis.semantics.vocabulary import CODES, RECORD_NOUNS, vocab, words

_GENERIC = frozenset(
    [
        "data",
        "dataset",
        "datasets",
        "export",
        "exports",
        "file",
        "files",
        "upload",
        "uploads",
        "table",
        "tables",
        "sheet",
        "report",
        "reports",
        "download",
        "output",
        "result",
        "results",
        "sample",
        "samples",
        "test",
        "tmp",
        "temp",
        "untitled",
        "book",
        "copy",
        "final",
        "new",
        "old",
        "raw",
        "clean",
        "cleaned",
        "all",
        "full",
        "list",
        "long",
        "wide",
        "panel",
        "tidy",
        "csv",
        "tsv",
        "xlsx",
        "json",
        "jsonl",
        "parquet",
        "dump",
        "extract",
        "latest",
        "of",
        "the",
        "and",
        "for",
        "by",
        "in",
        "from",
        "to",
        "a",
        "an",
        "v",
        "x",
    ]
)
_MONTHS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "q1",
        "q2",
        "q3",
        "q4",
    ]
)


def row_meaning(
    file_name: str | None, columns: list[str], measures: Iterable[str] = (), keys: Iterable[str] | None = None
) -> str:
    """The plural noun for one row, e.g. "incidents" from incidents_2024.csv or incident_id.

    A file name is a noun for its rows when it is already plural ("tickets"), names
    a thing rows are commonly of ("employee"), or matches an id column ("claim" and
    claim_id); otherwise it names the whole ("weather", "midwest") and rows are rows.
    A file named after one of its own `measures` (salaries.csv and its `salary`) names
    that measure's values, not its rows: "Male holds 90% of salaries" would read as money.
    So does a file named after an amount of money (wages.csv, prices.csv), whatever its
    columns: rows of it are records of wages, and "81% of wages" would read as money too.
    A file named after any column's exact name (affairs.csv and its `affairs`, a count per
    person) names that column too. A code it is named after (flights.csv and its flight
    number) still names the rows. Neither does a file whose noun a column counts (affairs.csv
    and its `naffairs`); a qualifier a column tells apart (`leg_black` in black_politicians.csv)
    is dropped from the noun, as not every row has it.
    """
    id_nouns = [  # from columns with a value per row when they are known: SexCode codes no sexes
        ws[-2]
        for ws in map(words, columns if keys is None else list(keys))
        if len(ws) >= 2 and ws[-1] in _ID_WORDS and _telling(ws[-2])
    ]
    values = {plural(ws[0]) for ws in map(words, measures) if len(ws) == 1}
    values |= {c.lower() for c in columns}  # Affairs.csv and its `affairs` column: its values, not the rows
    if file_name:
        kept = [w for w in words(PurePath(file_name).stem) if _telling(w)]
        named = bool(kept) and (_looks_plural(kept[-1]) or kept[-1] in RECORD_NOUNS or kept[-1] in id_nouns)
        noun = plural(kept[-1]) if kept else ""
        counted = any(  # naffairs, num_claims: a count of the noun per row, so rows are not the noun
            len(w) > len(noun) and w.endswith(noun) and len(w) - len(noun) <= 3
            for c in columns
            for w in words(c)
        )
        if named and noun not in values and kept[-1] not in _AMOUNTS and not counted:
            column_words = {w for c in columns for w in words(c)}
            # black_politicians beside leg_black: a column says which rows are "black", so not all are
            qualifiers = [] if column_words & set(kept[-3:-1]) else kept[-3:-1]
            return " ".join([*qualifiers, noun])
    return plural(id_nouns[0]) if id_nouns else "rows"


_ID_WORDS = CODES | {"number", "num", "nr", "no"}  # ticket_number, claim_no: one per row
# Amounts, not things: a share "of wages" or "of prices" reads as a share of the money.
_AMOUNTS = vocab(
    "wage wages salary salaries income incomes earnings pay revenue revenues price prices cost costs "
    "spending expenditure expenditures profit profits turnover budget budgets rent rents"
)


def _looks_plural(word: str) -> bool:
    """claims, employees; not status, analysis, economics, nor an acronym such as cps or gps."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics"))


def _telling(w: str) -> bool:
    return w not in _GENERIC and w not in _MONTHS and not w.isdigit() and len(w) > 1


def plural(word: str) -> str:
    """incident → incidents, category → categories, claims stays claims."""
    if word.endswith("s"):
        return word
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("ch", "sh", "x")):
        return word + "es"
    return word + "s"


def count_measure(meaning: str, name: str | None = None) -> Measure:
    """The row count, named after what a row is."""
    return Measure(
        name or meaning,
        "count",
        f"number of {meaning}",
        derived=True,
        definition="number of rows",
        definition_noun=meaning,
    )
