"""A logical table in the national forms: one card per project, or the list form.

- card (财政部's 项目支出绩效目标申报表 and its provincial variants): title and year, label
  and value cells (项目名称, 主管部门, 实施单位), the 资金情况 block, 总体目标, then the
  indicator block (一级 / 二级 / 三级 / 指标值 …, level cells merged down);
- list (四川's 部门预算项目绩效目标申报表 …): one row per indicator; 单位名称 / 项目名称 /
  预算数 / 年度目标 only on a project's first row, merged down; a department row carrying
  the subtotal.

Each card is its own `Sheet`; `form_sheets` lays cards out one per sheet, stacked on one
sheet, or one Word table each, and puts `vocabulary.SYNTHETIC_MARK` first. Every sheet's
`meta` says, per project, how it was printed (where it starts, its labels, target cells,
amount cells), so a test can compare what a reader finds with what was written.
"""

from __future__ import annotations

import random
import zlib
from decimal import Decimal
from typing import Any

from synth import vocabulary as vocab
from synth.forms import (
    CARD_LEVEL1,
    CARD_LEVEL2,
    FORM_NOTES,
    LEVEL1_WEIGHTS,
    STANDARDS,
    FormStyle,
    amount_text,
    ascii_ops,
    direction,
    plain_number,
    split_target,
    with_code,
)
from synth.model import Funds, Indicator, LogicalTable, Project
from synth.render import Sheet
from synth.style import Style

HEADER = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "period": "中期指标值",
    "op": "指标性质",
    "value": "指标值",
    "measure": "度量单位",
}
_TEN_THOUSAND = Decimal(10000)


class _Grid:
    """Rows of a fixed width, merges, and the numbers behind plain amount cells."""

    def __init__(self, width: int) -> None:
        self.sheet = Sheet(rows=[], width=width)

    @property
    def last(self) -> int:
        return self.sheet.width - 1

    def add(self, cells: dict[int, str]) -> int:
        row = [""] * self.sheet.width
        for column, value in cells.items():
            row[column] = value
        self.sheet.rows.append(row)
        return len(self.sheet.rows) - 1

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.sheet.merges.append((r1, c1, r2, c2))

    def span_row(self, text: str) -> int:
        row = self.add({0: text})
        self.merge(row, 0, row, self.last)
        return row

    def merge_down(self, column: int, keys: list[str], top: int) -> None:
        """Merge runs of equal keys in `column` from row `top`; text stays on a run's first."""
        start = 0
        for index in range(1, len(keys) + 1):
            if index == len(keys) or keys[index] != keys[start]:
                for row in range(top + start + 1, top + index):
                    self.sheet.rows[row][column] = ""
                self.merge(top + start, column, top + index - 1, column)
                start = index


def _rng(table: LogicalTable, project: Project) -> random.Random:
    return random.Random(f"{table.year}:{table.department}:{project.name}:form")


def _level2_label(code: str, form: FormStyle) -> str:
    name = CARD_LEVEL2[code]
    if form.split_levels and len(name) > 4:  # 经济效益 指标: a long name wraps before 指标
        return name[:-2] + form.split_levels + name[-2:]
    return name


def _weights(indicators: list[Indicator]) -> list[int]:
    """Each level-1 category's weight shared out over its indicators (sum 90 when all three)."""
    counts: dict[str, int] = {}
    for ind in indicators:
        counts[ind.level1_code] = counts.get(ind.level1_code, 0) + 1
    seen: dict[str, int] = {}
    weights = []
    for ind in indicators:
        code = ind.level1_code
        share, extra = divmod(LEVEL1_WEIGHTS[code], counts[code])
        weights.append(share + (1 if seen.get(code, 0) < extra else 0))
        seen[code] = seen.get(code, 0) + 1
    return weights


def _target_columns(form: FormStyle) -> list[str]:
    return ["op", "value", "measure"] if form.split_targets else ["annual"]


