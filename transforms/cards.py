"""Project cards (财政部's 项目支出绩效目标申报表 and provincial variants) → one card each.

A card lays one project out as label/value cells, found by their labels wherever merged
cells put them (the value is the next filled cell to the right, or the cell below a
label that has nothing to its right, as in `总体目标 | 年度目标` over the goal text):

    (2022年度)
    项目名称 | 岳阳县2022年高标准农田建设项目 | 项目负责人及电话 | 彭兵
    主管部门 | 岳阳县农业农村局             | 实施单位         | 农田建设服务中心
    资金情况(万元) | 年度资金总额: | 854万(…)
                   | 其中:财政拨款 | 854万(…)
    总体目标 | 年度目标
             | 完成项目主体工程70%
    绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值
             | 产出指标 | 数量指标 | 脱贫村村内道路硬化里程 | ≥100公里

Many cards may share a grid (stacked on one sheet): each starts at its 项目名称 row, and
the title rows between two cards belong to the card below them. Where a 中期 column
stands beside the 年度 one (中期资金总额 | … | 年度资金总额 | …), the fund labels under
each belong to it. Cells no standard field holds (项目负责人及电话, 中期资金总额, 中期目标,
`注:` lines …) are kept in the card's `details`; anything else left over is reported as
an unread cell, so every non-empty cell is accounted for.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from transforms.grid import Grid
from transforms.locate import header_at, header_key, is_synthetic
from transforms.rows import TOTAL_LABELS

# label → role; compared after `label_key`
CARD_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "项目名称及代码"),
    "department": (
        "主管部门", "预算部门", "部门名称", "主管部门及代码", "主管单位", "主管部门名称",
        "一级预算单位", "预算部门名称",
    ),
    "unit": (
        "实施单位", "项目单位", "项目实施单位", "预算单位", "执行单位", "实施单位名称",
        "资金使用单位", "项目执行单位",
    ),
    "total": (
        "年度资金总额", "年度资金", "资金总额", "年度预算资金", "年度金额", "年度预算数",
        "项目资金总额", "年度资金合计", "本年度资金总额",
    ),
    "fiscal": (
        "财政拨款", "一般公共预算", "一般公共预算拨款", "财政资金", "财政拨款资金",
        "当年财政拨款", "本级财政资金", "财政性资金",
    ),
    "special": ("财政专户管理资金", "财政专户拨款", "财政专户资金", "财政专户"),
    "other": ("其他资金", "其他", "其他来源资金", "单位自有资金"),
    "period_total": ("中期资金总额", "实施期资金总额", "项目总预算", "实施期资金"),
    "goal": ("年度目标", "年度绩效目标", "年度总体目标", "年度目标值"),
    "period_goal": ("中期目标", "实施期目标", "实施期总目标", "中期绩效目标", "总目标"),
}  # fmt: skip
# labels that only group the cells beside or below them
GROUP_LABELS = (
    "资金情况", "项目资金", "资金来源", "总体目标", "绩效指标", "绩效目标", "项目资金情况",
    "年度绩效指标", "资金构成", "预算资金",
)  # fmt: skip
# labels whose value is kept in the card's details
DETAIL_LABELS = (
    "项目负责人及电话", "项目负责人", "联系电话", "联系人", "项目属性", "项目期", "项目类型",
    "项目编码", "项目代码", "项目类别", "项目周期", "实施期限", "立项依据", "项目概况",
    "绩效目标类型", "项目起止时间", "项目负责人及联系电话", "填报单位", "填报日期",
)  # fmt: skip
# the indicator block's header: role → texts
BLOCK_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级指标名称"),
    "level2": ("二级指标", "二级指标名称"),
    "level3": ("三级指标", "三级指标名称", "指标名称", "绩效指标名称"),
    "value": ("指标值", "目标值", "绩效指标值", "指标值（目标值）", "绩效目标值", "指标目标值"),
    "period": ("中期指标值", "实施周期指标值", "实施期指标值", "中期目标值", "实施期目标值"),
    "annual": ("年度指标值", "年度目标值", "本年度指标值", "年度绩效指标值"),
    "op": ("指标性质", "运算符", "比较符号", "符号"),
    "unit": ("度量单位", "计量单位", "单位", "指标值单位"),
    "weight": ("权重", "分值", "指标分值", "权重(%)", "权重（分）", "分值权重"),
    "standard": ("绩效标准", "评分标准", "评(扣)分标准", "评价标准", "指标解释"),
    "direction": ("指标方向", "指标方向性", "方向"),
}  # fmt: skip
EXTRA_BLOCK_ROLES = ("weight", "standard", "direction")
NOTE_START = re.compile(r"^(注|说明|备注|填报说明|填表说明)\s*[:：\d１-９]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_UNIT = re.compile(r"[(（](?:单位[:：])?(万元|元)[)）]")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


@lru_cache(maxsize=1 << 14)
def label_key(text: str) -> str:
    """A label compared loosely: header_key, no trailing colon, no leading 其中, no
    trailing parenthesis (`中期目标（2023-2025年）`, `资金情况（万元）`)."""
    key = header_key(text).rstrip(":：")
    key = re.sub(r"^其中[:：]?", "", key)
    return re.sub(r"[(（][^()（）]*[)）]$", "", key).rstrip(":：")


def _role_table(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label_key(text): role for role, texts in table.items() for text in texts}


_LABEL_ROLE = _role_table(CARD_LABELS)
_GROUP_KEYS = {label_key(text) for text in GROUP_LABELS}
_DETAIL_KEYS = {label_key(text) for text in DETAIL_LABELS}
_BLOCK_ROLE = _role_table(BLOCK_COLUMNS)


def label_role(text: str) -> str | None:
    """The card role a label cell names, 'group' / 'detail' for the other known labels."""
    key = label_key(text)
    if not key:
        return None
    if key in _LABEL_ROLE:
        return _LABEL_ROLE[key]
    if key in _GROUP_KEYS:
        return "group"
    if key in _DETAIL_KEYS:
        return "detail"
    return None


def tidy_level(text: str) -> str:
    """A level name as one word: a line break or space inside it (`经济效益 指标`) goes."""
    return _CJK_GAP.sub("", text.strip())


@dataclass
class Card:
    """One project card as read: its fields, indicator records, details and leftovers.

    Rows are 1-based source rows of the grid.
    """

    row: int  # the 项目名称 row
    fields: dict[str, str] = field(default_factory=dict)
    field_rows: dict[str, int] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    indicators: list[dict[str, object]] = field(default_factory=list)
    unread: list[dict[str, object]] = field(default_factory=list)
    title: str | None = None
    year: int | None = None
    year_text: str | None = None
    amount_unit: str = "万元"


@dataclass(frozen=True)
class CardGrid:
    """Every card of a grid, in order, and what the grid's preamble says."""

    cards: list[Card]
    synthetic: bool


