"""A `SelfEvaluation` as 财政部's 项目支出绩效自评表 cards in an .xlsx workbook.

One card per project, in the national template's words:

    项目支出绩效自评表
    （2024年度）
    项目名称 | …
    主管部门 | … |  | 实施单位 | …
    项目资金（万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
                     | 年度资金总额 | … | … | … | 10 | 98.00% | 9.8
    年度总体目标 | 预期目标 |  |  | 实际完成情况
                 | …        |  |  | …
    绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
             偏差原因分析及改进措施                (one row in the form)
    总分 |  …  | 100 | 得分合计

Cards are stacked on one sheet (a blank row between two) or one per sheet, drawn per
file by seed; `vocabulary.SYNTHETIC_MARK` comes first, as in every generated file.
"""

from __future__ import annotations

import random

from synth.cards import _Grid, marked, stacked
from synth.forms import CARD_LEVEL1, CARD_LEVEL2
from synth.render import Sheet
from synth.self_eval import EXECUTION_WEIGHT, EvalProject, SelfEvaluation
from synth.style import Style
from synth.writers import xlsx_bytes

WIDTH = 9
TITLE = "项目支出绩效自评表"
BUDGET_HEADER = ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                 "得分"]  # fmt: skip
RESULT_HEADER = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                 "得分", "偏差原因分析及改进措施"]  # fmt: skip


def _score(value: object) -> str:
    return "" if value is None else str(value)


def render_card(evaluation: SelfEvaluation, project: EvalProject) -> Sheet:
    """One project's 自评表 card as a grid (title rows first, merges as the form has them)."""
    grid = _Grid(WIDTH)
    grid.span_row(TITLE)
    grid.span_row(f"（{evaluation.year}年度）")
    grid.sheet.head = 2
    row = grid.add({0: "项目名称", 1: project.name})
    grid.merge(row, 1, row, grid.last)
    row = grid.add({0: "主管部门", 1: evaluation.department, 3: "实施单位", 4: project.unit})
    grid.merge(row, 1, row, 2)
    grid.merge(row, 4, row, grid.last)
    top = grid.add(dict(enumerate(BUDGET_HEADER)))
    amounts = [str(project.initial), str(project.adjusted), str(project.executed)]
    scores = {5: str(EXECUTION_WEIGHT), 6: project.rate_text, 7: str(project.execution_score)}
    grid.add({1: "年度资金总额", 2: amounts[0], 3: amounts[1], 4: amounts[2], **scores})
    if project.fiscal_only:  # all of it 当年财政拨款: the part row repeats the figures
        grid.add({1: "其中：当年财政拨款", 2: amounts[0], 3: amounts[1], 4: amounts[2],
                  5: "—", 6: "—", 7: "—"})  # fmt: skip
    grid.merge(top, 0, len(grid.sheet.rows) - 1, 0)
    top = grid.add({0: "年度总体目标", 1: "预期目标", 4: "实际完成情况"})
    grid.add({1: project.goal, 4: project.achieved})
    for r in (top, top + 1):
        grid.merge(r, 1, r, 3)
        grid.merge(r, 4, r, grid.last)
    grid.merge(top, 0, top + 1, 0)
    top = grid.add(dict(enumerate(RESULT_HEADER)))
    first = top + 1
    for indicator in project.indicators:
        cells = [CARD_LEVEL1[indicator.level1_code], CARD_LEVEL2[indicator.level2_code],
                 indicator.name, indicator.reported_target, indicator.actual,
                 str(indicator.weight), _score(indicator.score), indicator.reason]  # fmt: skip
        grid.add(dict(enumerate(cells, start=1)))
    grid.merge_down(1, [i.level1_code for i in project.indicators], first)
    grid.merge(top, 0, len(grid.sheet.rows) - 1, 0)
    grid.add({0: "总分", 6: str(project.weight_total), 7: str(project.total_score)})
    return grid.sheet


def self_eval_sheets(evaluation: SelfEvaluation, seed: int) -> list[Sheet]:
    """The sheets of one 自评表 file: every card stacked on one sheet, or one per sheet."""
    cards = [render_card(evaluation, project) for project in evaluation.projects]
    rng = random.Random(f"{seed}:{evaluation.year}:{evaluation.department}:self-eval-file")
    if len(cards) > 1 and rng.random() < 0.5:
        sheets = [marked(card) for card in cards]
        for index, sheet in enumerate(sheets, 1):
            sheet.title = f"表{index}"
        return sheets
    sheets = [marked(stacked(cards))]
    sheets[0].title = TITLE
    return sheets


def self_eval_bytes(evaluation: SelfEvaluation, seed: int) -> bytes:
    """The .xlsx bytes of a department-year's 自评表 (same seed, same bytes)."""
    return xlsx_bytes(self_eval_sheets(evaluation, seed), Style())