class _IndicatorRows:
    """The indicator cells of one project, as printed (shared by cards and lists)."""

    def __init__(self, indicators: list[Indicator], form: FormStyle, rng: random.Random) -> None:
        self.indicators = indicators
        self.form = form
        weights = _weights(indicators)
        self.targets: list[Any] = []
        typed = ascii_ops if form.ascii_ops else str
        self.periods = [typed(ind.period_target) for ind in indicators] if form.period else None
        self.extras: dict[str, list[str]] = {name: [] for name in form.extras}
        for ind, weight in zip(indicators, weights, strict=True):
            parts = split_target(ind.annual_target)
            self.targets.append(list(parts) if form.split_targets else typed(ind.annual_target))
            for name in form.extras:
                value = {"权重": str(weight), "指标方向": direction(parts[0])}.get(name)
                self.extras[name].append(value or rng.choice(STANDARDS))

    def cells(self, index: int, columns: dict[str, int]) -> dict[int, str]:
        ind = self.indicators[index]
        cells = {columns["level3"]: ind.name}
        if "period" in columns and self.periods is not None:
            cells[columns["period"]] = self.periods[index]
        target = self.targets[index]
        if self.form.split_targets:
            for role, text in zip(("op", "value", "measure"), target, strict=True):
                cells[columns[role]] = text
        else:
            cells[columns["annual"]] = target
        for name, values in self.extras.items():
            cells[columns[f"extra:{name}"]] = values[index]
        return cells


