"""Amount cells to exact decimals in 万元 (never through floats)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.amounts import is_bad_amount, is_typed_amount, parse_amount, parse_typed_amount


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
    texts = ["一万", "12万300万", "约12万", "", "1.5", "-", "12万", "1.2345678万"]
    flags = pl.select(is_bad_amount(pl.Series(texts))).to_series()
    assert flags.to_list() == [True, True, True, False, False, False, False, True]


@pytest.mark.parametrize(
    ("text", "table_unit", "expected"),
    [
        ("854万", "万元", Decimal("854")),
        ("250万元", "元", Decimal("250")),  # the stated unit wins over the table's
        ("1,234.50元", "万元", Decimal("0.12345")),
        ("854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)", "万元", Decimal("854")),
        ("854万854万(高标准农田建设400万元)", "万元", Decimal("854")),  # typed twice
        ("854（其中：中央资金600）", "万元", Decimal("854")),  # a remark after a plain number
        ("０.５元", "万元", Decimal("0.00005")),
        ("854万300万", "万元", None),  # two different amounts: ambiguous
        ("854万元854万", "万元", None),
        ("约854万", "万元", None),
        ("12(a)b", "万元", None),
        ("1.2345678万", "万元", None),  # not exact in DECIMAL(18,6)
        ("12", "万元", None),  # a plain number is not a typed amount
    ],
)
def test_amounts_as_people_type_them(text: str, table_unit: str, expected: Decimal | None):
    frame = pl.DataFrame({"t": [text]}).select(
        parse_typed_amount(pl.col("t"), table_unit).alias("v"),
        is_typed_amount(pl.col("t"), table_unit).alias("typed"),
        is_bad_amount(pl.col("t"), table_unit).alias("bad"),
    )
    value, typed, bad = frame.row(0)
    assert value == expected
    assert typed == (expected is not None)
    assert bad == (expected is None and text != "12")


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_any_two_decimal_amount_round_trips_with_separators(value: Decimal):
    text = f"{value:,.2f}"
    assert parse(text) == value
    assert parse(f"{value:.2f}", "元") == value / 10000
