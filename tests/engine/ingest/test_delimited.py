"""Delimited text: delimiter sniffing, quoting, encodings, number and date coercion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from engine.config import Settings
from engine.ingest import load_table

SETTINGS = Settings()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(",", "t.csv"), (";", "t.csv"), ("\t", "t.tsv"), ("\t", "t.txt"), ("|", "t.csv")],
)
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str, name: str) -> None:
    rows = ["city,units,price", "Paris,3,2.5", "Lyon,4,3.5", "Nice,5,4.5"]
    path = write(tmp_path, name, "\n".join(r.replace(",", delimiter) for r in rows) + "\n")
    table = load_table(path, SETTINGS)
    assert table.delimiter == delimiter
    assert table.df.columns == ["city", "units", "price"]
    assert table.df["units"].to_list() == [3, 4, 5]
    assert table.df["price"].dtype == pl.Float64


def test_quoted_delimiters_and_newlines_stay_in_one_field(tmp_path: Path) -> None:
    text = 'name,note,amount\n"Globex, Inc.","line one\nline two",10\nAcme,"say ""hi""",20\n'
    table = load_table(write(tmp_path, "q.csv", text), SETTINGS)
    assert table.df.height == 2
    assert table.df["name"].to_list() == ["Globex, Inc.", "Acme"]
    assert table.df["note"][0] == "line one\nline two"
    assert table.df["note"][1] == 'say "hi"'


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252")],
)
def test_encoding_is_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    text = "café,prix\n" + "".join(f"Crème brûlée {i},{i}\n" for i in range(30)) + "Œuvre – €,99\n"
    table = load_table(write(tmp_path, "e.csv", text, encoding), SETTINGS)
    assert table.encoding == expected
    assert table.df.columns == ["café", "prix"]
    assert table.df["café"][-1] == "Œuvre – €"
    assert table.df["prix"].dtype == pl.Int64


def test_utf16_without_bom_is_detected(tmp_path: Path) -> None:
    text = "a,b\n" + "".join(f"x{i},{i}\n" for i in range(20))
    table = load_table(write(tmp_path, "u.csv", text, "utf-16-le"), SETTINGS)
    assert table.encoding == "utf-16le"
    assert table.df["b"].sum() == sum(range(20))


def test_latin1_bytes_outside_cp1252_still_read(tmp_path: Path) -> None:
    data = b"name,v\n" + b"caf\xe9,1\nna\xefve,2\nx\x81y,3\n"
    path = tmp_path / "l.csv"
    path.write_bytes(data)
    table = load_table(path, SETTINGS)
    assert table.df["name"][0] == "café"
    assert table.encoding in ("latin-1", "cp1252")


def test_decimal_comma_and_thousands_dots(tmp_path: Path) -> None:
    text = "produit;montant;taux\nA;1.234,50;3,5\nB;12,25;4,75\nC;1.000.000,00;0,5\n"
    table = load_table(write(tmp_path, "fr.csv", text), SETTINGS)
    assert table.delimiter == ";"
    assert table.df["montant"].to_list() == [1234.5, 12.25, 1_000_000.0]
    assert table.df["taux"].to_list() == [3.5, 4.75, 0.5]


def test_whole_numbers_grouped_with_dots_in_a_semicolon_file(tmp_path: Path) -> None:
    """5.336 beside 830 is a count of people, though each reads as a decimal; 0.125 and 2.5 stay decimals."""
    text = "Gemeinde;Einwohner;Anteil\nA;5.336;0.125\nB;830;2.5\nC;204.000;0.75\nD;12.450;1.0\n"
    table = load_table(write(tmp_path, "gemeinden.csv", text), SETTINGS)
    assert table.df["Einwohner"].to_list() == [5336, 830, 204_000, 12450]
    assert table.df["Anteil"].to_list() == [0.125, 2.5, 0.75, 1.0]
    ambiguous = "Gemeinde,Einwohner\nA,5.336\nB,830\nD,12.450\n"  # no 1.204.000, no ';': decimals
    assert load_table(write(tmp_path, "dots.csv", ambiguous), SETTINGS).df["Einwohner"].to_list() == [
        5.336,
        830.0,
        12.45,
    ]


def test_currency_percent_thousands_and_negatives(tmp_path: Path) -> None:
    text = (
        "item,price,share,total,balance\n"
        'a,$1.50,12.5%,"1,234",(10.00)\n'
        'b,$20.00,50%,"12,345,678",5.25\n'
        'c,$3.25,7%,"999",-2.50\n'
    )
    table = load_table(write(tmp_path, "money.csv", text), SETTINGS)
    df = table.df
    assert df["price"].to_list() == [1.5, 20.0, 3.25]
    assert table.notes["price"].unit == "currency" and table.notes["price"].symbol == "$"
    assert df["share"].to_list() == [12.5, 50.0, 7.0]
    assert table.notes["share"].unit == "percent"
    assert df["total"].to_list() == [1234, 12_345_678, 999]
    assert df["balance"].to_list() == [-10.0, 5.25, -2.5]


def test_euro_amounts_with_spaces(tmp_path: Path) -> None:
    text = "k;v\na;1 234,50 €\nb;€ 99,90\nc;0,10 €\n"
    df = load_table(write(tmp_path, "eur.csv", text), SETTINGS).df
    assert df["v"].to_list() == [1234.5, 99.9, 0.1]


