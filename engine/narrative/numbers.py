"""Numbers as people write them, and whether two of them are the same figure.

The grounding check compares every number a model writes ("1,234.5", "1.2k",
"12%", "$3.4M", "0.12") with the numbers of the facts it cites. A written
number carries its own precision: "1.2k" claims only the nearest hundred, so
it matches 1,234.5 but not 1,290. Percentages match either representation a
fact may hold (12 or 0.12).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_NUMBER_RE = re.compile(
    r"""
    (?<![\w.])                                   # not glued to a word (Q3, v2) or a decimal
    (?P<sign>[-+\u2212])?
    [$\u20ac\u00a3\u00a5]?                       # currency sign
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?P<suffix>
        \s?%
      | \s(?:percent|per\ cent|thousand|million|billion|trillion)\b
      | (?:k|K|M|mn|bn|B|x|\u00d7)(?![\w])
    )?
    (?![\w])                                     # "3rd", "2nd" are words, not figures
    """,
    re.VERBOSE,
)

_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "trillion": 1e12,
}


@dataclass(frozen=True)
class WrittenNumber:
    """One number found in text: its magnitude and the precision it claims."""

    raw: str
    bare: float  # the digits alone ("1.2k" -> 1.2)
    value: float  # absolute value, scaled ("1.2k" -> 1200.0, "12%" -> 12.0)
    unit: float  # the rounding step the writing implies ("1.2k" -> 100.0)
    percent: bool

    def candidates(self) -> Iterator[tuple[float, float]]:
        """(value, half-step tolerance) pairs a fact may equal to match this number."""
        yield self.value, self.unit / 2
        if self.percent:
            yield self.value / 100, self.unit / 200


def find_numbers(text: str) -> list[WrittenNumber]:
    """Every number written in `text`, in order (signs ignored: direction is said in words)."""
    found: list[WrittenNumber] = []
    for match in _NUMBER_RE.finditer(text):
        digits = match.group("num").replace(",", "")
        suffix = (match.group("suffix") or "").strip().lower()
        percent = suffix in {"%", "percent", "per cent"}
        scale = _SCALES.get(suffix, 1.0)
        decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
        value = float(digits) * scale
        unit = 10.0**-decimals * scale
        if not suffix and decimals == 0 and "," in match.group("num"):
            unit = _rounded_thousands_unit(digits)
        found.append(WrittenNumber(match.group(0).strip(), float(digits), value, unit, percent))
    return found


def _rounded_thousands_unit(digits: str) -> float:
    """A written "1,200" may round 1,234: trailing zeros widen the step, never past 2 significant digits."""
    zeros = len(digits) - len(digits.rstrip("0"))
    return max(1.0, min(10.0**zeros, float(digits) / 10))


def fact_values(value: object) -> set[float]:
    """All numbers a fact holds: numeric fields at any depth and numbers inside its strings."""
    out: set[float] = set()
    _collect(value, out)
    return out


def _collect(value: object, out: set[float]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        if math.isfinite(value):
            out.add(abs(float(value)))
    elif isinstance(value, str):
        for number in find_numbers(value):
            out.add(number.bare)
            out.update(cand for cand, _ in number.candidates())
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(key, out)
            _collect(item, out)
    elif isinstance(value, list | tuple | set):
        for item in value:
            _collect(item, out)


def is_grounded(number: WrittenNumber, values: Iterable[float]) -> bool:
    """True when some fact value rounds to `number` at the precision it was written with."""
    pool = list(values)
    for cand, tol in number.candidates():
        slack = tol + 1e-9 * max(1.0, cand)
        if any(abs(abs(value) - cand) <= slack for value in pool):
            return True
    return False
