"""Human formatting of numbers, shares and dates for insight sentences."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from typing import Any

import numpy as np


def fmt_num(value: float | int | None, unit: str | None = None, symbol: str | None = None) -> str:
    """`1234567.8` → `1.23M`, `1234.5` → `1,234.5`, with a currency symbol or % when known."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    x = float(value)
    a = abs(x)
    if a >= 1e9:
        text = f"{x / 1e9:.2f}B"
    elif a >= 1e6:
        text = f"{x / 1e6:.2f}M"
    elif a >= 1e4:
        text = f"{x:,.0f}"
    elif a >= 100:
        text = f"{x:,.1f}".rstrip("0").rstrip(".")
    elif a >= 1 or a == 0:
        text = f"{x:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:.3g}"
    if unit == "currency" and symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    if unit == "percent":
        return f"{text}%"
    return text


def fmt_pct(share: float | None, signed: bool = False) -> str:
    """`0.4812` → `48.1%` (with a sign when `signed`)."""
    if share is None or not math.isfinite(share):
        return "n/a"
    value = share * 100
    text = f"{value:.0f}%" if abs(value) >= 10 else f"{value:.1f}%"
    return f"+{text}" if signed and value > 0 else text


def ratio_scale(values: np.ndarray, base: float, interval: bool = False) -> bool:
    """Whether a change against `base` reads as a percentage: not on a scale with an arbitrary zero
    (degrees), not for values on both sides of zero (returns, a log, an inflation change), not
    against a base on the other side of zero from the values."""
    if interval or base == 0 or values.size == 0:
        return False
    lo, hi = float(values.min()), float(values.max())
    return not (lo < 0 < hi) and (base > 0) == (hi > 0)


def fmt_change(new: float, base: float, as_ratio: bool) -> str:
    """`new` against `base`: "+48%" on a ratio scale, else the signed difference ("+11.5")."""
    if as_ratio:
        if base > 0 and new / base >= 10:  # "+3635%" reads worse than 37×
            return f"{new / base:,.0f}×"
        return fmt_pct((new - base) / abs(base), signed=True)
    diff = new - base
    return f"+{fmt_num(diff)}" if diff > 0 else fmt_num(diff)


def fmt_p(p: float | None) -> str:
    """A p-value as text: `p<0.001`, `p=0.012`."""
    if p is None:
        return "descriptive"
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def fmt_date(value: Any) -> str:
    """A date or datetime as ISO text (date only when the time is midnight)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def indefinite(word: str) -> str:
    """The word with "a" or "an" before it, by its first letter (an approved date, a closed one)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def upper_first(text: str) -> str:
    """The text with its first letter in upper case and the rest as written: a sentence starting
    with a column name keeps the name's own capitals ("MPG.city", "NABOVE"), which str.capitalize loses."""
    return text[:1].upper() + text[1:]


def label(name: str) -> str:
    """A column name for prose: `unit_price` → `unit price`."""
    return name.replace("_", " ").strip()


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


# values that say nothing without their column: "Other holds 77% of rows" (other what?)
_BARE = frozenset({"true", "false", "yes", "no", "other", "others", "unknown", "none", "n/a", "misc", "all"})


def category(dimension: str, value: str) -> str:
    """A category for prose: a bare number, flag or one-letter code says nothing without its column
    ("hour 18", "engines 2", "driveway = yes", "drv = f"), and a month number is the month's name ("July")."""
    short = len(value.strip()) == 1 or (len(value) == 2 and value.islower())  # "r", "lc": codes
    if value.lower() in _BARE or (short and value.isalpha()):
        return f"{label(dimension)} = {value}"  # "True holds 86% of rows", "R holds 72%" say nothing
    if not _NUMBER.fullmatch(value):
        return value
    value = value.split(".")[0] if "." in value and not value.split(".")[1].strip("0") else value  # 3.0 → 3
    if (
        dimension.lower() in ("month", "mon", "month_num", "month_number")
        and value.isdigit()
        and 1 <= int(value) <= 12
    ):
        return calendar.month_name[int(value)]
    return f"{label(dimension)} {value}"
