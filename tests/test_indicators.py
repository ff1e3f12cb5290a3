"""The packed indicator cell parser, quirk by quirk (through the public normalize step)."""

from __future__ import annotations

import re

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import frames_from_texts

HEADER = "项目名称\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标"


def indicators_of(cell: str) -> pl.DataFrame:
    text = f"部门名称：测试局\n{HEADER}\n项目甲\t1.00\t1.00\t\t\t目标\t{cell}\n"
    return frames_from_texts(("inbox/2025/测试局.txt", text)).indicators


def record(seq: str, l1: str, l1name: str, l2: str, l2name: str, sep: str, name: str,
           period: str, annual: str) -> str:
    head = f"{seq}-" if seq else ""
    return (f"{head}{l1}-{l1name}：{l2}-{l2name}{sep}{name}；实施周期指标值：{period}；"
            f"年度指标值：{annual}。")


def test_first_record_without_sequence_then_numbered_records():
    cell = record("", "1", "产出指标", "11", "数量指标", "：", "甲", "1个", "1个") + record(
        "2", "3", "满意度指标", "31", "服务对象满意度", "；", "乙", "≥90%", "≥90%"
    )
    rows = indicators_of(cell)
    assert rows["indicator_seq"].to_list() == [1, 2]
    assert rows["category_code"].to_list() == ["11", "31"]
    assert rows["indicator_name"].to_list() == ["甲", "乙"]


def test_full_stop_inside_parentheses_does_not_split_a_record():
    value = "达标（材料之日起。规定时间内完成。）"
    cell = record("", "1", "产出指标", "13", "时效指标", "：", "及时性", value, value) + record(
        "2", "2", "效益指标", "22", "社会效益", "：", "公信力", "增强", "增强"
    )
    rows = indicators_of(cell)
    assert rows.height == 2
    assert rows["period_target_text"][0] == value
    assert rows["annual_target_text"][1] == "增强"


def test_level1_code_comes_from_the_level2_code_and_a_mismatch_is_flagged():
    cell = record("", "2", "产出指标", "12", "质量指标", "：", "合格率", "100%", "100%")
    row = indicators_of(cell).row(0, named=True)
    assert row["level1_code_raw"] == "2"
    assert row["level1_code"] == "1"
    assert row["level1_code_mismatch"] is True


def test_level_name_variants_map_to_the_same_category():
    cell = record("", "2", "效果指标", "23", "环境效益指标", "：", "绿化", "≥30%", "≥30%")
    row = indicators_of(cell).row(0, named=True)
    assert row["category_code"] == "23"
    assert row["level1_code_by_name"] == "2"


def test_a_cell_without_structure_is_kept_and_flagged():
    rows = indicators_of("提高群众满意度，做好服务工作")
    assert rows.height == 1
    assert rows["unstructured"].to_list() == [True]
    assert rows["record"][0] == "提高群众满意度，做好服务工作"


names = st.text(alphabet="甲乙丙丁率数量满意度服务（）", min_size=1, max_size=8).filter(
    lambda s: not s.startswith("（")
)
values = st.sampled_from(["≥95%", "12个", "达标", "≤3秒", "达标（规定时间内完成。）", "0"])
categories = st.sampled_from([
    ("1", "产出指标", "11", "数量指标", "："), ("1", "产出指标", "12", "质量指标", "："),
    ("2", "效益指标", "22", "社会效益", "："), ("3", "满意度指标", "31", "服务对象满意度", "；"),
])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(categories, names, values, values), min_size=1, max_size=8))
def test_any_packed_cell_round_trips(items):
    cell = "".join(
        record("" if i == 0 else str(i + 1), l1, l1n, l2, l2n, sep, name, period, annual)
        for i, ((l1, l1n, l2, l2n, sep), name, period, annual) in enumerate(items)
    )
    rows = indicators_of(cell)
    assert rows["indicator_seq"].to_list() == list(range(1, len(items) + 1))
    assert rows["category_code"].to_list() == [c[2] for c, *_ in items]
    assert rows["indicator_name"].to_list() == [name for _, name, *_ in items]
    assert rows["period_target_text"].to_list() == [p for *_, p, _ in items]
    assert rows["annual_target_text"].to_list() == [a for *_, a in items]


