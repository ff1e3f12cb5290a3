"""A logical table + layout + style → a `Sheet`: rows of text cells, merges, numbers.

One grid serves every file format: text writers join the cells, spreadsheet writers also
apply the merges and (with `numeric_cells`) write amounts as numbers. Layouts:

- packed (the sample): one row per project, all indicators packed into one cell;
- long: one row per indicator; the project's cells only on its first row (merged down
  in spreadsheets), level names printed plainly (产出指标, 数量指标).

A synthetic table's first row is `vocabulary.SYNTHETIC_MARK` (数据性质：虚构示例数据…), in
every format, so the file itself says its figures are invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from synth import vocabulary as vocab
from synth.model import Funds, Indicator, LogicalTable, Project
from synth.style import AMOUNT_ROLES, GROUP_HEADER, Style

_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
_TEN_THOUSAND = Decimal(10000)


@dataclass
class Sheet:
    """Rows of cells (row i = file row i + 1); merges as (row1, col1, row2, col2), 0-based.

    `head`: how many leading rows a Word file prints as paragraphs above the table (title,
    year); `title`: the worksheet's name ('' = the default); `meta`: per printed project,
    what the truth records about how it was printed (card and list forms).
    """

    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    numbers: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    width: int = 0
    head: int = 0
    title: str = ""
    meta: list[dict[str, Any]] = field(default_factory=list)


def level_names(indicator: Indicator, style: Style) -> tuple[str, str]:
    if style.level_names == "variant":
        return (
            vocab.LEVEL1_VARIANTS.get(indicator.level1_code, indicator.level1_name),
            vocab.LEVEL2_VARIANTS.get(indicator.level2_code, indicator.level2_name),
        )
    return indicator.level1_name, indicator.level2_name


def packed_indicators(indicators: tuple[Indicator, ...], style: Style) -> str:
    """`1-产出指标：12-质量指标：名称；实施周期指标值：V；年度指标值：V。2-3-…` as in the sample."""
    parts = []
    for position, ind in enumerate(indicators):
        seq = "" if position == 0 and style.omit_first_seq else f"{ind.seq}-"
        code = ind.level2_code
        if style.level_codes == "dotted":
            code = f"{code[0]}.{code[1:]}"
        if style.level2_separator == "sample":
            sep = "；" if ind.level2_code == "31" else "："
        else:
            sep = style.level2_separator
        level1, level2 = level_names(ind, style)
        parts.append(
            f"{seq}{ind.level1_code}-{level1}：{code}-{level2}{sep}{ind.name}；"
            f"实施周期指标值：{ind.period_target}；年度指标值：{ind.annual_target}。"
        )
    return "".join(parts)


class _Builder:
    """Accumulates rows; amount cells go through one formatter (units, widths, marks)."""

    def __init__(self, table: LogicalTable, layout: str, style: Style) -> None:
        self.table = table
        self.layout = layout
        self.style = style
        self.unit = style.amount_unit or table.amount_unit
        self.roles = style.roles(layout)
        self.column = {role: i for i, role in enumerate(self.roles)}
        self.sheet = Sheet(rows=[], width=len(self.roles))
        self.amount_cells = 0

    def amount(self, value: Decimal, row: int, role: str) -> str:
        if not value:
            return self.style.zero_mark
        shown = value * _TEN_THOUSAND if self.unit == "元" else value
        self.sheet.numbers[(row, self.column[role])] = shown
        text = f"{shown:,.2f}" if self.style.thousands else f"{shown:.2f}"
        self.amount_cells += 1
        if self.style.fullwidth_amounts and self.amount_cells % 3 == 0:
            text = text.translate(_FULLWIDTH)
        return text

    def add(self, cells: dict[str, str]) -> int:
        row = len(self.sheet.rows)
        self.sheet.rows.append([cells.get(role, "") for role in self.roles])
        return row

    def add_amount_row(self, name: str, funds: Funds, extra: dict[str, str]) -> int:
        row = len(self.sheet.rows)
        cells = {
            role: self.amount(value, row, role)
            for role, value in zip(AMOUNT_ROLES, funds, strict=True)
        }
        return self.add({"name": name, **cells, **extra})

    def preamble(self) -> None:
        width = self.sheet.width
        mark = [vocab.SYNTHETIC_MARK] if self.table.synthetic else []  # invented: say so first
        self.sheet.rows += [mark, [], [vocab.TITLE], []]
        self.sheet.merges.append((2, 0, 2, width - 1))
        self.sheet.rows.append(
            [f"部门名称：{self.table.department}", *[""] * (width - 3), f"单位：{self.unit}", ""]
        )

    def header(self) -> None:
        style = self.style
        names = {role: style.header(role) for role in self.roles}
        if not style.two_row_header:
            self.add(names)
            return
        first = min(self.column[r] for r in AMOUNT_ROLES)
        top_row = self.add({r: n for r, n in names.items() if r not in AMOUNT_ROLES})
        self.sheet.rows[top_row][first] = GROUP_HEADER
        self.add({r: names[r] for r in AMOUNT_ROLES})
        self.sheet.merges.append((top_row, first, top_row, first + len(AMOUNT_ROLES) - 1))
        for role in self.roles:
            if role not in AMOUNT_ROLES:
                column = self.column[role]
                self.sheet.merges.append((top_row, column, top_row + 1, column))

    def project(self, project: Project) -> None:
        if self.layout == "packed":
            extra = {
                "goal": project.goal,
                "indicators": packed_indicators(project.indicators, self.style),
            }
            self.add_amount_row(project.name, project.funds, extra)
            return
        first = len(self.sheet.rows)
        for position, ind in enumerate(project.indicators):
            level1, level2 = level_names(ind, self.style)
            cells = {
                "level1": level1, "level2": level2, "level3": ind.name,
                "period": ind.period_target, "annual": ind.annual_target,
            }  # fmt: skip
            if position == 0:
                self.add_amount_row(project.name, project.funds, {"goal": project.goal, **cells})
            else:
                self.add(cells)
        last = len(self.sheet.rows) - 1
        if last > first:
            for role in ("name", *AMOUNT_ROLES, "goal"):
                column = self.column[role]
                self.sheet.merges.append((first, column, last, column))

    def body(self) -> None:
        self.add_amount_row("合计", self.table.declared, {})
        for unit in self.table.units:
            self.add_amount_row(unit.name, unit.subtotal, {})
            for project in unit.projects:
                self.project(project)
        if self.style.notes:
            note = vocab.NOTES[self.table.year % len(vocab.NOTES)].replace("{unit}", self.unit)
            self.add({"name": note})  # under 项目名称, wherever that column is


def render(table: LogicalTable, layout: str = "packed", style: Style | None = None) -> Sheet:
    """The grid a file of this table shows (before encoding or spreadsheet packaging)."""
    if layout not in ("packed", "long"):
        raise ValueError(f"unknown layout {layout!r} (expected packed or long)")
    builder = _Builder(table, layout, style or Style())
    builder.preamble()
    builder.header()
    builder.body()
    return builder.sheet