def _cell(rows: list[list[str]], r: int, c: int) -> str:
    if c < 0 or r >= len(rows) or c >= len(rows[r]):
        return ""
    return rows[r][c].strip()


def card_starts(rows: list[list[str]]) -> list[int]:
    """Rows holding a 项目名称 label with a value beside it that no table header claims."""
    starts = []
    for index, cells in enumerate(rows):
        for column, text in enumerate(cells):
            if text.strip() and label_role(text) == "name":
                rest = [c for c in cells[column + 1 :] if c.strip()]
                if rest and label_role(rest[0]) is None and header_at(rows, index) is None:
                    starts.append(index)
                break
    return starts


def is_card_grid(grid: Grid) -> bool:
    """Whether the grid holds at least one card (a 项目名称 label/value pair)."""
    return bool(card_starts(grid.rows))


class _CardReader:
    """Reads one card's rows [start, end) of a grid; `taken` marks consumed cells."""

    def __init__(self, rows: list[list[str]], start: int, end: int) -> None:
        self.rows, self.start, self.end = rows, start, end
        self.taken: set[tuple[int, int]] = set()
        self.card = Card(row=start + 1)
        self.period_columns: set[int] = set()
        self.annual_columns: set[int] = set()
        self.block_end = end

    def read(self) -> Card:
        r = self.start
        while r < self.end:
            block = self._block_header(r)
            if block is not None:
                r = self._read_block(r, *block)
                continue
            self._read_labels(r)
            r += 1
        self._leftovers()
        return self.card

    # label/value cells -------------------------------------------------------------

    def _read_labels(self, r: int) -> None:
        cells = self.rows[r]
        first = next((c.strip() for c in cells if c.strip()), "")
        if NOTE_START.match(first):
            self._note(r, first)
            return
        for c, text in enumerate(cells):
            if (r, c) in self.taken or not text.strip():
                continue
            role = label_role(text)
            if role is None:
                if inline := split_inline(text):
                    self.taken.add((r, c))
                    self._store(inline[0], inline[1], inline[2], r, c)
                continue
            self.taken.add((r, c))
            if role == "group":
                if unit := _UNIT.search(_squeeze(text)):
                    self.card.amount_unit = unit.group(1)
                continue
            self._take_value(r, c, role, text.strip())

    def _value_right(self, r: int, c: int) -> int | None:
        for column in range(c + 1, len(self.rows[r])):
            text = self.rows[r][column].strip()
            if text:
                return None if label_role(text) is not None else column
        return None

    def _value_below(self, r: int, c: int) -> int | None:
        below = r + 1
        if below >= self.end:
            return None
        text = _cell(self.rows, below, c)
        if text and label_role(text) is None and self._block_header(below) is None:
            return c
        return None

    def _take_value(self, r: int, c: int, role: str, label: str) -> None:
        at = (r, self._value_right(r, c))
        if at[1] is None and role in ("goal", "period_goal", "detail"):
            at = (r + 1, self._value_below(r, c))
        if at[1] is None:
            if role == "detail":
                return  # a label left blank: nothing to keep
            self.card.fields.setdefault(role, "")
            self.card.field_rows.setdefault(role, r + 1)
            return
        vr, vc = at
        self.taken.add((vr, vc))
        value = self.rows[vr][vc].strip()
        self._store(role, label, value, r, c)

    def _store(self, role: str, label: str, value: str, r: int, c: int) -> None:
        if role == "period_total":
            self.period_columns.add(c)
        elif role == "total":
            self.annual_columns.add(c)
        in_period = c in self.period_columns and c not in self.annual_columns
        if role == "detail" or (role in ("fiscal", "special", "other") and in_period):
            self._detail(label_key(label) if role == "detail" else f"中期{label_key(label)}", value)
        elif role in ("period_total", "period_goal"):
            self._detail(label_key(label), value)
        elif role in self.card.fields and self.card.fields[role]:
            self._detail(label_key(label), value)  # a second value: kept, never overwritten
        else:
            self.card.fields[role] = value
            self.card.field_rows[role] = r + 1

    def _detail(self, key: str, value: str) -> None:
        if key in self.card.details:
            value = f"{self.card.details[key]}\n{value}"
        self.card.details[key] = value

    def _note(self, r: int, text: str) -> None:
        for c, cell in enumerate(self.rows[r]):
            if cell.strip():
                self.taken.add((r, c))
        self._detail("注", text)

    # the indicator block -----------------------------------------------------------

    def _block_header(self, r: int) -> tuple[dict[str, int], int] | None:
        """Block column roles and header height if an indicator block's header is at r."""
        roles = _block_roles(self.rows[r])
        if not {"level1", "level3"} <= roles.keys() and not {"level2", "level3"} <= roles.keys():
            return None
        height = 1
        if r + 1 < self.end:
            below = _block_roles(self.rows[r + 1])
            if below and not (below.keys() & {"level1", "level2", "level3"}):
                roles = {**{k: v for k, v in roles.items() if v not in below.values()}, **below}
                height = 2
        if not roles.keys() & {"value", "period", "annual"}:
            return None
        return roles, height

    def _read_block(self, r: int, roles: dict[str, int], height: int) -> int:
        for row in range(r, r + height):
            for c, text in enumerate(self.rows[row]):
                if text.strip():
                    self.taken.add((row, c))
        columns = set(roles.values())
        level1 = level2 = ""
        row = r + height
        while row < self.end:
            cells = self.rows[row]
            filled = [c for c, text in enumerate(cells) if text.strip()]
            first = cells[filled[0]].strip() if filled else ""
            if not filled:
                row += 1
                continue
            if NOTE_START.match(first) or any(c not in columns for c in filled):
                break
            if header_key(first) in TOTAL_LABELS:
                break
            new1 = tidy_level(_cell(self.rows, row, roles.get("level1", -1)))
            new2 = tidy_level(_cell(self.rows, row, roles.get("level2", -1)))
            if new1:
                level1, level2 = new1, ""
            if new2:
                level2 = new2
            self._add_indicator(row, roles, level1, level2 or level1)
            self.taken.update((row, c) for c in filled)
            row += 1
        self.block_end = row
        return row

    def _add_indicator(self, row: int, roles: dict[str, int], level1: str, level2: str) -> None:
        get = lambda role: _cell(self.rows, row, roles.get(role, -1))  # noqa: E731
        name = get("level3")
        value, period, annual = get("value"), get("period"), get("annual")
        if "op" in roles or "unit" in roles:
            value = f"{get('op')}{value}{get('unit')}" if value else ""
        if "period" not in roles:
            period = value or annual
        if "annual" not in roles:
            annual = value or period
        if not (name or period or annual):
            return
        extras = {role: get(role) or None for role in EXTRA_BLOCK_ROLES}
        raw = [level1, level2, name, *(get(r) for r in roles if r not in _LEVEL_ROLES)]
        self.card.indicators.append(
            {
                "indicator_row": row + 1,
                "indicator_pos": len(self.card.indicators) + 1,
                "record": " | ".join(raw),
                "level1_text": level1 or None,
                "level2_text": level2 or None,
                "name": name or None,
                "period": period,
                "annual": annual,
                **{f"{role}_text": text for role, text in extras.items()},
            }
        )

    # what is left ------------------------------------------------------------------

    def _leftovers(self) -> None:
        for r in range(self.start, self.end):
            for c, text in enumerate(self.rows[r]):
                if text.strip() and (r, c) not in self.taken:
                    self.card.unread.append(
                        {"source_row": r + 1, "column": f"第{c + 1}列", "text": text.strip()}
                    )


