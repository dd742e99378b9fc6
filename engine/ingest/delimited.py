"""Read delimited text (CSV, TSV, semicolon, pipe) with polars after sniffing it.

The fast path lets polars infer types from the first rows; when a later value
breaks that guess, the file is re-read as text and every column is typed by
`engine.ingest.refine`, which is slower but never wrong about a column's type.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import polars as pl

from engine.errors import InputError
from engine.ingest.detect import looks_binary
from engine.ingest.encoding import detect_encoding, display_name
from engine.ingest.sniff import data_record_count, header_fields, preamble_lines, sniff_delimiter
from engine.ingest.table import Issue, Table


def read_delimited(path: Path, head: bytes, kind: str, size: int, max_columns: int) -> Table:
    """A delimited text file as a Table (types still raw where text needs refining)."""
    codec = detect_encoding(head)
    if not codec.startswith("utf-16") and looks_binary(head[:8192]):
        raise InputError(
            f"'{path.name}' looks like a binary file, not a text table (it holds NUL/control bytes)."
        )
    sample = head.decode(codec, errors="ignore")
    if not sample.strip():
        raise InputError(f"'{path.name}' is empty (only blank lines): there is no table to analyse.")
    if codec.startswith("utf-16") and looks_binary(sample[:4096].encode("utf-8", "ignore")):
        raise InputError(f"'{path.name}' looks like a binary file, not a text table.")
    # Classic Mac files end lines with a lone CR, which the CSV reader does not split on.
    lone_cr = "\r" in sample and "\n" not in sample
    if lone_cr:
        sample = sample.replace("\r", "\n")
    _refuse_markup(path, sample)
    delimiter = sniff_delimiter(sample, preferred="\t" if kind == "tsv" else None)
    skip = preamble_lines(sample, delimiter)
    if skip:
        sample = "".join(sample.splitlines(keepends=True)[skip:])
    header = header_fields(sample, delimiter)
    if len(header) > max_columns:
        raise InputError(
            f"'{path.name}' has {len(header)} columns; the limit (MAX_COLUMNS) is {max_columns}."
        )
    if data_record_count(sample, delimiter) == 0 and size <= len(head):
        raise InputError(f"'{path.name}' has a header row but no data rows.")
    table = Table(pl.DataFrame(), kind, size, display_name(codec), delimiter)
    source = _utf8_source(path, codec, lone_cr)
    if lone_cr:
        msg = "Lines end with a lone carriage return (classic Mac); they were read as line breaks."
        table.issues.append(Issue("cr_line_endings", msg))
    if skip:
        msg = f"The first {skip} line(s) are a title or notes above the table's header and were skipped."
        table.issues.append(Issue("preamble_skipped", msg, extra={"lines": skip}))
    has_header = not _all_numbers(header)
    if not has_header:
        msg = "The first row holds only numbers, so it was read as data (columns column_1, column_2, ...)."
        table.issues.append(Issue("no_header", msg))
    table.df = _read(source, delimiter, table, sample, skip, has_header, whole=size <= len(head))
    if not has_header:
        table.df.columns = [f"column_{i + 1}" for i in range(table.df.width)]
    _refuse_prose(path, table.df)
    return table


def _utf8_source(path: Path, codec: str, lone_cr: bool) -> str | io.BytesIO:
    """The path itself when polars can read it as is, else the text re-encoded as UTF-8."""
    if codec in ("utf-8", "utf-8-sig") and not lone_cr:
        return str(path)
    text = path.read_bytes().decode(codec, errors="replace")
    return io.BytesIO((text.replace("\r", "\n") if lone_cr else text).encode("utf-8"))


def _read(
    source: str | io.BytesIO,
    delimiter: str,
    table: Table,
    sample: str,
    skip: int,
    has_header: bool,
    whole: bool = False,
) -> pl.DataFrame:
    """The table, typed as far as the CSV reader goes; `whole`: the sample is the entire file."""
    options = {
        "has_header": has_header,
        "separator": delimiter,
        "quote_char": '"',
        "try_parse_dates": False,
        "null_values": [""],  # other missing-value tokens (NA, null, ...) are cleared by `refine`
        "raise_if_empty": True,
    }
    guessed, overrides = _sample_schema(sample, options, guess=not whole)
    options["skip_rows"] = skip
    attempts: list[dict[str, object]] = [
        {"infer_schema_length": 10000, "schema_overrides": overrides},
        {"infer_schema": False},
        {"infer_schema": False, "truncate_ragged_lines": True, "encoding": "utf8-lossy"},
    ]
    if guessed:  # the sample's types imposed on the whole file: no inference pass over the file's start
        # (inferring from 10,000 rows cost a sixth of the read); a later value that breaks them sends
        # the read to the next attempt
        attempts.insert(0, {"schema_overrides": {**guessed, **overrides}})
    error: Exception | None = None
    for number, extra in enumerate(attempts):
        if isinstance(source, io.BytesIO):
            source.seek(0)
        try:
            df = pl.read_csv(source, **options, **extra)  # type: ignore[arg-type]
        except pl.exceptions.NoDataError as exc:
            raise InputError("The file is empty: there is no table to analyse.") from exc
        except (pl.exceptions.ComputeError, pl.exceptions.ShapeError) as exc:
            error = exc
            continue
        if "schema_overrides" in extra:
            for name, dtype in overrides.items():
                if dtype == pl.Date:
                    note = table.note(name)
                    note.parsed_as, note.date_formats = "date", ["ISO (YYYY-MM-DD)"]
        if number == len(attempts) - 1:
            table.issues.append(
                Issue(
                    "ragged_rows",
                    "Some rows have more fields than the header (or invalid text bytes); "
                    "extra fields were dropped and bad bytes replaced.",
                    severity="warning",
                )
            )
        return df
    raise InputError(f"The file could not be read as a delimited table: {error}") from error


def _sample_schema(
    sample: str, options: dict[str, object], guess: bool = True
) -> tuple[dict[str, pl.DataType], dict[str, pl.DataType]]:
    """The types the sample's rows suggest (when `guess`: a file longer than its sample), and the types
    to impose whatever the rest of the file holds.

    Digit strings with leading zeros (zip codes, account numbers) stay text;
    columns of plain ISO dates are parsed by the CSV reader itself (the fast
    path; a later non-ISO value makes the read fail and fall back to text).
    The guess follows the reader's own inference (whole numbers, then numbers,
    then true/false, else text) on one read of the sample as text.
    """
    cut = sample.rfind("\n")
    text = sample[: cut + 1] if 0 < cut < len(sample) - 1 else sample
    read: dict[str, Any] = {**options, "truncate_ragged_lines": True}
    try:
        head = pl.read_csv(io.BytesIO(text.encode()), infer_schema=False, **read)
    except pl.exceptions.PolarsError:  # only a guess: the reads below decide
        return {}, {}
    if head.height > 1:
        head = head.head(head.height - 1)  # the sample may end inside a quoted record
    overrides: dict[str, pl.DataType] = {}
    guessed: dict[str, pl.DataType] = {}
    # what each column's values are, in one pass over all of them (casts, not regexes: a pattern is
    # compiled anew by every call, and one query per column cost more than the reads of a long file)
    european = options.get("separator") == ";"  # its numbers may group thousands with dots
    exprs = [_facts(name, grouping=european) for name in head.columns]
    facts = head.select(e.alias(f"{i}\x00{k}") for i, column in enumerate(exprs) for k, e in column)
    row = facts.row(0, named=True) if head.width else {}
    for i, name in enumerate(head.columns):
        f = {k: row[f"{i}\x00{k}"] for k, _ in exprs[i]}
        present = f["present"]
        if not present:
            continue  # empty in the whole sample: says nothing about its type
        digits = f["ints"] == present
        if digits and f["zero_led"]:
            overrides[name] = pl.String()
        elif european and f["grouped"] and f["whole"] == present:
            # 5.336 beside 830 in a ';' file is 5,336 people, not five and a third: left as text for
            # `refine`, which reads it with the file's decimal comma
            overrides[name] = pl.String()
        elif f["dates"] == present:
            overrides[name] = pl.Date()
        elif guess:  # the reader's own inference: whole numbers, numbers, true/false, else text
            guessed[name] = (
                pl.Int64()
                if digits
                else pl.Float64()
                if f["floats"] == present
                else pl.Boolean()
                if f["flags"] == present
                else pl.String()
            )
    return guessed, overrides


def _facts(name: str, *, grouping: bool = False) -> list[tuple[str, pl.Expr]]:
    """Counts that type a text column of the sample: values present, readable as whole numbers (with a
    leading zero: a code), as plain ISO dates, as numbers, as true/false; with `grouping`, also
    whole numbers written with dots between groups of three digits (1.234.567), and whole numbers
    written either way."""
    v = pl.col(name)
    facts = [
        ("present", v.is_not_null().sum()),
        ("ints", v.cast(pl.Int64, strict=False).is_not_null().sum()),
        ("zero_led", (v.str.starts_with("0") & (v.str.len_bytes() > 1)).any()),
        ("dates", (v.str.to_date("%Y-%m-%d", strict=False).is_not_null() & (v.str.len_bytes() == 10)).sum()),
        ("floats", v.cast(pl.Float64, strict=False).is_not_null().sum()),
        ("flags", v.str.to_lowercase().is_in(["true", "false"]).sum()),
    ]
    if grouping:
        facts += [
            ("grouped", v.str.contains(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$").sum()),  # never 0.125
            ("whole", v.str.contains(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)$").sum()),
        ]
    return facts


def _all_numbers(fields: list[str]) -> bool:
    """A first row of only numbers is data, not a header."""
    return len(fields) >= 2 and all(re.fullmatch(r"[+-]?\d+([.,]\d+)?", f.strip()) for f in fields)


def _refuse_markup(path: Path, sample: str) -> None:
    start = sample.lstrip()[:100].lower()
    if start.startswith(("<!doctype", "<html", "<?xml", "<svg")):
        raise InputError(f"'{path.name}' is an HTML/XML document, not a table.")


def _refuse_prose(path: Path, df: pl.DataFrame) -> None:
    """A one-column 'table' of long sentences is a text document, not data."""
    if df.width != 1 or df.height == 0:
        return
    header = df.columns[0]
    col = df.to_series().cast(pl.String)
    mean_len = col.str.len_chars().mean() or 0
    spaces = col.str.count_matches(" ").mean() or 0
    if len(header) > 60 or (mean_len > 40 and spaces > 5):  # type: ignore[operator]
        raise InputError(
            f"'{path.name}' does not look like a table: no comma, semicolon, tab or pipe splits its "
            "lines into columns (it reads as plain text)."
        )