class _Card(_Grid):
    """One project's card."""

    def __init__(
        self, table: LogicalTable, unit: str, project: Project, style: Style, form: FormStyle
    ) -> None:
        self.table, self.unit_name, self.project, self.form = table, unit, project, form
        self.table_units = [u.name for u in table.units]
        self.printed: _IndicatorRows | None = None
        self.row_seqs: list[int | None] = []
        self.unit = style.amount_unit or table.amount_unit
        self.rng = _rng(table, project)
        roles = ["level1", "level2", "level3", *(["period"] if form.period else [])]
        roles += _target_columns(form) + [f"extra:{name}" for name in form.extras]
        self.columns = {role: index + 1 for index, role in enumerate(roles)}
        super().__init__(1 + len(roles))
        self.mid = 1 + (self.sheet.width - 1) // 2
        self.amount_cells: dict[str, str | None] = {}
        self.period_total: Decimal | None = None

    def build(self) -> Sheet:
        table, form = self.table, self.form
        if form.title == "year_row":
            self.span_row("项目支出绩效目标申报表")
            self.span_row(f"（{table.year}年度）")
        else:
            self.span_row(f"{table.year}年项目支出绩效目标申报表")
        if form.amount_typing == "plain":
            self.span_row(f"金额单位：{self.unit}")
        self.sheet.head = len(self.sheet.rows)
        row = self.add({0: "项目名称", 1: self.project.name})
        self.merge(row, 1, row, self.last)
        department, unit = table.department, self.unit_name
        if form.codes:  # one spelling per department: [015001]…, (433)…(部门) or 820-…
            code = _code(table.department)
            pattern = code % 3
            number = self.table_units.index(unit) + 1
            department = with_code(department, str(code), pattern, department=True)
            unit = with_code(unit, f"{code}{number:03d}", pattern, department=False)
        self.department_cell, self.unit_cell = department, unit
        self.pair_row(form.department_label, department, form.unit_label, unit)
        self.funds()
        self.goals()
        header, order, levels = self.indicators()
        if form.notes:
            self.span_row(self.rng.choice(FORM_NOTES))
        self.sheet.meta.append(self.meta(header, order, levels))
        return self.sheet

    def pair_row(self, label: str, value: str, label2: str, value2: str) -> int:
        mid = self.mid
        row = self.add({0: label, 1: value, mid: label2, mid + 1: value2})
        self.merge(row, 1, row, mid - 1)
        self.merge(row, mid + 1, row, self.last)
        return row

    def amount(self, value: Decimal, row: int, column: int) -> str:
        typing = self.form.amount_typing
        text = amount_text(value, typing, self.unit)
        if typing == "plain" and value:
            self.sheet.numbers[(row, column)] = (
                value * _TEN_THOUSAND if self.unit == "元" else value
            )
        return text

    def funds(self) -> None:
        project, form = self.project, self.form
        typing = form.amount_typing
        unit = self.unit if typing == "plain" else "万元"
        label = "资金情况" if typing == "yuan" else f"资金情况（{unit}）"
        lines = [
            ("total", "年度资金总额：", project.total),
            ("fiscal", "其中：财政拨款", project.fiscal),
        ]
        if project.special:
            lines.append(("special", "财政专户管理资金", project.special))
        lines.append(("other", "其他资金", project.other))
        self.amount_cells = {"special": None}
        first = len(self.sheet.rows)
        for key, name, value in lines:
            row = self.add({1: name})
            # inline: the amount shares its label's cell (年度资金总额：16), no number behind it
            text = amount_text(value, typing, self.unit) if form.inline_amounts else \
                self.amount(value, row, 2)  # fmt: skip
            if key == "total" and form.amount_note and typing in ("wan", "wanyuan"):
                sources = [(n.removeprefix("其中："), v) for _, n, v in lines[1:] if v]
                text += "(" + ",".join(f"{n}{plain_number(v)}万元" for n, v in sources) + ")"
            value_column = 1 if form.inline_amounts else 2
            if form.inline_amounts:
                text = name + text
            self.sheet.rows[row][value_column] = text
            self.amount_cells[key] = text
            if key == "total" and form.period:
                self.period_total = project.total * self.rng.choice((1, 2, 3))
                self.sheet.rows[row][self.mid] = "中期资金总额"
                self.sheet.rows[row][self.mid + 1] = self.amount(
                    self.period_total, row, self.mid + 1
                )
                self.merge(row, value_column, row, self.mid - 1)
                self.merge(row, self.mid + 1, row, self.last)
            else:
                self.merge(row, value_column, row, self.last)
        self.sheet.rows[first][0] = label
        self.merge(first, 0, len(self.sheet.rows) - 1, 0)

    def goals(self) -> None:
        goal, mid = self.project.goal, self.mid
        first = len(self.sheet.rows)
        if self.form.period:
            for texts in (("中期目标", "年度目标"), (goal, goal)):
                row = self.add({1: texts[0], mid: texts[1]})
                self.merge(row, 1, row, mid - 1)
                self.merge(row, mid, row, self.last)
        else:
            for text in ("年度目标", goal):
                row = self.add({1: text})
                self.merge(row, 1, row, self.last)
        self.sheet.rows[first][0] = "总体目标"
        self.merge(first, 0, first + 1, 0)

    def levels(self, code2: str, paren: str) -> tuple[str, str, bool]:
        """The printed level-1 and level-2 names of a category, and whether the satisfaction
        cell spans both."""
        form = self.form
        code1 = code2[0]
        if form.satisfaction_under_benefit and code1 == "3":
            level1 = CARD_LEVEL1["2"]
            if form.weights:
                level1 += paren.format(LEVEL1_WEIGHTS["2"])
            return level1, "社会公众或服务对象满意度指标", False
        level1 = CARD_LEVEL1[code1]
        if form.weights:
            level1 += paren.format(LEVEL1_WEIGHTS[code1])
        span = form.satisfaction_span and code1 == "3"
        return level1, level1 if span else _level2_label(code2, form), span

    def slots(self, order: list[Indicator]) -> list[Indicator | str]:
        """The indicator rows in print order; a str is a level-2 row with no indicator."""
        if not self.form.empty_levels:
            return list(order)
        present = {ind.level2_code for ind in order}
        groups = {ind.level1_code for ind in order}
        spare = [c for c in CARD_LEVEL2 if c[0] in groups and c not in present and c != "31"]
        picked = self.rng.sample(spare, min(len(spare), self.rng.randint(1, 2)))
        slots: list[Indicator | str] = [*order, *picked]
        return sorted(slots, key=lambda slot: slot if isinstance(slot, str) else slot.level2_code)

    def indicators(self) -> tuple[int, list[Indicator], tuple[list[str], list[str]]]:
        form, columns = self.form, self.columns
        order = sorted(self.project.indicators, key=lambda ind: ind.level2_code)
        names = {**HEADER, "annual": "年度指标值" if form.period else "指标值"}
        header = self.add(
            {
                0: "绩效指标",
                **{c: names.get(r, r.removeprefix("extra:")) for r, c in columns.items()},
            }
        )
        paren = self.rng.choice(("（{}分）", "({}分)"))
        printed = _IndicatorRows(order, form, self.rng)
        slots = self.slots(order)
        level1s, level2s, keys, spanned = [], [], [], []
        index = 0
        for slot in slots:
            code2 = slot if isinstance(slot, str) else slot.level2_code
            level1, level2, span = self.levels(code2, paren)
            if isinstance(slot, str):
                cells = {}
            else:
                cells = printed.cells(index, columns)
                level1s.append(level1)
                level2s.append(level2)
                index += 1
            cells[columns["level1"]] = level1
            cells[columns["level2"]] = "" if span else level2
            self.add(cells)
            keys.append((level1, level2))
            spanned.append(span)
        top = header + 1
        c1, c2 = columns["level1"], columns["level2"]
        plain = [key for key, span in zip(keys, spanned, strict=True) if not span]
        if not form.repeat_levels:
            self.merge_down(c1, [k[0] for k in plain], top)
            self.merge_down(c2, [f"{k[0]}|{k[1]}" for k in plain], top)
        if any(spanned):  # the satisfaction rows are last (sorted): one B:C block
            first = top + len(plain)
            self.merge(first, c1, top + len(slots) - 1, c2)
            for row in range(first + 1, top + len(slots)):
                self.sheet.rows[row][c1] = ""
        self.merge(header, 0, len(self.sheet.rows) - 1, 0)
        self.printed = printed
        self.row_seqs = [None if isinstance(slot, str) else slot.seq for slot in slots]
        return header, order, (level1s, level2s)

    def meta(
        self, header: int, order: list[Indicator], levels: tuple[list[str], list[str]]
    ) -> dict[str, Any]:
        printed = self.printed
        assert printed is not None, "indicators() runs before meta()"
        return {
            "kind": "card",
            "project": self.project.name,
            "unit": self.unit_name,
            "department_cell": self.department_cell,
            "unit_cell": self.unit_cell,
            "first_row": 1,  # 1-based row of the card's first row in its sheet (see form_sheets)
            "header_row": header + 1,  # 1-based, relative to the card's first row
            "rows": len(self.sheet.rows),
            "order": [ind.seq for ind in order],
            "row_seqs": self.row_seqs,  # per indicator row: its seq, None for an empty level
            "level1_labels": levels[0],
            "level2_labels": levels[1],
            "targets": printed.targets,
            "period_targets": printed.periods,
            "extras": printed.extras,
            "amount_cells": self.amount_cells,
            "period_total": None if self.period_total is None else str(self.period_total),
        }


