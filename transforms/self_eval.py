"""A 项目支出绩效自评表 (year-end self-evaluation) → one record per project and per
indicator, cells still as text.

    部门预算项目支出绩效自评表(2023年度)
    项目名称 | 51000021R000000019951-工资性支出
    主管部门 | 青神县发展和改革局本级 | 实施单位 | 青神县发展和改革局
    预算执行情况 | 年度预算数 | 年初预算 | 调整后预算数 | 预算执行数 | 执行率 | 权重 | 得分
                 | 总额       | 238.93   | 251.89       | 251.89     | 100%   | 10   |
                 | 其中:财政资金 | …          (parts: kept in the details)
    绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 |
             | 完成值 | 权重 | 得分 | 未完成原因分析          (one row in the form)
             | 产出指标 | 数量指标 | 覆盖率 | = | 100 | % |  | 60 |  |
    合计     | … | 100                      (the weights' total, not money)
    评价结论 | …    存在问题 | …    改进措施 | …

Cards start at each 项目名称 row (many per sheet, or one per sheet / Word table / PDF
page, stacked). Every non-empty cell ends in a field, the details, or an `unread` note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transforms.card_labels import label_role
from transforms.grid import Grid
from transforms.self_eval_labels import (
    BUDGET_ROLE,
    RESULT_ROLE,
    TITLE_MARK,
    block_roles,
    detail_key,
    is_budget_header,
    is_prompt,
    is_result_header,
    is_total_row_label,
    may_be_block_header,
)

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_UNIT = re.compile(r"[(（](?:单位[:：])?(万元|元)[)）]")
_LONG_CODE = re.compile(r"^\s*([0-9A-Za-z]{8,})\s*[-－—_]\s*")
BUDGET_FIELDS = ("initial", "adjusted", "executed", "rate", "weight", "score", "reason")
RESULT_FIELDS = ("annual", "op", "unit", "actual", "weight", "score", "reason", "direction")


@dataclass
class EvalCard:
    """One project's self-evaluation as read; rows are 1-based grid rows."""

    row: int
    fields: dict[str, str] = field(default_factory=dict)
    budget: dict[str, str] = field(default_factory=dict)
    budget_row: int | None = None
    indicators: list[dict[str, object]] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    prompts: list[str] = field(default_factory=list)
    unread: list[dict[str, object]] = field(default_factory=list)
    title: str | None = None
    year: int | None = None
    amount_unit: str = "万元"
    weight_total: str | None = None


def is_self_evaluation(grids: list[Grid]) -> bool:
    """A file whose title names a 自评表, or whose rows hold a budget-execution header
    (年初预算数 … 执行数) or an indicator block with an actual-result column."""
    for grid in grids:
        for cells in grid.rows[:60]:
            texts = [c.strip() for c in cells if c.strip()]
            if len(texts) == 1 and TITLE_MARK in texts[0] and "表" in texts[0]:
                return True
            if not may_be_block_header(cells):  # cheap: most rows of most files
                continue
            if is_budget_header(cells) or is_result_header(cells):
                return True
    return False


def _starts(rows: list[list[str]]) -> list[int]:
    found = []
    for index, cells in enumerate(rows):
        first = next((c for c in cells if c.strip()), "")
        if first and label_role(first) == "name":
            found.append(index)
    return found


