"""Read text columns holding dates, in mixed formats, as dates.

Formats are recognised per value family (ISO, numeric day/month, month names);
each column may mix them. For numeric `a/b/yyyy` dates the order is settled
per column from the whole column: a first part above 12 can only be a day, a
second part above 12 only a day as well. When no value decides, the file-level
hint (European number style) or month-first is assumed and reported.
"""

from __future__ import annotations

import polars as pl

from engine.ingest.table import ColumnNote, Issue

MIN_SHARE = 0.9  # share of non-empty values that must look like dates
MIDNIGHT_PROBE = 1000  # values read first when telling timestamps from dates at midnight

_TIME = r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
_ISO = rf"^\d{{4}}-\d{{1,2}}-\d{{1,2}}{_TIME}$"
_ISO_SLASH = rf"^\d{{4}}/\d{{1,2}}/\d{{1,2}}{_TIME}$"
_NUMERIC = r"^\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})( \d{1,2}:\d{2}(:\d{2})?)?$"
_NAMED = r"^(\d{1,2}[ -][A-Za-z]{3,9}\.?[ -]\d{4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})$"

_ISO_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%z",  # with a UTC offset: converted to UTC
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M%z",
]
_NAMED_FORMATS = ["%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y"]


def try_dates(
    s: pl.Series, sample: pl.Series, day_first_hint: bool, note: ColumnNote, issues: list[Issue]
) -> pl.Series | None:
    """The column as Date (or Datetime when times are present), or None if it is not dates."""
    raw = sample.str.strip_chars()
    n = raw.len()
    if n == 0 or int(raw.str.contains(r"\d").sum()) < MIN_SHARE * n:
        return None
    iso = raw.str.contains(_ISO) | raw.str.contains(_ISO_SLASH)
    numeric = raw.str.contains(_NUMERIC)
    named = raw.str.contains(_NAMED)
    if int((iso | numeric | named).sum()) < MIN_SHARE * n:
        return None
    # the clean case (no padding, no trailing Z in the sample) skips two passes over every value
    padded = bool((sample.str.len_chars() != raw.str.len_chars()).any())
    zulu = bool(raw.str.ends_with("Z").any())
    full = s.str.strip_chars() if padded else s
    full = full.str.replace(r"Z$", "") if zulu else full
    found: list[Issue] = []  # reported only if the column turns out to be dates
    formats: list[str] = []
    if iso.any():
        formats += [*_ISO_FORMATS, "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"]
    if named.any():
        formats += _NAMED_FORMATS
    if numeric.any():
        day_first = _settle_order(full, s.name, day_first_hint, found)
        note.day_first = day_first
        formats += _numeric_formats(raw.filter(numeric), day_first)
    repeats = raw.n_unique() < 0.5 * n  # dates repeat, timestamps do not: cache the former only
    parsed = _parse_any(full, _covering(raw.str.replace(r"Z$", ""), formats), cache=repeats)
    ok = parsed.len() - parsed.null_count()
    # every value present was read: no pass needed to count the empty ones
    nonempty = ok if ok == full.len() - full.null_count() else int((full.str.len_chars() > 0).sum())
    if ok < MIN_SHARE * nonempty:
        return None
    issues.extend(found)
    note.parsed_as = "datetime"
    note.unparsed = nonempty - ok
    note.date_formats = _families(bool(iso.any()), bool(numeric.any()), bool(named.any()), note.day_first)
    if len(note.date_formats) > 1:
        issues.append(
            Issue(
                "mixed_date_formats",
                f"Column '{s.name}' mixes date formats "
                f"({', '.join(note.date_formats)}); all were read as dates.",
                column=s.name,
            )
        )
    if not _timed(parsed):
        note.parsed_as = "date"
        return parsed.cast(pl.Date)
    return parsed