def render_cards(
    table: LogicalTable, style: Style | None = None, form: FormStyle | None = None
) -> list[Sheet]:
    """One card (`Sheet`) per project, in the table's order; no synthetic mark yet."""
    style, form = style or Style(), form or FormStyle()
    return [
        _Card(table, unit.name, project, style, form).build()
        for unit in table.units
        for project in unit.projects
    ]


def _code(text: str) -> int:
    return 100 + zlib.crc32(text.encode("utf-8")) % 900


def render_list(
    table: LogicalTable, style: Style | None = None, form: FormStyle | None = None
) -> Sheet:
    """The list form: one row per indicator, a department row with the subtotal."""
    style, form = style or Style(), form or FormStyle()
    unit = style.amount_unit or table.amount_unit
    amounts = ["total"] if form.list_amounts == "total" else ["total", "fiscal", "special", "other"]
    amount_names = (
        {"total": "预算数"}
        if form.list_amounts == "total"
        else {
            "total": "合计",
            "fiscal": "财政拨款",
            "special": "财政专户管理资金",
            "other": "其他资金",
        }
    )
    roles = ["unit", "project", *amounts, "goal", "level1", "level2", "level3"]
    roles += ["period"] if form.period else []
    roles += _target_columns(form) + [f"extra:{name}" for name in form.extras]
    columns = {role: index for index, role in enumerate(roles)}
    grid = _Grid(len(roles))
    grid.span_row(f"部门预算项目绩效目标申报表（{table.year}年度）")
    grid.span_row(f"金额单位：{unit}")
    grid.sheet.head = 2
    names = {
        **HEADER,
        **amount_names,
        "unit": "单位名称",
        "project": "项目名称",
        "goal": "年度目标",
        "annual": "年度指标值" if form.period else "指标值",
    }
    grid.add({c: names.get(r, r.removeprefix("extra:")) for r, c in columns.items()})

    def amount_cells(funds: Funds, row: int) -> dict[str, str]:
        cells = {}
        for key in amounts:
            value = getattr(funds, key)
            cells[key] = amount_text(value, "plain", unit, style.thousands)
            if value:
                grid.sheet.numbers[(row, columns[key])] = (
                    value * _TEN_THOUSAND if unit == "元" else value
                )
        return cells

    code = _code(table.department)
    department = with_code(table.department, str(code), 2, True) if form.codes else table.department
    row = len(grid.sheet.rows)
    declared = amount_cells(table.declared, row)
    grid.add({0: department, **{columns[k]: v for k, v in declared.items()}})
    grid.merge(row, 0, row, 1)
    grid.sheet.meta.append(
        {"kind": "department", "cell": department, "row": row + 1, "amount_cells": declared}
    )
    for number, table_unit in enumerate(table.units, 1):
        unit_cell = (
            with_code(table_unit.name, f"{code}{number:03d}", 2, False)
            if form.codes
            else table_unit.name
        )
        unit_first = len(grid.sheet.rows)
        for project in table_unit.projects:
            rng = _rng(table, project)
            order = list(project.indicators)
            printed = _IndicatorRows(order, form, rng)
            first = len(grid.sheet.rows)
            cells_of_amounts = amount_cells(project.funds, first)
            level1s, level2s = [], []
            for index, ind in enumerate(order):
                level1 = CARD_LEVEL1[ind.level1_code]
                level2 = _level2_label(ind.level2_code, form)
                level1s.append(level1)
                level2s.append(level2)
                cells = printed.cells(index, columns)
                cells[columns["level1"]] = level1
                cells[columns["level2"]] = level2
                if index == 0:
                    cells[columns["project"]] = project.name
                    cells[columns["goal"]] = project.goal
                    cells.update({columns[k]: v for k, v in cells_of_amounts.items()})
                    if first == unit_first:
                        cells[columns["unit"]] = unit_cell
                grid.add(cells)
            last = len(grid.sheet.rows) - 1
            for role in ("project", *amounts, "goal"):
                grid.merge(first, columns[role], last, columns[role])
            grid.sheet.meta.append(
                {
                    "kind": "project",
                    "project": project.name,
                    "unit": table_unit.name,
                    "unit_cell": unit_cell,
                    "first_row": first + 1,
                    "rows": last - first + 1,
                    "order": [ind.seq for ind in order],
                    "row_seqs": [ind.seq for ind in order],
                    "level1_labels": level1s,
                    "level2_labels": level2s,
                    "targets": printed.targets,
                    "period_targets": printed.periods,
                    "extras": printed.extras,
                    "amount_cells": cells_of_amounts,
                }
            )
        grid.merge(unit_first, 0, len(grid.sheet.rows) - 1, 0)
    if form.notes:
        grid.span_row(random.Random(f"{table.year}:{table.department}:notes").choice(FORM_NOTES))
    return grid.sheet


