"""Turn text columns that hold numbers or booleans into real numbers and booleans.

Handles currency symbols, percent signs, thousands separators (`1,234.5`,
`1.234,5`, `1 234,5`), decimal commas and accounting negatives `(12.50)`.
Which of comma or dot is the decimal mark is decided per column from its
values; a tie (e.g. only `1,234`) follows the file-level hint.
"""

from __future__ import annotations

import re

import polars as pl

from engine.ingest.table import ColumnNote

_CURRENCY = "$€£¥₹"
_STRIP = r"[\s$€£¥₹%'()\u00a0\u202f]"
_DOT_DECIMAL = r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$"
_COMMA_DECIMAL = r"^[+-]?(\d{1,3}([.]\d{3})+|\d+)(,\d+)?$"
_LEADING_ZERO = re.compile(r"^0\d")
_TRUE = {"true", "yes", "y", "t"}
_FALSE = {"false", "no", "n", "f"}
MIN_SHARE = 0.95  # share of non-empty values that must read as numbers


def try_boolean(s: pl.Series, sample: pl.Series) -> pl.Series | None:
    """The column as booleans when its values are only yes/no words, else None.

    Each distinct sample value is read once, and the first that is not a yes/no
    word settles it: most columns are not booleans.
    """
    values = set()
    for v in sample.unique().to_list():
        word = str(v).strip().lower()
        if word not in _TRUE and word not in _FALSE:
            return None
        values.add(word)
    if not (values & _TRUE and values & _FALSE):
        return None
    low = s.str.strip_chars().str.to_lowercase()
    return (
        pl.select(pl.when(low.is_in(list(_TRUE))).then(True).when(low.is_in(list(_FALSE))).then(False))
        .to_series()
        .alias(s.name)
    )


def try_numeric(
    s: pl.Series, sample: pl.Series, decimal_comma_hint: bool, note: ColumnNote
) -> pl.Series | None:
    """The column as numbers when nearly all its values read as numbers, else None."""
    raw = sample.str.strip_chars()
    if raw.len() == 0 or raw.str.contains(r"\d").mean() < MIN_SHARE:  # type: ignore[operator]
        return None
    clean = _clean(raw)
    dot_hits = int(clean.str.contains(_DOT_DECIMAL).sum())
    comma_hits = int(clean.str.contains(_COMMA_DECIMAL).sum())
    comma = comma_hits > dot_hits or (comma_hits == dot_hits and decimal_comma_hint)
    if max(dot_hits, comma_hits) < MIN_SHARE * raw.len():
        return None
    if any(_LEADING_ZERO.match(v) for v in clean.to_list() if "." not in v and "," not in v):
        return None  # codes like zip "02134" keep their leading zeros as text
    out = _convert(s.str.strip_chars(), comma)
    nonempty = int((s.str.strip_chars().str.len_chars() > 0).sum())
    note.parsed_as = "number"
    note.unparsed = nonempty - int(out.is_not_null().sum())
    if raw.str.contains("%").mean() >= 0.5:  # type: ignore[operator]
        note.unit = "percent"
    symbols = [c for c in _CURRENCY if raw.str.contains(re.escape(c)).any()]
    if symbols:
        note.unit, note.symbol = "currency", symbols[0]
    whole = out.drop_nulls()
    integral = bool(whole.len()) and bool((whole == whole.round(0)).all())
    if integral and not clean.str.contains(r"[.,]\d{1,2}$").any() and whole.abs().max() < 2**53:  # type: ignore[operator]
        return out.cast(pl.Int64)
    return out


def _clean(values: pl.Series) -> pl.Series:
    return values.str.replace_all(_STRIP, "")


def _convert(values: pl.Series, comma_decimal: bool) -> pl.Series:
    negative = values.str.contains(r"^\(.*\)$") | values.str.contains(r"^-")
    clean = _clean(values).str.strip_chars_start("+-")
    if comma_decimal:
        ok = clean.str.contains(_COMMA_DECIMAL)
        num = clean.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        ok = clean.str.contains(_DOT_DECIMAL)
        num = clean.str.replace_all(",", "", literal=True)
    parsed = num.cast(pl.Float64, strict=False)
    return (
        pl.select(pl.when(ok).then(pl.when(negative).then(-parsed).otherwise(parsed)))
        .to_series()
        .alias(values.name)
    )
