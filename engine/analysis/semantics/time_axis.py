"""The time axis and its true grain.

Candidates are date/datetime columns, integer year columns (1800–2100, named
like a year; with a quarter or month column beside them, the two together),
and text periods that ingestion read as the first day of a month or quarter.
The grain is what the data really has: dates that all fall on 1 January are
yearly data, on the 1st of a month monthly data, on one weekday weekly data.
Analysis never goes finer than this grain.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from engine.analysis.profile import ColumnProfile
from engine.analysis.semantics.model import TIME, Grain, TimeAxis

YEAR_MIN, YEAR_MAX = 1700, 2100  # a column named like a year holding these is the time axis
HISTORY_YEAR_MIN = 1000  # earlier years too, when the column is called "year" and rows follow them
_YEAR_NAME = re.compile(
    r"(^|[_\s.-])(year|yr|yyyy|jahr|annee|año|ano|fiscal_?year|fy)s?($|[_\s.-])|^year|^[a-z]{1,2}year$", re.I
)
_QUARTER_NAME = re.compile(r"^(quarter|qtr|q)$|[_\s.-](quarter|qtr)$", re.I)
_DAY_NAME = re.compile(r"^(day|dd|dy|dom|day[ _]?of[ _]?month)$", re.I)
_MONTH_NAME = re.compile(r"^(month|mon|mo|mm)$|[_\s.-]month$", re.I)
_NOT_TIME = re.compile(r"birth|dob|born|expir|due|deadline|updated|modified|last_?seen|built|founded", re.I)
_EVENT_TIME = re.compile(
    r"date|time|opened|created|start|submitted|order|placed|timestamp|day|period|when", re.I
)
_END_TIME = re.compile(r"closed|resolved|end|finish|ship|deliver|processed|completed|leave|termin", re.I)
_MONTH_WORDS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def year_like(df: pl.DataFrame, p: ColumnProfile) -> bool:
    """An integral numeric column whose values are all years, named like a year (or "time")."""
    if p.semantic not in ("integer", "numeric") or not (
        _YEAR_NAME.search(p.name) or _TIME_WORD.match(p.name)
    ):
        return False
    lo, hi = p.stats.get("min"), p.stats.get("max")
    if lo is None or hi is None or hi > YEAR_MAX or lo < HISTORY_YEAR_MIN:
        return False
    s = df[p.name].drop_nulls()
    # Arbuthnot's christenings, 1629..1710: earlier years only in a column called "year", in order
    if lo < YEAR_MIN and not (_TIME_WORD.match(p.name) and bool((s.diff().drop_nulls() > 0).all())):
        return False
    return p.semantic == "integer" or bool((s.cast(pl.Float64) % 1 == 0).all())


def find_time_axis(
    df: pl.DataFrame, profiles: list[ColumnProfile], prefer: str | None = None
) -> tuple[TimeAxis | None, pl.Expr | None]:
    """The time axis and an expression for the working frame's time column (`TIME`), or (None, None).

    `prefer` names a column to take when it is a candidate (the start of a duration pair).
    """
    by_name = {p.name: p for p in profiles}
    dates = [
        p for p in profiles if p.semantic == "datetime" and p.distinct >= 3 and not _NOT_TIME.search(p.name)
    ]
    if prefer and prefer in by_name and by_name[prefer] in dates:
        return _from_dates(df, by_name[prefer])
    if dates:
        return _from_dates(df, max(dates, key=lambda p: _date_rank(p, df.height)))
    years = [p for p in profiles if year_like(df, p) and p.distinct >= 3 and not _NOT_TIME.search(p.name)]
    decimal = [p for p in profiles if _decimal_years(df, p)]
    if decimal and not years:
        return _from_decimal_years(df, decimal[0])
    if years:
        year = max(years, key=lambda p: (bool(re.fullmatch(r"(?i)year", p.name)), p.distinct))
        return _from_year(df, profiles, year)
    short = [p for p in profiles if _two_digit_years(p)]
    if short:
        return _from_year(df, profiles, short[0], _century(short[0]))
    return None, None


_SHORT_YEAR = re.compile(r"^(year|yr|yy)$", re.I)


def _two_digit_years(p: ColumnProfile) -> bool:
    """A column called year/yr/yy holding whole numbers 0..99 (Cigar's year 63..92): years of a century."""
    if p.semantic != "integer" or not _SHORT_YEAR.match(p.name) or p.distinct < 3:
        return False
    lo, hi = p.stats.get("min"), p.stats.get("max")
    return lo is not None and hi is not None and lo >= 0 and hi <= 99


def _century(p: ColumnProfile) -> pl.Expr:
    """The four-digit years: 20yy unless that puts a year in the future, then 19yy; a span that
    wraps (97, 98, 99, 0, 1) is 1950..2049."""
    lo, hi = int(p.stats["min"]), int(p.stats["max"])
    v = pl.col(p.name).cast(pl.Int32)
    if lo < 30 and hi >= 70:
        return pl.when(v >= 50).then(v + 1900).otherwise(v + 2000)
    return v + (2000 if 2000 + hi <= dt.date.today().year else 1900)


_TIME_WORD = re.compile(r"^(time|date|year|t|period|yr)$", re.I)


def _decimal_years(df: pl.DataFrame, p: ColumnProfile) -> bool:
    """A numeric column named time/date/year holding years as decimals (R's time series: 1991.496)."""
    if p.semantic not in ("numeric", "integer") or not _TIME_WORD.match(p.name) or p.distinct < 3:
        return False
    lo, hi = p.stats.get("min"), p.stats.get("max")
    if lo is None or hi is None or lo < YEAR_MIN or hi > YEAR_MAX:
        return False
    v = df[p.name].drop_nulls().cast(pl.Float64)
    return bool((v.diff().drop_nulls() >= 0).mean() >= 0.99)  # type: ignore[operator]


def _from_decimal_years(df: pl.DataFrame, p: ColumnProfile) -> tuple[TimeAxis, pl.Expr]:
    """Decimal years to dates, at the grain their spacing shows (1, 4, 12, 52 or ~250–366 a year)."""
    v = df[p.name].drop_nulls().cast(pl.Float64).unique().sort()
    step = float(v.diff().drop_nulls().median() or 1.0)  # type: ignore[arg-type]
    per_year = 1.0 / step if step > 0 else 1.0
    col = pl.col(p.name).cast(pl.Float64)
    year = (col + 1e-6).floor()
    frac = (col - year).clip(0, 0.999999)
    y = year.cast(pl.Int32)
    grain: Grain
    if per_year < 1.5:
        grain, expr = "year", pl.date(y, 1, 1)
    elif per_year < 6:
        grain, expr = "quarter", pl.date(y, (frac * 4 + 1e-6).floor().cast(pl.Int32) * 3 + 1, 1)
    elif per_year < 20:
        grain, expr = "month", pl.date(y, (frac * 12 + 1e-6).floor().cast(pl.Int32) + 1, 1)
    else:
        days = (frac * 365.25).floor().cast(pl.Int64)
        grain = "week" if per_year < 100 else "day"
        expr = pl.date(y, 1, 1) + pl.duration(days=days)
    return TimeAxis(p.name, grain, "decimal_year", [p.name]), expr.alias(TIME)


def _date_rank(p: ColumnProfile, rows: int) -> tuple[int, int, float]:
    """Event-like names first (opened, created, date), end-like names last, then completeness."""
    named = 1 if _EVENT_TIME.search(p.name) and not _END_TIME.search(p.name) else 0
    ended = 0 if _END_TIME.search(p.name) else 1
    return (named, ended, (rows - p.missing) + p.distinct / max(rows, 1))


def _from_dates(df: pl.DataFrame, p: ColumnProfile) -> tuple[TimeAxis, pl.Expr]:
    col = pl.col(p.name)
    period = p.parsing.get("period")
    if period in ("month", "quarter"):
        grain: Grain = period
        source = "year_month_text" if period == "month" else "year_quarter"
        return TimeAxis(p.name, grain, source, [p.name]), col.cast(pl.Date).alias(TIME)
    grain, source = native_grain(df[p.name])
    expr = col if grain == "hour" else col.cast(pl.Date)
    return TimeAxis(p.name, grain, source, [p.name]), expr.alias(TIME)


GRAIN_PROBE = 2000  # every k-th value, read first: a time of day or daily dates there settle the grain


def native_grain(s: pl.Series) -> tuple[Grain, str]:
    """The finest grain the values of a date/datetime column really have."""
    v = s.drop_nulls()
    if v.len() == 0:
        return "day", "datetime"
    probe = v.gather_every(v.len() // GRAIN_PROBE) if v.len() > 2 * GRAIN_PROBE else v
    if _timed(probe) or (probe is not v and _timed(v)):
        return "hour", "datetime"
    if _daily(probe):  # true of some values, so of the column: no coarser grain fits it
        return "day", "datetime"
    return _coarse(v)


def _timed(v: pl.Series) -> bool:
    """Some value has a time of day."""
    return v.dtype != pl.Date and bool((v.dt.truncate("1d") != v).any())


def _daily(v: pl.Series) -> bool:
    """The dates fall on other days than the 1st, and on more than one weekday."""
    d = v.cast(pl.Date)
    return bool((d.dt.day() != 1).any()) and d.dt.weekday().n_unique() > 1


def _coarse(v: pl.Series) -> tuple[Grain, str]:
    """Yearly, quarterly or monthly dates (all on the 1st), weekly ones (all on one weekday), or days."""
    d = v.cast(pl.Date).unique()
    if d.len() >= 2 and bool((d.dt.day() == 1).all()):
        months = d.dt.month()
        if bool((months == 1).all()):
            return "year", "first_of_year"
        if bool(months.is_in([1, 4, 7, 10]).all()) and _spacing_months(d) % 3 == 0:
            return "quarter", "first_of_quarter"
        return "month", "first_of_month"
    if d.len() >= 3 and d.dt.weekday().n_unique() == 1:
        return "week", "datetime"
    return "day", "datetime"


def _spacing_months(d: pl.Series) -> int:
    """The smallest gap between consecutive distinct months, in months."""
    ordinal = (d.dt.year().cast(pl.Int64) * 12 + d.dt.month().cast(pl.Int64)).sort()
    gaps = ordinal.diff().drop_nulls()
    gaps = gaps.filter(gaps > 0)
    return int(gaps.min()) if gaps.len() else 0  # type: ignore[arg-type]


def _from_year(
    df: pl.DataFrame, profiles: list[ColumnProfile], year: ColumnProfile, years: pl.Expr | None = None
) -> tuple[TimeAxis, pl.Expr]:
    """Yearly data, or quarterly/monthly when a quarter or month column goes with the year;
    `years` maps the column to four-digit years when it holds two."""
    y = years if years is not None else pl.col(year.name).cast(pl.Int32)
    for p in profiles:
        if p.name == year.name:
            continue
        if _QUARTER_NAME.search(p.name) and _within(df, p.name, 1, 4):
            month = (pl.col(p.name).cast(pl.Int32) - 1) * 3 + 1
            expr = pl.date(y, month, 1)
            return TimeAxis(year.name, "quarter", "year_quarter", [year.name, p.name]), expr.alias(TIME)
        if _MONTH_NAME.search(p.name):
            named = _month_number(df, p.name)
            if named is not None:
                day = next(
                    (q.name for q in profiles if _DAY_NAME.match(q.name) and _within(df, q.name, 1, 31)), None
                )
                if day is not None:  # Year, Month, Day: a daily record (invalid days read as missing)
                    parts = [y, named, pl.col(day).cast(pl.Int32)]
                    text = pl.concat_str([e.cast(pl.String).str.zfill(2) for e in parts], separator="-")
                    axis = TimeAxis(year.name, "day", "year_month_day", [year.name, p.name, day])
                    return axis, text.str.to_date("%Y-%m-%d", strict=False).alias(TIME)
                expr = pl.date(y, named, 1)
                return TimeAxis(year.name, "month", "year_month", [year.name, p.name]), expr.alias(TIME)
    return TimeAxis(year.name, "year", "year_integer", [year.name]), pl.date(y, 1, 1).alias(TIME)


def _within(df: pl.DataFrame, name: str, lo: int, hi: int) -> bool:
    s = df[name]
    if not s.dtype.is_numeric():
        return False
    v = s.drop_nulls()
    return v.len() > 0 and bool(((v >= lo) & (v <= hi) & (v.cast(pl.Float64) % 1 == 0)).all())


def _month_number(df: pl.DataFrame, name: str) -> pl.Expr | None:
    """An expression for the month number of a month column (1–12 or month names), or None."""
    if _within(df, name, 1, 12):
        return pl.col(name).cast(pl.Int32)
    s = df[name]
    if s.dtype == pl.String:
        short = s.drop_nulls().str.strip_chars().str.to_lowercase().str.slice(0, 3)
        if short.len() and bool(short.is_in(_MONTH_WORDS).all()):
            mapping = {w: i for i, w in enumerate(_MONTH_WORDS, start=1)}
            return (
                pl.col(name)
                .str.strip_chars()
                .str.to_lowercase()
                .str.slice(0, 3)
                .replace_strict(mapping, default=None, return_dtype=pl.Int32)
            )
    return None
