"""Read text columns that name a month or a quarter ("2024-03", "Mar 2024", "2024-Q1") as dates.

Each value becomes the first day of its period, and the column's note records
the period, so the analysis knows the data is monthly (or quarterly) and never
reads it at a finer grain.
"""

from __future__ import annotations

import polars as pl

from engine.ingest.table import ColumnNote

MIN_SHARE = 0.9  # share of non-empty values that must name a period
MAX_PERIOD_CHARS = 16  # the longest form: a month's full name, a comma, a year
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
)}  # fmt: skip
_YEAR = r"(18|19|20|21)\d{2}"
_YEAR_MONTH = r"^(?P<y>(18|19|20|21)\d{2})\s*[-/.M]\s*(?P<m>0?[1-9]|1[0-2])$"
_MONTH_YEAR = r"^(?P<m>0?[1-9]|1[0-2])\s*[-/.]\s*(?P<y>(18|19|20|21)\d{2})$"
_NAMED = r"^(?P<n>[A-Za-z]{3,9})\.?[\s,-]*(?P<y>(18|19|20|21)\d{2})$"
_NAMED_REV = r"^(?P<y>(18|19|20|21)\d{2})[\s,-]*(?P<n>[A-Za-z]{3,9})\.?$"
_QUARTER = r"^(?P<y>(18|19|20|21)\d{2})\s*[-/ ]?\s*[Qq](?P<q>[1-4])$"
_QUARTER_REV = r"^[Qq](?P<q>[1-4])\s*[-/ ]?\s*(?P<y>(18|19|20|21)\d{2})$"


def try_periods(s: pl.Series, sample: pl.Series, note: ColumnNote) -> pl.Series | None:
    """The column as Date (first day of each month or quarter), or None if it does not name periods."""
    raw = sample.str.strip_chars()
    n = raw.len()
    # every form is short ("September 2024" the longest) and names a year: values longer than that,
    # or without a year in nearly every one, match no form (one pass or two, not six)
    if n == 0 or int((raw.str.len_chars() <= MAX_PERIOD_CHARS).sum()) < MIN_SHARE * n:
        return None
    if int(raw.str.contains(_YEAR).sum()) < MIN_SHARE * n:
        return None
    for period, patterns in (("quarter", (_QUARTER, _QUARTER_REV)), ("month", (_YEAR_MONTH, _MONTH_YEAR))):
        if int(pl.select(pl.any_horizontal([raw.str.contains(p) for p in patterns])).to_series().sum()) >= (
            MIN_SHARE * n
        ):
            return _finish(s, _numeric(s.str.strip_chars(), patterns, period), note, period)
    named = raw.str.contains(_NAMED) | raw.str.contains(_NAMED_REV)
    if int(named.sum()) >= MIN_SHARE * n and _month_names(raw):
        return _finish(s, _named(s.str.strip_chars()), note, "month")
    return None


def _numeric(values: pl.Series, patterns: tuple[str, str], period: str) -> pl.Series:
    key = "q" if period == "quarter" else "m"
    parts = []
    for p in patterns:
        g = values.str.extract_groups(p)
        year = g.struct.field("y").cast(pl.Int32, strict=False)
        sub = g.struct.field(key).cast(pl.Int32, strict=False)
        month = (sub - 1) * 3 + 1 if period == "quarter" else sub
        parts.append(pl.DataFrame({"y": year, "m": month}).select(pl.date("y", "m", 1)).to_series())
    return pl.select(pl.coalesce(parts)).to_series()


def _named(values: pl.Series) -> pl.Series:
    parts = []
    for p in (_NAMED, _NAMED_REV):
        g = values.str.extract_groups(p)
        year = g.struct.field("y").cast(pl.Int32, strict=False)
        month = (
            g.struct.field("n")
            .str.to_lowercase()
            .str.slice(0, 3)
            .replace_strict(_MONTHS, default=None, return_dtype=pl.Int32)
        )
        parts.append(pl.DataFrame({"y": year, "m": month}).select(pl.date("y", "m", 1)).to_series())
    return pl.select(pl.coalesce(parts)).to_series()


def _month_names(raw: pl.Series) -> bool:
    """Whether the words in the values are month names (not "Week 2024" or "Team 2021")."""
    words = pl.concat(
        [raw.str.extract(_NAMED, 1), raw.str.extract(_NAMED_REV, 3)]
    ).drop_nulls().str.to_lowercase().str.slice(0, 3)  # fmt: skip
    return words.len() > 0 and bool(words.is_in(list(_MONTHS)).mean() >= MIN_SHARE)  # type: ignore[operator]


def _finish(s: pl.Series, parsed: pl.Series, note: ColumnNote, period: str) -> pl.Series | None:
    nonempty = int((s.str.strip_chars().str.len_chars() > 0).sum())
    ok = int(parsed.is_not_null().sum())
    if nonempty == 0 or ok < MIN_SHARE * nonempty:
        return None
    note.parsed_as = "date"
    note.period = period
    note.unparsed = nonempty - ok
    note.date_formats = ["year-quarter" if period == "quarter" else "year-month"]
    return parsed.alias(s.name)