# --- arranging cards into a file ------------------------------------------------------------


def shifted(sheet: Sheet, by: int) -> Sheet:
    """The same sheet `by` rows lower (blank rows on top), merges, numbers and meta too."""
    meta = [dict(m) for m in sheet.meta]
    for item in meta:
        for key in ("first_row", "row"):
            if key in item:
                item[key] += by
    return Sheet(
        rows=[[] for _ in range(by)] + [list(row) for row in sheet.rows],
        merges=[(r1 + by, c1, r2 + by, c2) for r1, c1, r2, c2 in sheet.merges],
        numbers={(r + by, c): v for (r, c), v in sheet.numbers.items()},
        width=sheet.width,
        head=sheet.head + by,
        title=sheet.title,
        meta=meta,
    )


def marked(sheet: Sheet) -> Sheet:
    """The sheet with `SYNTHETIC_MARK` as its first row (a paragraph in Word)."""
    result = shifted(sheet, 1)
    result.rows[0] = [vocab.SYNTHETIC_MARK]
    return result


def stacked(cards: list[Sheet]) -> Sheet:
    """All cards on one sheet, one blank row between two cards."""
    rows: list[list[str]] = []
    merges: list[tuple[int, int, int, int]] = []
    numbers: dict[tuple[int, int], Decimal] = {}
    meta: list[dict[str, Any]] = []
    for index, card in enumerate(cards):
        top = len(rows) + (1 if index else 0)
        part = shifted(card, top)
        rows = part.rows if not rows else rows + [[]] + part.rows[top:]
        merges += part.merges
        numbers.update(part.numbers)
        meta += part.meta
    width = max((card.width for card in cards), default=0)
    head = cards[0].head if cards else 0
    return Sheet(rows=rows, merges=merges, numbers=numbers, width=width, head=head, meta=meta)


