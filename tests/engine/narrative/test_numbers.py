"""Written numbers and whether they round from a fact's number."""

from __future__ import annotations

import pytest

from engine.narrative.numbers import fact_values, find_numbers, is_grounded


def grounded(text: str, *facts: float) -> bool:
    [number] = find_numbers(text)
    return is_grounded(number, facts)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("1,234.5", 1234.5),
        ("1.2k", 1234.5),
        ("$1.2M", 1_234_567),
        ("1.23 million", 1_234_567),
        ("12%", 0.1234),
        ("12.3%", 12.34),
        ("0.12", 0.1234),
        ("1,200", 1234.5),
        ("-4.5%", -0.045),
        ("2.5x", 2.46),
        ("18.4 percent", 0.184),
    ],
)
def test_rounded_and_formatted_numbers_match(text: str, fact: float) -> None:
    assert grounded(text, fact)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("1.3k", 1234.5),
        ("47%", 0.1234),
        ("1,234", 1234.6),
        ("0.13", 0.1234),
        ("2,000", 1234.5),
        ("13%", 0.1234),
    ],
)
def test_other_figures_do_not_match(text: str, fact: float) -> None:
    assert not grounded(text, fact)


def test_words_with_digits_are_not_figures() -> None:
    assert find_numbers("Q3 sales of product v2 came 3rd in H1") == []


def test_dates_split_into_their_parts() -> None:
    assert [n.value for n in find_numbers("on 2024-01-05")] == [2024, 1, 5]


def test_fact_values_read_numbers_inside_strings_too() -> None:
    values = fact_values({"text": "rose 12% to $1.2M", "n": 3, "flag": True, "none": None})
    assert {12.0, 0.12, 1.2, 1_200_000.0, 3.0} <= values
    assert 1.0 not in values  # booleans are not numbers
