"""Tests for transforms.targets: splitting 指标值 texts into (op, value, unit, kind)."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from transforms.targets import TARGET_FIELDS, split_target, split_target_texts

Row = tuple[str | None, float | None, str | None, str]


def _one(text: str | None) -> Row:
    row = split_target_texts([text]).row(0)
    return row  # type: ignore[return-value]


CASES: list[tuple[str | None, Row]] = [
    # examples from real tables
    ("≥95%", (">=", 95.0, "%", "quantitative")),
    ("≤3秒", ("<=", 3.0, "秒", "quantitative")),
    ("12个", (None, 12.0, "个", "quantitative")),
    ("11733.38平方米", (None, 11733.38, "平方米", "quantitative")),
    ("11733.38", (None, 11733.38, None, "quantitative")),
    ("0", (None, 0.0, None, "quantitative")),
    ("不低于99%为优", (">=", 99.0, "%", "quantitative")),
    ("≥70分", (">=", 70.0, "分", "quantitative")),
    ("9台", (None, 9.0, "台", "quantitative")),
    ("2280次", (None, 2280.0, "次", "quantitative")),
    ("≥100百分比", (">=", 100.0, "%", "quantitative")),
    ("≥120", (">=", 120.0, None, "quantitative")),
    ("100%", (None, 100.0, "%", "quantitative")),
    ("0%", (None, 0.0, "%", "quantitative")),
    ("≥12%", (">=", 12.0, "%", "quantitative")),
    ("≥10个", (">=", 10.0, "个", "quantitative")),
    ("＞＝90％", (">=", 90.0, "%", "quantitative")),
    ("９５％", (None, 95.0, "%", "quantitative")),
    ("５７２．９０", (None, 572.9, None, "quantitative")),
    ("1,234.5万元", (None, 1234.5, "万元", "quantitative")),
    ("-5%", (None, -5.0, "%", "quantitative")),
    ("≥ 95 %", (">=", 95.0, "%", "quantitative")),
    ("12个月以上为优", (">=", 12.0, "个月", "quantitative")),
    ("90分为优秀", (None, 90.0, "分", "quantitative")),
    ("5次/年", (None, 5.0, "次/年", "quantitative")),
    ("≥95%，其中重点项目100%", (">=", 95.0, "%", "quantitative")),
    # qualitative
    ("达标", (None, None, None, "qualitative")),
    ("维持", (None, None, None, "qualitative")),
    ("增强", (None, None, None, "qualitative")),
    ("优", (None, None, None, "qualitative")),
    ("通过", (None, None, None, "qualitative")),
    ("进一步畅通", (None, None, None, "qualitative")),
    (
        "达标（财务人员收到案件经办人提交符合相关退费规定的材料之日起，在规定时间内完成退费手续。）",
        (None, None, None, "qualitative"),
    ),
    ("等级保护2.0测评", (None, None, None, "qualitative")),
    ("不低于上年", (None, None, None, "qualitative")),
    ("—", (None, None, None, "qualitative")),
    # dates
    ("6月30日前", (None, None, None, "date")),
    ("12月底前", (None, None, None, "date")),
    ("2026年12月31日前", (None, None, None, "date")),
    ("年底前", (None, None, None, "date")),
    # placeholders
    ("≥**%", (None, None, None, "placeholder")),
    ("XX", (None, None, None, "placeholder")),
    ("xx%", (None, None, None, "placeholder")),
    ("≥XX个", (None, None, None, "placeholder")),
    ("＊＊", (None, None, None, "placeholder")),
    ("××", (None, None, None, "placeholder")),
    ("X", (None, None, None, "placeholder")),
    ("XX.X%以上", (None, None, None, "placeholder")),
    ("X光机检查", (None, None, None, "qualitative")),
    # empty
    (None, (None, None, None, "empty")),
    ("", (None, None, None, "empty")),
    ("  \u3000", (None, None, None, "empty")),
]

PRE_FORMS: dict[str, str] = {
    "≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "=",
    "＞": ">", "＜": "<", "＝": "=", ">=": ">=", "<=": "<=", "＞＝": ">=", "＜＝": "<=",
    "≧": ">=", "≦": "<=",
    "不低于": ">=", "不少于": ">=", "至少": ">=", "不小于": ">=",
    "不高于": "<=", "不超过": "<=", "至多": "<=", "不大于": "<=",
    "大于": ">", "高于": ">", "超过": ">", "小于": "<", "低于": "<", "等于": "=",
}  # fmt: skip
POST_FORMS: dict[str, str] = {"以上": ">=", "以内": "<=", "以下": "<="}
UNITS = [
    "%", "百分比", "个", "台", "次", "分", "秒", "平方米", "万元", "元", "天", "人", "件", "份",
    "场", "篇", "期", "户", "小时", "工作日", "年", "月", "项", "套", "批", "家", "册", "条",
    "名", "人次", "公里", "千米", "亩", "平方公里",
]  # fmt: skip
FORM_CASES = [(f"{k}95%", (v, 95.0, "%", "quantitative")) for k, v in PRE_FORMS.items()] + [
    (f"3天{k}", (v, 3.0, "天", "quantitative")) for k, v in POST_FORMS.items()
]


@pytest.mark.parametrize(("text", "expected"), CASES + FORM_CASES)
def test_table(text: str | None, expected: Row) -> None:
    assert _one(text) == expected


def test_schema_and_expression_use() -> None:
    df = split_target_texts(["≥95%", None])
    assert tuple(df.columns) == TARGET_FIELDS
    assert df.schema == pl.Schema(
        {"op": pl.String, "value": pl.Float64, "unit": pl.String, "kind": pl.String}
    )
    lazy = pl.LazyFrame({"t": ["≤3秒", "达标"]}).with_columns(p=split_target(pl.col("t")))
    out = lazy.select(pl.col("p").struct.field("op"), pl.col("p").struct.field("kind")).collect()
    assert out.rows() == [("<=", "quantitative"), (None, "qualitative")]


def _number_text(value: int, decimals: int, thousands: bool) -> str:
    number = value / 10**decimals
    spec = f"{',' if thousands else ''}.{decimals}f"
    return format(number, spec)


@settings(max_examples=200, deadline=None)
@given(
    pre=st.sampled_from([None, *PRE_FORMS]),
    post=st.sampled_from([None, *POST_FORMS]),
    value=st.integers(min_value=-(10**8), max_value=10**8),
    decimals=st.integers(min_value=0, max_value=2),
    thousands=st.booleans(),
    unit=st.sampled_from([None, *UNITS]),
    space=st.sampled_from(["", " "]),
)
def test_roundtrip(
    pre: str | None,
    post: str | None,
    value: int,
    decimals: int,
    thousands: bool,
    unit: str | None,
    space: str,
) -> None:
    assume(pre is None or post is None)
    assume(post is None or unit is not None)  # "95以上" is fine, but keep units explicit
    num = _number_text(value, decimals, thousands)
    # a bare 19xx/20xx followed by 年 is a calendar year, i.e. a date, not a quantity
    assume(not (unit == "年" and re.fullmatch(r"(19|20)\d\d", num)))
    text = f"{pre or ''}{space}{num}{space}{unit or ''}{post or ''}"
    expected_op = PRE_FORMS[pre] if pre else (POST_FORMS[post] if post else None)
    expected_unit = "%" if unit == "百分比" else unit
    assert _one(text) == (expected_op, float(num.replace(",", "")), expected_unit, "quantitative")


_CJK = "达标维持增强优通过进一步畅通不低于高超过以上内下年底月日前为良（）。，XxX×*＊—%％≥≤<>=个"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_CJK, max_size=12)))
def test_no_digits_means_no_value(text: str) -> None:
    assume(not any(ch.isdigit() for ch in text))
    op, value, unit, kind = _one(text)
    assert value is None and op is None and unit is None
    assert kind in {"qualitative", "placeholder", "date", "empty"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(), st.text(alphabet=_CJK + "0123456789.,-"))))
def test_never_raises(texts: list[str | None]) -> None:
    df = split_target_texts(texts)
    assert df.height == len(texts)
    assert df["kind"].null_count() == 0
    assert set(df["op"].drop_nulls()) <= {">=", "<=", ">", "<", "="}
    quant = df.filter(pl.col("kind") == "quantitative")
    assert quant["value"].null_count() == 0
    assert df.filter(pl.col("kind") != "quantitative")["value"].null_count() == (
        df.height - quant.height
    )
