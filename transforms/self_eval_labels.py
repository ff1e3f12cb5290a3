"""The words of a 项目支出绩效自评表 (year-end self-evaluation), as really written:
财政部's template and the provinces' variants (四川's 部门预算项目支出绩效自评表 …).

A 自评表 is a project card whose money block is budget against execution and whose
indicator block sets each target beside its actual result.
"""

from __future__ import annotations

import re
import unicodedata

from transforms.card_labels import BLOCK_COLUMNS, label_key

TITLE_MARK = "自评表"
# the budget-execution block's header: role → texts
BUDGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数", "年初预算", "年初预算金额", "年初预算数(万元)"),
    "adjusted": (
        "全年预算数", "调整后预算数", "调整后预算", "全年预算", "调整后预算金额",
        "全年预算数(A)",
    ),
    "executed": ("全年执行数", "预算执行数", "执行数", "全年执行", "实际执行数", "全年执行数(B)"),
    "rate": ("执行率", "预算执行率", "执行率(B/A)"),
    "weight": ("分值", "权重"),
    "score": ("得分",),
    "reason": ("原因", "偏差原因", "执行偏差原因", "偏差原因分析"),
}  # fmt: skip
# the indicator block's header: the card's roles plus the result's
RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    **{role: BLOCK_COLUMNS[role] for role in ("level1", "level2", "level3", "op", "unit")},
    "annual": (*BLOCK_COLUMNS["annual"], *BLOCK_COLUMNS["value"]),
    "actual": ("实际完成值", "完成值", "全年实际值", "实际值", "年度实际完成值", "实际完成情况"),
    "weight": ("分值", "权重", "指标分值"),
    "score": ("得分", "指标得分"),
    "reason": (
        "偏差原因分析", "未完成原因分析", "偏差原因分析及改进措施", "偏差原因", "未完成原因",
        "偏差原因分析及整改措施",
    ),
    "direction": BLOCK_COLUMNS["direction"],
}  # fmt: skip
# label cells whose value is kept in the project's details (value right, else below)
DETAIL_LABELS: dict[str, str] = {
    "项目年度目标": "goal",
    "年度目标": "goal",
    "年度目标完成情况": "年度目标完成情况",
    "项目实施内容及过程概述": "项目实施内容及过程概述",
    "评价结论": "评价结论",
    "存在问题": "存在问题",
    "改进措施": "改进措施",
    "项目负责人": "项目负责人",
    "财务负责人": "财务负责人",
    "项目年度目标完成情况": "项目年度目标完成情况",
    "项目基本情况": "项目基本情况",
    "自评总分": "自评总分",
    "年度总体目标": "年度总体目标",
    "预期目标": "goal",
    "实际完成情况": "实际完成情况",
    "主要绩效完成情况": "实际完成情况",
}
# a row of the budget block that is the project's whole budget (the others are parts)
TOTAL_ROW_LABELS = (
    "总额", "合计", "总计", "年度资金总额", "资金总额", "项目资金总额", "总分", "自评总分",
)  # fmt: skip
# a template's instruction left in a cell the department did not fill
_PROMPT = re.compile(
    r"[(（]\s*\d+\s*字以内\s*[)）]|^(结合自评情况|对照年度目标|针对项目自评|说明)|需说明原因"
)
_NUMBERED = re.compile(r"^\d+\s*[.、．]\s*")


def role_table(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label_key(text): role for role, texts in table.items() for text in texts}


BUDGET_ROLE = role_table(BUDGET_COLUMNS)
RESULT_ROLE = role_table(RESULT_COLUMNS)
_DETAIL_KEYS = {label_key(text): key for text, key in DETAIL_LABELS.items()}
_TOTAL_KEYS = {label_key(text) for text in TOTAL_ROW_LABELS}


def detail_key(text: str) -> str | None:
    """The details key (or 'goal') a self-evaluation label names; `1.项目年度目标完成情况`
    counts as `项目年度目标完成情况`."""
    key = label_key(_NUMBERED.sub("", text.strip()))
    return _DETAIL_KEYS.get(key)


def is_total_row_label(text: str) -> bool:
    return label_key(text) in _TOTAL_KEYS


def is_prompt(text: str) -> bool:
    """A template prompt left in place (`…(200字以内)`, `对照年度目标,说明…`)."""
    return bool(_PROMPT.search(text.strip()))


def block_roles(cells: list[str], table: dict[str, str]) -> dict[str, int]:
    """Column roles of a header row (the first place of each role)."""
    roles: dict[str, int] = {}
    for index, text in enumerate(cells):
        role = table.get(label_key(text)) if text.strip() else None
        if role and role not in roles:
            roles[role] = index
    return roles


# a block header has a cell whose key is one of these (an 执行数 or an 实际完成值 column);
# label_key only removes whitespace and a prefix or suffix from the NFKC text, so that key
# is a substring of the cell's NFKC text without whitespace
_NEEDED_KEYS = tuple(
    sorted({k for k, r in BUDGET_ROLE.items() if r == "executed"}
           | {k for k, r in RESULT_ROLE.items() if r == "actual"})
)  # fmt: skip


def may_be_block_header(cells: list[str]) -> bool:
    """False for a row that cannot be a budget or result header (`is_budget_header`,
    `is_result_header`): one NFKC pass over the row instead of a key per cell, for
    the ~60 top rows of every file that is not a 自评表."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", "\x00".join(cells)))
    return any(key in folded for key in _NEEDED_KEYS)


def is_budget_header(cells: list[str]) -> bool:
    roles = block_roles(cells, BUDGET_ROLE)
    return "executed" in roles and bool(roles.keys() & {"initial", "adjusted"})


def is_result_header(cells: list[str]) -> bool:
    roles = block_roles(cells, RESULT_ROLE)
    return "level3" in roles and "actual" in roles and bool(roles.keys() & {"annual", "op"})
