"""The cheap test a row passes before the 自评表 header tests: it never turns a header away."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from transforms.self_eval_labels import (
    BUDGET_COLUMNS,
    RESULT_COLUMNS,
    is_budget_header,
    is_result_header,
    may_be_block_header,
)

LABELS = sorted(
    {t for table in (BUDGET_COLUMNS, RESULT_COLUMNS) for ts in table.values() for t in ts}
)
# what real headers wrap a label in: spaces, full width, a unit, a colon, 其中, a star
DECORATIONS = st.sampled_from(
    ["{}", " {} ", "{}（万元）", "{}(元)", "{}：", "其中：{}", "*{}", "{}（2025年）", "\n{}\t"]
)
FULL_WIDTH = str.maketrans("()ABC0123456789", "（）ＡＢＣ０１２３４５６７８９")
cell = st.one_of(
    st.tuples(DECORATIONS, st.sampled_from(LABELS), st.booleans()).map(
        lambda d: d[0].format(d[1].translate(FULL_WIDTH) if d[2] else d[1])
    ),
    st.text(max_size=6),
)


@given(st.lists(cell, max_size=10))
def test_every_row_a_header_test_accepts_passes_the_cheap_test(cells: list[str]) -> None:
    if is_budget_header(cells) or is_result_header(cells):
        assert may_be_block_header(cells)


def test_the_templates_headers_pass_and_an_ordinary_row_does_not() -> None:
    budget = ["", "年初预算数（万元）", "全年预算数", "全年 执行数", "分值", "执行率", "得分"]
    result = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    assert is_budget_header(budget) and may_be_block_header(budget)
    assert is_result_header(result) and may_be_block_header(result)
    assert not may_be_block_header(["1", "虚构市教育局", "信息化建设", "120.00", "100.00"])