_LEVEL_ROLES = ("level1", "level2", "level3")


def _block_roles(cells: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, text in enumerate(cells):
        role = _BLOCK_ROLE.get(label_key(text)) if text.strip() else None
        if role and role not in roles:
            roles[role] = index
    return roles


def _title_rows(rows: list[list[str]], lo: int, hi: int) -> list[tuple[int, str]]:
    """Rows in [lo, hi) holding a single text cell (titles, `(2022年度)`, notes)."""
    found = []
    for r in range(lo, hi):
        texts = [t.strip() for t in rows[r] if t.strip()]
        if len(texts) == 1:
            found.append((r, texts[0]))
    return found


def _take_preamble(card: Card, rows: list[list[str]], lo: int, hi: int) -> None:
    """Title, year and unit from the rows above a card; other text kept as details."""
    for r in range(lo, hi):
        for cell in rows[r]:
            text = cell.strip()
            if not text:
                continue
            match = _YEAR.search(header_key(text))
            if card.year is None and match and ("年度" in text or "表" in text or len(text) <= 12):
                card.year, card.year_text = int(match.group(1)), text
                card.title = card.title or (text if "表" in text else None)
                continue
            if "表" in text and card.title is None:
                card.title = text
                continue
            if unit := re.search(r"单位\s*[:：]\s*(?:人民币)?\s*(万元|元)", text):
                card.amount_unit = unit.group(1)
                continue
            inline = split_inline(text)
            if inline and inline[0] in ("department", "unit") and inline[0] not in card.fields:
                card.fields[inline[0]] = inline[2]
                card.field_rows[inline[0]] = r + 1
                continue
            card.details["表头"] = (card.details.get("表头", "") + "\n" + text).strip()


def read_cards(grid: Grid) -> CardGrid:
    """Every card of the grid. Rows between two cards that are not the first card's
    indicator block or notes are the next card's preamble (its title and year)."""
    rows = grid.rows
    starts = card_starts(rows)
    cards: list[Card] = []
    preamble_from = 0
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(rows)
        # the next card's title rows sit at the end of this card's range
        head_of_next = end
        if k + 1 < len(starts):
            reader = _CardReader(rows, start, end)
            reader.read()
            head_of_next = max(reader.block_end, start + 1)
            while head_of_next < end and not _is_title_region(rows, head_of_next, end):
                head_of_next += 1
        reader = _CardReader(rows, start, head_of_next)
        card = reader.read()
        _take_preamble(card, rows, preamble_from, start)
        cards.append(card)
        preamble_from = head_of_next
    return CardGrid(cards=cards, synthetic=is_synthetic(rows[: starts[0]] if starts else rows))


def _is_title_region(rows: list[list[str]], lo: int, hi: int) -> bool:
    """Whether every non-blank row in [lo, hi) is a single-cell title (not a note)."""
    for r in range(lo, hi):
        texts = [t.strip() for t in rows[r] if t.strip()]
        if not texts:
            continue
        if len(texts) != 1 or NOTE_START.match(texts[0]):
            return False
    return True


def details_json(card: Card) -> str | None:
    """The card's kept extra cells as JSON text (None when there are none)."""
    if not card.details:
        return None
    return json.dumps(card.details, ensure_ascii=False, sort_keys=True)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def split_inline(text: str) -> tuple[str, str, str] | None:
    """`部门名称：岳阳县农业农村局` (label and value in one cell) → (role, label, value)."""
    label, colon, value = unicodedata.normalize("NFKC", text).partition(":")
    role = label_role(label) if colon and value.strip() else None
    if role in (None, "group", "name"):
        return None
    return role, label.strip(), value.strip()
