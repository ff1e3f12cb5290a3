"""Amount cells to exact decimals in 万元 (never through floats)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.amounts import is_bad_amount, parse_amount


def parse(text: str | None, unit: str = "万元") -> Decimal | None:
    value = pl.select(parse_amount(pl.lit(text, dtype=pl.String), unit)).item()
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5,373.54", Decimal("5373.54")),
        ("572.90", Decimal("572.9")),
        ("５７２．９０", Decimal("572.9")),
        (" 1 234.5 ", Decimal("1234.5")),
        ("-", Decimal("0")),
        ("—", Decimal("0")),
        ("", None),
        ("一万", None),
    ],
)
def test_amount_texts(text: str, expected: Decimal | None):
    assert parse(text) == expected


def test_yuan_tables_convert_exactly_to_wan():
    assert parse("5,729,000.00", "元") == Decimal("572.9")
    assert parse("1234.56", "元") == Decimal("0.123456")
    assert parse("1", "元") == Decimal("0.0001")


def test_text_that_is_not_a_number_is_flagged():
    flags = pl.select(is_bad_amount(pl.Series(["一万", "12万", "", "1.5", "-"]))).to_series()
    assert flags.to_list() == [True, True, False, False, False]


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_any_two_decimal_amount_round_trips_with_separators(value: Decimal):
    text = f"{value:,.2f}"
    assert parse(text) == value
    assert parse(f"{value:.2f}", "元") == value / 10000