def test_missing_tokens_and_unparsed_values(tmp_path: Path) -> None:
    body = "".join(f"{i},{i * 1.5}\n" for i in range(40))
    text = "id_x,amount\n" + body + "40,NA\n41,n/a\n42,oops\n43,\n"
    table = load_table(write(tmp_path, "na.csv", text), SETTINGS)
    amounts = table.df["amount"]
    assert amounts.dtype == pl.Float64
    assert amounts.null_count() == 4
    assert table.notes["amount"].unparsed == 1  # only "oops": NA, n/a and blank are missing, not unreadable
    assert any(i.code == "unparsed_values" and i.column == "amount" for i in table.issues)


def test_codes_with_leading_zeros_stay_text(tmp_path: Path) -> None:
    text = "zip,n\n" + "".join(f'"0{2100 + i}",{i}\n' for i in range(10))
    df = load_table(write(tmp_path, "zip.csv", text), SETTINGS).df
    assert df["zip"].dtype == pl.String
    assert df["zip"][0] == "02100"


def test_boolean_words_become_booleans(tmp_path: Path) -> None:
    text = "k,active\na,yes\nb,no\nc,Yes\nd,\n"
    df = load_table(write(tmp_path, "b.csv", text), SETTINGS).df
    assert df["active"].to_list() == [True, False, True, None]


def test_ragged_rows_are_reported(tmp_path: Path) -> None:
    text = "a,b\n1,2\n3,4,5\n6,7\n"
    table = load_table(write(tmp_path, "r.csv", text), SETTINGS)
    assert table.df.height == 3
    assert any(i.code == "ragged_rows" for i in table.issues)


def test_late_bad_value_is_reported_not_fatal(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i}\n" for i in range(12000))
    text = "a,b\n" + rows + "x12,2024-01-01\n"
    table = load_table(write(tmp_path, "late.csv", text), SETTINGS)
    assert table.df.height == 12001
    assert table.df["a"].dtype == pl.Int64  # past polars' type guess, the column is still numbers...
    assert table.notes["a"].unparsed == 1  # ...and the one unreadable value is counted and reported
    assert any(i.code == "unparsed_values" and i.column == "a" for i in table.issues)


def test_a_value_past_the_sample_that_breaks_its_types_is_still_read(tmp_path: Path) -> None:
    """The sample's types are imposed on the whole file; a later decimal in a column of whole
    numbers, or a later word in a column of numbers, sends the read to a slower path, never loses it."""
    rows = "".join(f"{i},{i},{i}\n" for i in range(60000))  # far past the 256 KB sample
    text = "a,b,c\n" + rows + "1.5,2.25,word\n"
    table = load_table(write(tmp_path, "later.csv", text), SETTINGS)
    assert table.df.height == 60001
    assert table.df["a"].dtype == pl.Float64
    assert table.df["a"][-1] == 1.5 and table.df["b"][-1] == 2.25
    assert table.df["c"].dtype == pl.Int64 and table.df["c"][-1] is None
    assert table.notes["c"].unparsed == 1


def test_duplicate_and_blank_headers_are_renamed(tmp_path: Path) -> None:
    text = "a,a, ,b\n1,2,3,4\n5,6,7,8\n"
    table = load_table(write(tmp_path, "h.csv", text), SETTINGS)
    assert len(set(table.df.columns)) == 4
    assert any(i.code == "columns_renamed" for i in table.issues)


def test_dates_are_not_confused_with_numbers(tmp_path: Path) -> None:
    text = "d,stamp,price\n2024-01-05,20240105,9.99\n2024-01-06,20240106,12.50\n2024-01-07,20240107,1.05\n"
    df = load_table(write(tmp_path, "n.csv", text), SETTINGS).df
    assert df["d"].dtype == pl.Date
    assert df["stamp"].dtype == pl.Int64
    assert df["price"].dtype == pl.Float64
    assert df["d"][0] == dt.date(2024, 1, 5)


def test_title_lines_above_the_header_are_skipped(tmp_path: Path) -> None:
    text = "Sales report\nExported 2024-03-01 by finance\n\nregion,units,price\nNorth,3,2.5\nSouth,4,3.5\n"
    table = load_table(write(tmp_path, "report.csv", text), SETTINGS)
    assert table.df.columns == ["region", "units", "price"]
    assert table.df["units"].to_list() == [3, 4]
    assert any(i.code == "preamble_skipped" for i in table.issues)


def test_headerless_numeric_file(tmp_path: Path) -> None:
    table = load_table(write(tmp_path, "nums.csv", "1,2,3\n4,5,6\n7,8,9\n"), SETTINGS)
    assert table.df.columns == ["column_1", "column_2", "column_3"]
    assert table.df.height == 3
    assert any(i.code == "no_header" for i in table.issues)


def test_classic_mac_line_endings_are_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"region,units\rNorth,3\rSouth,4\r")
    table = load_table(path, SETTINGS)
    assert table.df.shape == (2, 2)
    assert table.df["region"].to_list() == ["North", "South"]
    assert "cr_line_endings" in [issue.code for issue in table.issues]