# --- the conservation law, property-tested: exact indicators out, or the file rejected ---

SEPARATORS = ["。", "；", ";", "\n", "\r\n", " ", "", "。\n", "。 ", "；\n"]
digit_values = st.sampled_from(["100", "11733.38", "0", "≥95%", "12个", "达标（时限内完成。）"])


def plain_record(seq: str, category: tuple, name: str, period: str, annual: str) -> str:
    l1, l1name, l2, l2name, sep = category
    head = f"{seq}-" if seq else ""
    return (f"{head}{l1}-{l1name}：{l2}-{l2name}{sep}{name}；"
            f"实施周期指标值：{period}；年度指标值：{annual}")


def _rejected(frames) -> bool:
    """The parse-fidelity rules (indicator_text_unaccounted, indicator_structure) fire:
    the columns they test, read directly (their GX wiring: tests/test_conservation.py)."""
    return bool(
        frames.projects["unaccounted"].is_not_null().any()
        or frames.indicators["unstructured"].any()
    )


@settings(max_examples=120, deadline=None)
@given(
    items=st.lists(st.tuples(categories, names, digit_values, digit_values), min_size=1,
                   max_size=6),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=6, max_size=6),
    first_numbered=st.booleans(),
    ending=st.sampled_from(["", "。", "。。", "\n"]),
    damage=st.sampled_from(["none", "stray", "truncate", "renumber", "drop_seq"]),
    where=st.integers(min_value=0, max_value=5),
)
def test_a_packed_cell_loads_exactly_or_is_rejected(
    items, separators, first_numbered, ending, damage, where
):
    records = [
        plain_record("1" if i == 0 and first_numbered else ("" if i == 0 else str(i + 1)),
                     category, name, period, annual)
        for i, (category, name, period, annual) in enumerate(items)
    ]
    at = where % len(records)
    if damage == "stray":
        records[at] += "。备注：另行考核"
    elif damage == "truncate":
        records[at] = records[at].split("年度指标值")[0]
    elif damage == "renumber" and at > 0:
        records[at] = re.sub(r"^\d+", str(at + 7), records[at])
    elif damage == "drop_seq" and at > 0 and len(records) > 2:
        records[at] = re.sub(r"^\d+-", "", records[at])
    else:
        damage = "none"
    cell = "".join(r + separators[i] for i, r in enumerate(records[:-1])) + records[-1] + ending
    frames = frames_from_texts(("inbox/2025/测试局.txt", _tsv_with_cell(cell)))
    if _rejected(frames):
        assert damage != "none", f"a well-formed cell was rejected: {cell!r}"
        return
    assert damage == "none", f"a damaged cell loaded: {cell!r}"
    rows = frames.indicators
    assert rows["indicator_seq"].to_list() == list(range(1, len(items) + 1))
    assert rows["category_code"].to_list() == [c[2] for c, *_ in items]
    assert rows["indicator_name"].to_list() == [name for _, name, *_ in items]
    assert rows["period_target_text"].to_list() == [p for *_, p, _ in items]
    assert rows["annual_target_text"].to_list() == [a for *_, a in items]


def _tsv_with_cell(cell: str) -> str:
    """A one-project table as Excel saves tab text: a cell with line breaks is quoted."""
    quoted = '"' + cell.replace('"', '""') + '"' if "\n" in cell or "\r" in cell else cell
    return f"部门名称：测试局\n{HEADER}\n项目甲\t1.00\t1.00\t\t\t目标\t{quoted}\n"


def test_digits_ending_a_value_are_not_taken_for_the_next_sequence_number():
    cell = plain_record("", categories_sample[0], "甲", "100", "100") + plain_record(
        "2", categories_sample[1], "乙", "11733.38", "11733.38"
    ) + plain_record("3", categories_sample[2], "丙", "0", "0")
    rows = indicators_of(cell)
    assert rows["annual_target_text"].to_list() == ["100", "11733.38", "0"]
    assert rows["indicator_seq"].to_list() == [1, 2, 3]


categories_sample = [
    ("1", "产出指标", "11", "数量指标", "："), ("2", "效益指标", "22", "社会效益", "："),
    ("3", "满意度指标", "31", "服务对象满意度", "；"),
]
