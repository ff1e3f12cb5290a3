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

import re
import unicodedata
from dataclasses import dataclass, field

from transforms.card_labels import (
    BLOCK_ROLE,
    COMPARISON,
    PERIOD_MARKS,
    is_annual_label,
    label_key,
    label_role,
    split_inline,
)
from transforms.grid import Grid
from transforms.locate import header_at, header_key, is_synthetic
from transforms.rows import TOTAL_LABELS

NOTE_START = re.compile(r"^(注|说明|备注|填报说明|填表说明)\s*[:：\d１-９]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_UNIT = re.compile(r"[(（](?:单位[:：])?(万元|元)[)）]")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
EXTRA_BLOCK_ROLES = ("weight", "standard", "direction", "remark")
_LEVEL_ROLES = ("level1", "level2", "level3")


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
    labels: dict[str, str] = field(default_factory=dict)  # the label each field came from
    fiscal_parts: list[str] = field(default_factory=list)  # 本级 + 上级 …: 财政拨款 in parts
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


def continues_card(grid: Grid) -> bool:
    """A table with no title of its own that opens with an indicator block's header or
    a card's label (资金情况, 年度目标 …): the rest of the card above it, cut off by a
    page break (PDF) or a table break."""
    if grid.preamble:
        return False
    first = next((cells for cells in grid.rows if any(c.strip() for c in cells)), [])
    roles = _block_roles(first)
    if {"level3"} <= roles.keys() and bool(roles.keys() & {"level1", "level2"}):
        return True
    text = next((c for c in first if c.strip()), "")
    return label_role(text) not in (None, "name")


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
        """Put a label's value in its field, or in the details when it is a 中期 value,
        a detail, a part of the 财政拨款, or a second value for a field already held."""
        card, key = self.card, label_key(label)
        if role == "period_total":
            self.period_columns.add(c)
        if role in ("period_total", "period_goal", "detail"):
            self._detail(key, value)
            return
        if c in self.period_columns and role in ("total", "fiscal", "special", "other"):
            self._detail(f"中期{key}", value)  # under a 中期资金总额 label
            return
        if role == "fiscal_part":
            card.fiscal_parts.append(value)
            self._detail(key, value)
            return
        if card.fields.get(role):
            previous = card.labels.get(role, "")
            if not (is_annual_label(label) and not is_annual_label(previous)):
                self._detail(key, value)  # a second value: kept, never overwritten
                return
            self._detail(f"中期{label_key(previous)}", card.fields[role])  # 资金总额 | 当年…
        card.fields[role] = value
        card.labels[role] = label
        card.field_rows[role] = r + 1

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
        op, direction = get("op"), get("direction")
        if COMPARISON.match(direction) and not COMPARISON.match(op):
            op, direction = direction, op  # 指标性质 holds 正向 and 指标方向 the `=` (内蒙古)
        if "op" in roles or "unit" in roles:
            shown = op if COMPARISON.match(op) else ""  # 定性 / 定量 stay in the record only
            value = f"{shown}{value}{get('unit')}" if value else ""
        if "period" not in roles:
            period = value or annual
        if "annual" not in roles:
            annual = value or period
        if not (name or period or annual):
            if get("level1") or get("level2"):  # a level row with no indicator (template)
                self._detail("空二级指标", f"{level1} / {get('level2') or get('level1')}")
            return
        own = [
            _cell(self.rows, row, c)
            for c in sorted(set(roles.values()) - {roles.get(r, -1) for r in _LEVEL_ROLES[:2]})
        ]
        self.card.indicators.append(
            {
                "indicator_row": row + 1,
                "indicator_pos": len(self.card.indicators) + 1,
                "record": " | ".join([level1, level2, *own]),
                "level1_text": level1 or None,
                "level2_text": level2 or None,
                "name": name or None,
                "period": period,
                "annual": annual,
                **{f"{role}_text": get(role) or None for role in EXTRA_BLOCK_ROLES},
                "direction_text": direction or None,
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


def _block_roles(cells: list[str]) -> dict[str, int]:
    """Column roles of an indicator block header. A role named twice (中期 | 年度 side by
    side) is the 年度 one at its last place; the earlier place is the 中期 one
    (`period` for a value column, `period_level2` / `period_level3` for level names)."""
    places: dict[str, list[tuple[int, str]]] = {}
    for index, text in enumerate(cells):
        role = BLOCK_ROLE.get(label_key(text)) if text.strip() else None
        if role:
            places.setdefault(role, []).append((index, header_key(text)))
    roles: dict[str, int] = {}
    for role, found in places.items():
        annual = [i for i, key in found if not any(m in key for m in PERIOD_MARKS)]
        roles[role] = (annual or [found[-1][0]])[-1]
        earlier = [i for i, _ in found if i != roles[role]]
        if earlier:
            roles["period" if role in ("value", "annual") else f"period_{role}"] = earlier[0]
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


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