def _timed(parsed: pl.Series) -> bool:
    """Whether some value has a time of day; a time in every k-th value settles it without reading all."""
    if parsed.len() > 2 * MIDNIGHT_PROBE and _off_midnight(
        parsed.gather_every(parsed.len() // MIDNIGHT_PROBE)
    ):
        return True
    return _off_midnight(parsed)


def _off_midnight(values: pl.Series) -> bool:
    return bool((values.to_physical() % 86_400_000_000 != 0).any())  # microseconds


def _covering(sample: pl.Series, formats: list[str]) -> list[str]:
    """The formats, in order, that each read some sample value no earlier format read."""
    chosen: list[str] = []
    unread = sample
    for f in formats:
        parsed = _parse(unread, f)
        if parsed.is_not_null().any():
            chosen.append(f)
            unread = unread.filter(parsed.is_null())
            if unread.len() == 0:
                break
    return chosen or formats[:1]


def _parse(values: pl.Series, fmt: str, cache: bool = True) -> pl.Series:
    """Values read with one format as naive datetimes (UTC when the text carries an offset).

    `cache` pays off when values repeat (dates); timestamps are nearly all distinct.
    """
    # as a query, not a Series method: the query parses the column's chunks in parallel (half the time)
    parsed = (
        values.to_frame("v")
        .select(pl.col("v").str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True, cache=cache))
        .to_series()
        .alias(values.name)
    )
    dtype = parsed.dtype
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        parsed = parsed.dt.replace_time_zone(None)
    return parsed


def _parse_any(values: pl.Series, formats: list[str], cache: bool = True) -> pl.Series:
    attempts = [_parse(values, f, cache) for f in formats]
    if len(attempts) == 1:
        return attempts[0]
    return pl.select(pl.coalesce(attempts)).to_series().alias(values.name)


def _numeric_formats(values: pl.Series, day_first: bool) -> list[str]:
    seps = {sep for sep in "/.-" if values.str.contains(sep, literal=True).any()}
    order = ("%d", "%m") if day_first else ("%m", "%d")
    out = []
    for sep in sorted(seps):
        for year in ("%Y", "%y"):
            base = f"{order[0]}{sep}{order[1]}{sep}{year}"
            out += [base, f"{base} %H:%M", f"{base} %H:%M:%S"]
    return out


def _settle_order(values: pl.Series, name: str, hint: bool, issues: list[Issue]) -> bool:
    """Whether a/b/yyyy means day/month, decided from the whole column and reported."""
    parts = values.str.extract_groups(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}")
    first = parts.struct.field("1").cast(pl.Int32, strict=False)
    second = parts.struct.field("2").cast(pl.Int32, strict=False)
    first_big = int((first > 12).sum())
    second_big = int((second > 12).sum())
    if first_big and not second_big:
        msg = f"{first_big} value(s) have a first part above 12, so they are read as day/month."
        issues.append(Issue("date_order_inferred", f"Column '{name}': {msg}", column=name))
        return True
    if second_big and not first_big:
        msg = f"{second_big} value(s) have a second part above 12, so they are read as month/day."
        issues.append(Issue("date_order_inferred", f"Column '{name}': {msg}", column=name))
        return False
    if first_big and second_big:
        day_first = first_big > second_big
        issues.append(
            Issue(
                "date_order_conflict",
                f"Column '{name}' has dates that only fit day/month "
                f"({first_big}) and others that only fit month/day ({second_big}); "
                f"read as {'day/month' if day_first else 'month/day'}, the minority is left missing.",
                severity="warning",
                column=name,
            )
        )
        return day_first
    order = "day/month" if hint else "month/day"
    issues.append(
        Issue(
            "date_order_ambiguous",
            f"Column '{name}': no date decides between day/month and "
            f"month/day (all parts are 12 or less); assumed {order}.",
            severity="warning",
            column=name,
        )
    )
    return hint


def _families(iso: bool, numeric: bool, named: bool, day_first: bool | None) -> list[str]:
    out = []
    if iso:
        out.append("ISO (YYYY-MM-DD)")
    if numeric:
        out.append("DD/MM/YYYY" if day_first else "MM/DD/YYYY")
    if named:
        out.append("month name")
    return out