def form_sheets(
    table: LogicalTable,
    fmt: str,
    layout: str,
    style: Style | None = None,
    form: FormStyle | None = None,
) -> list[Sheet]:
    """The sheets (or Word tables) of one file in a national form, mark first.

    list: one sheet. card: one sheet per card ('sheets'), all on one ('stacked'; always so
    in text files), or one Word table per card (docx). Each project's meta gets `sheet`
    (0-based sheet or table index) and `first_row` (1-based row in that sheet).
    """
    form = form or FormStyle()
    if layout == "list":
        sheets = [marked(render_list(table, style, form))]
    elif layout == "card":
        cards = render_cards(table, style, form)
        if fmt in ("docx", "pdf"):
            sheets = [marked(cards[0]), *cards[1:]]
        elif fmt in ("xlsx", "xls") and form.arrangement == "sheets":
            sheets = [marked(card) for card in cards]
        else:
            sheets = [marked(stacked(cards))]
        if fmt in ("xlsx", "xls") and len(sheets) > 1:
            for index, sheet in enumerate(sheets, 1):
                sheet.title = f"表{index}"
    else:
        raise ValueError(f"unknown form layout {layout!r} (expected card or list)")
    for index, sheet in enumerate(sheets):
        for item in sheet.meta:
            item["sheet"] = index
    return sheets


def effective_arrangement(fmt: str, layout: str, form: FormStyle) -> str:
    """How the cards of a file are laid out: sheets, stacked or tables (Word); list: list."""
    if layout == "list":
        return "list"
    if fmt == "docx":
        return "tables"
    if fmt == "pdf":
        return "pages" if form.arrangement == "sheets" else "flow"
    return form.arrangement if fmt in ("xlsx", "xls") else "stacked"
