"""Delimiter sniffing for delimited text, quote-aware.

Each candidate delimiter is tried with the csv module on the first records; the
one giving the most consistent field count (above one field) wins. Quoted
fields holding delimiters or newlines therefore do not mislead it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from itertools import islice

CANDIDATES = (",", ";", "\t", "|")
_SAMPLE_RECORDS = 200


def sniff_delimiter(sample: str, preferred: str | None = None) -> str:
    """The delimiter of the text table starting with `sample` (',' when nothing fits)."""
    sample = _cut_at_last_newline(sample)
    best: tuple[float, int, int] = (-1.0, 0, 0)
    choice = preferred or ","
    for rank, delim in enumerate(CANDIDATES):
        counts = _field_counts(sample, delim)
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        consistency = freq / len(counts)
        bonus = 1 if delim == preferred else 0
        key = (round(consistency, 2), bonus, mode if consistency > 0.9 else -rank)
        if key > best:
            best, choice = key, delim
    return choice


def header_fields(sample: str, delimiter: str) -> list[str]:
    """The first record of the sample split by `delimiter`."""
    reader = csv.reader(io.StringIO(_cut_at_last_newline(sample)), delimiter=delimiter)
    for row in reader:
        if any(cell.strip() for cell in row):
            return row
    return []


def data_record_count(sample: str, delimiter: str, limit: int = 3) -> int:
    """How many non-blank records follow the header in the sample (up to `limit`)."""
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    rows = [r for r in islice(reader, limit + 1) if any(cell.strip() for cell in r)]
    return max(0, len(rows) - 1)


def _field_counts(sample: str, delim: str) -> list[int]:
    reader = csv.reader(io.StringIO(sample), delimiter=delim, quotechar='"')
    try:
        return [len(row) for row in islice(reader, _SAMPLE_RECORDS) if row]
    except csv.Error:
        return []


def _cut_at_last_newline(sample: str) -> str:
    if len(sample) < 65536:
        return sample
    cut = sample.rfind("\n")
    return sample[: cut + 1] if cut > 0 else sample


def preamble_lines(sample: str, delimiter: str) -> int:
    """Lines of title/notes above the real header (records narrower than the table), else 0."""
    reader = csv.reader(io.StringIO(_cut_at_last_newline(sample)), delimiter=delimiter, quotechar='"')
    counts: list[tuple[int, int]] = []  # (fields, line number where the record starts)
    start = 0
    try:
        for row in islice(reader, _SAMPLE_RECORDS):
            counts.append((len(row) if any(c.strip() for c in row) else 0, start))
            start = reader.line_num
    except csv.Error:
        return 0
    widths = [w for w, _ in counts if w]
    if not widths:
        return 0
    mode = Counter(widths).most_common(1)[0][0]
    if mode < 2:
        return 0
    for width, line in counts:
        if width == mode:
            return line
        if width > mode:
            return 0  # a wider record before the header: not a preamble we understand
    return 0
