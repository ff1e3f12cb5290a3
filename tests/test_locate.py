"""Header and preamble finding, piece by piece (the layouts tests cover whole tables)."""

from __future__ import annotations

import pytest

from transforms.errors import TableError
from transforms.grid import Grid
from transforms.locate import header_key, locate, merge_roles, read_preamble

HEADER = ["项目名称", "总计", "财政拨款", "财政专户拨款", "其他资金", "绩效目标", "绩效指标"]


def test_header_key_folds_width_spaces_stars_and_units():
    assert header_key("项目名称（资金使用单位）") == "项目名称(资金使用单位)"
    assert header_key(" 总　计（万元）") == "总计"
    assert header_key("*绩效目标") == "绩效目标"


def test_the_lower_header_row_wins_over_a_group_cell():
    upper = {"name": 0, "total": 1, "goal": 5}  # 项目资金 over the amounts
    lower = {"total": 1, "fiscal": 2}
    assert merge_roles(upper, lower) == {"total": 1, "fiscal": 2, "name": 0, "goal": 5}
    assert merge_roles({"total": 1}, {"total": 2}) == {"total": 2}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["部门名称：广州互联网法院", "", "单位：万元"]], ("广州互联网法院", "万元")),
        ([["部门名称：测试局 单位：元"]], ("测试局", "元")),
        ([["部门名称:", "测试局"], ["金额单位：元"]], ("测试局", "元")),
        ([["测试局项目支出绩效目标表（单位：元）"]], (None, "元")),
        ([["单位名称：测试中心"]], ("测试中心", None)),
    ],
)
def test_preamble(rows: list[list[str]], expected: tuple[str | None, str | None]):
    department, unit, _ = read_preamble(rows)
    assert (department, unit) == expected


def test_long_layout_is_recognised_and_needs_no_packed_column():
    header = [*HEADER[:6], "一级指标", "二级指标", "三级指标", "指标值"]
    layout = locate(Grid([["部门名称：测试局"], header], "utf-8"))
    assert layout.kind == "long"
    assert (layout.header_row, layout.body_row) == (1, 2)
    assert layout.columns["value"] == 9


def test_a_packed_table_without_indicator_column_is_refused():
    with pytest.raises(TableError) as error:
        locate(Grid([HEADER[:6]], "utf-8"))
    assert error.value.rule == "required_columns"
    assert "绩效指标" in error.value.message