class _Reader:
    def __init__(self, rows: list[list[str]], start: int, end: int) -> None:
        self.rows, self.start, self.end = rows, start, end
        self.card = EvalCard(row=start + 1)
        self.taken: set[tuple[int, int]] = set()

    def text(self, r: int, c: int) -> str:
        if c < 0 or r >= len(self.rows) or c >= len(self.rows[r]):
            return ""
        return self.rows[r][c].strip()

    def read(self) -> EvalCard:
        r = self.start
        while r < self.end:
            cells = self.rows[r]
            if is_budget_header(cells):
                r = self._budget(r)
            elif is_result_header(cells):
                r = self._results(r)
            else:
                self._labels(r)
                r += 1
        self._leftovers()
        return self.card

    # labels ------------------------------------------------------------------------

    def _is_label(self, text: str) -> bool:
        return label_role(text) not in (None,) or detail_key(text) is not None

    def _labels(self, r: int) -> None:
        for c, text in enumerate(self.rows[r]):
            text = text.strip()
            if not text or (r, c) in self.taken:
                continue
            role = label_role(text)
            key = detail_key(text)
            if role is None and key is None:
                if re.fullmatch(r".+[:：]\s*.*", text) and len(text) <= 40:
                    self._inline(r, c, text)
                continue
            self.taken.add((r, c))
            if role == "group" and (unit := _UNIT.search(text)):
                self.card.amount_unit = unit.group(1)
            if role in ("group",) and key is None:
                continue
            self._take(r, c, role if role in ("name", "department", "unit") else key, text)

    def _inline(self, r: int, c: int, text: str) -> None:
        """`项目负责人:张三` or a signature line `项目负责人:   财务负责人:`."""
        parts = re.findall(r"([^:：\s]+)\s*[:：]\s*([^:：]*?)(?=\s+[^:：\s]+\s*[:：]|$)", text)
        keys = [(detail_key(label), value.strip()) for label, value in parts]
        if parts and all(key for key, _ in keys):
            self.taken.add((r, c))
            for key, value in keys:
                if value:
                    self._detail(str(key), value)

    def _value_at(self, r: int, c: int) -> tuple[int, int] | None:
        for column in range(c + 1, len(self.rows[r])):
            text = self.text(r, column)
            if text and not self._is_label(text):
                return (r, column)
            if text:
                break  # a label beside it: the value is below, if anywhere
        below = r + 1
        text = self.text(below, c)
        free = below < self.end and text and (below, c) not in self.taken
        if free and not self._is_label(text) and not self._is_header(below):
            return (below, c)
        return None

    def _is_header(self, r: int) -> bool:
        return is_budget_header(self.rows[r]) or is_result_header(self.rows[r])

    def _take(self, r: int, c: int, key: str | None, label: str) -> None:
        at = self._value_at(r, c)
        if at is None or key is None:
            return
        self.taken.add(at)
        value = self.text(*at)
        if key in ("name", "department", "unit", "goal"):
            self.card.fields.setdefault(key, value)
            if self.card.fields[key] == value:
                return
        if is_prompt(value):
            self.card.prompts.append(label.rstrip(":："))
        self._detail(key, value)

    def _detail(self, key: str, value: str) -> None:
        details = self.card.details
        details[key] = f"{details[key]}\n{value}" if key in details else value

    # the budget-execution block ----------------------------------------------------

    def _budget(self, r: int) -> int:
        roles = block_roles(self.rows[r], BUDGET_ROLE)
        for c, text in enumerate(self.rows[r]):
            if text.strip():
                self.taken.add((r, c))
                if unit := _UNIT.search(text):
                    self.card.amount_unit = unit.group(1)
        columns = set(roles.values())
        row = r + 1
        while row < self.end:
            cells = self.rows[row]
            if is_result_header(cells) or is_budget_header(cells):
                break
            filled = [c for c, t in enumerate(cells) if t.strip()]
            if not filled:
                row += 1
                continue
            labels = [c for c in filled if c not in columns]
            if not any(c in columns for c in filled) and labels:
                break  # a label row (评价结论 …): the block is over
            label = self.text(row, labels[0]) if labels else ""
            if label and detail_key(label) is not None:
                break  # 年度总体目标 …: a label row, though it has cells under the columns
            values = {role: self.text(row, c) for role, c in roles.items()}
            if self.card.budget_row is None and (is_total_row_label(label) or not label):
                self.card.budget, self.card.budget_row = values, row + 1
                if values.get("reason") and is_prompt(values["reason"]):
                    self.card.prompts.append("预算执行情况·原因")
            else:
                shown = " | ".join(f"{role}={v}" for role, v in values.items() if v)
                self._detail(f"预算执行·{label or f'第{row + 1}行'}", shown)
            self.taken.update((row, c) for c in filled if c in columns or c in labels[:1])
            row += 1
        return row

    # the indicator block -----------------------------------------------------------

    def _results(self, r: int) -> int:
        roles = block_roles(self.rows[r], RESULT_ROLE)
        self.taken.update((r, c) for c, t in enumerate(self.rows[r]) if t.strip())
        columns = set(roles.values())
        level1 = level2 = ""
        row = r + 1
        while row < self.end:
            cells = self.rows[row]
            filled = [c for c, t in enumerate(cells) if t.strip()]
            if not filled:
                row += 1
                continue
            first = cells[filled[0]].strip()
            if is_total_row_label(first):
                self._weight_total(row, roles, filled)
                row += 1
                break
            if any(c not in columns for c in filled) or self._is_label(first):
                break
            level1 = self.text(row, roles.get("level1", -1)) or level1
            new2 = self.text(row, roles.get("level2", -1))
            level2 = new2 or (level2 if not self.text(row, roles.get("level1", -1)) else "")
            self._indicator(row, roles, level1, level2 or level1)
            self.taken.update((row, c) for c in filled)
            row += 1
        return row

    def _weight_total(self, row: int, roles: dict[str, int], filled: list[int]) -> None:
        self.taken.update((row, c) for c in filled)
        weight = self.text(row, roles.get("weight", -1))
        score = self.text(row, roles.get("score", -1))
        self.card.weight_total = weight or None
        if weight:
            self._detail("权重合计", weight)
        if score:
            self._detail("得分合计", score)
        own = (roles.get("weight"), roles.get("score"))
        for text in [self.text(row, c) for c in filled[1:] if c not in own]:
            self._detail("合计行", text)

    def _indicator(self, row: int, roles: dict[str, int], level1: str, level2: str) -> None:
        get = {role: self.text(row, c) for role, c in roles.items()}
        annual = get.get("annual", "")
        if "op" in roles or "unit" in roles:
            op = get.get("op", "")
            shown = op if op and not op.startswith(("定性", "定量")) else ""
            annual = f"{shown}{annual}{get.get('unit', '')}" if annual else ""
        actual = get.get("actual", "")
        if actual and "unit" in roles and re.fullmatch(r"-?[\d.,]+", actual):
            actual = f"{actual}{get.get('unit', '')}"  # the unit column holds both
        self.card.indicators.append(
            {
                "indicator_row": row + 1,
                "indicator_pos": len(self.card.indicators) + 1,
                "record": " | ".join(self.text(row, c) for c in sorted(roles.values())),
                "level1_text": level1 or None,
                "level2_text": level2 or None,
                "name": get.get("level3") or None,
                "annual": annual,
                "actual_text": actual or None,
                "weight_text": get.get("weight") or None,
                "score_text": get.get("score") or None,
                "deviation_reason": get.get("reason") or None,
                "direction_text": get.get("direction") or None,
                "op_text": get.get("op") or None,
            }
        )

    def _leftovers(self) -> None:
        for r in range(self.start, self.end):
            for c, text in enumerate(self.rows[r]):
                if text.strip() and (r, c) not in self.taken:
                    self.card.unread.append(
                        {"source_row": r + 1, "column": f"第{c + 1}列", "text": text.strip()}
                    )


def _preamble(card: EvalCard, rows: list[list[str]], lo: int, hi: int) -> None:
    """Title, year and unit from the rows above a card; other lines kept as details."""
    for r in range(lo, hi):
        for cell in rows[r]:
            text = cell.strip()
            if not text:
                continue
            if TITLE_MARK in text and card.title is None:
                card.title = text
                if match := _YEAR.search(text):
                    card.year = int(match.group(1))
                continue
            if card.year is None and (match := _YEAR.search(text)) and len(text) <= 14:
                card.year = int(match.group(1))
                card.details["年度"] = text
                continue
            if unit := re.search(r"单位\s*[:：]\s*(?:人民币)?\s*(万元|元)", text):
                card.amount_unit = unit.group(1)
                continue
            card.details["表头"] = (card.details.get("表头", "") + "\n" + text).strip()


def split_code(name: str) -> tuple[str, str | None]:
    """`51000021R000000019951-工资性支出` → ('工资性支出', '51000021R000000019951')."""
    match = _LONG_CODE.match(name)
    if match and name[match.end() :].strip():
        return name[match.end() :].strip(), match.group(1)
    return name.strip(), None


def read_eval_cards(grid: Grid) -> list[EvalCard]:
    """Every self-evaluation card of a grid; rows above a card are its preamble."""
    rows = grid.rows
    starts = _starts(rows)
    cards = []
    preamble_from = 0
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(rows)
        if k + 1 < len(starts):  # the next card's title rows end this one
            while end - 1 > start and _is_title_row(rows[end - 1]):  # blank or title
                end -= 1
        card = _Reader(rows, start, end).read()
        _preamble(card, rows, preamble_from, start)
        cards.append(card)
        preamble_from = end
    return cards


def _is_title_row(cells: list[str]) -> bool:
    """A blank row, or one text cell that is no label (`报表编号:…`, a title, a year):
    at the end of a card's range, such rows head the next card."""
    texts = [t.strip() for t in cells if t.strip()]
    if not texts:
        return True
    head = re.split(r"[:：]", texts[0])[0]
    return len(texts) == 1 and detail_key(head) is None and label_role(head) is None
