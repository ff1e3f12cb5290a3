"""The list form (四川's 部门预算项目绩效目标申报表 and the like): one row per indicator,
with a unit column beside the project column, targets split into columns, and a row
per department or unit carrying its subtotal:

    单位名称       | 项目名称     | 预算数       | 一级指标 | … | 指标性质 | 指标值 | 度量单位
    820-马踏镇部门 |              | 8,827,620.53 |
    820001-井研县… | 村组干部报酬 | 3,309,840.00 | 效益指标 | … | ≥        | 95     | %
                   |              |              | 产出指标 | … | ≥        | 1      | 年

(and 年度目标, 权重, 指标方向性 columns)

A row naming a unit but no project, with an amount, declares a subtotal: the first
such row, above every project, is the department's (checked against all projects like
a 合计); later ones are units' (checked against their projects). A project's unit is
the unit cell on its first row (code dropped: `820001-井研县马踏镇人民政府`), carried down
while blank. The target is 指标性质 + 指标值 + 度量单位 joined (`≥95%`), and 权重,
指标方向性, 绩效标准 and 备注 stay with the record. Walked row by row: few departments
publish this form, so it has no vectorized walk.
"""

from __future__ import annotations

import polars as pl

from transforms.card_labels import COMPARISON, without_code
from transforms.cards import tidy_level
from transforms.grid import Grid
from transforms.locate import Layout
from transforms.long_layout import INDICATOR_EXTRAS, LISTED_COLUMNS
from transforms.rows import ROW_COLUMNS, body_rows, cell, head_cells, row_kind

LIST_ROLES = ("unit", "op", "measure", "weight", "direction", "standard", "remark")
LIST_LISTED_COLUMNS = {**LISTED_COLUMNS, **dict.fromkeys(INDICATOR_EXTRAS, pl.String)}
_LEVELS = ("level1", "level2")


def _target(cells: list[str], columns: dict[str, int]) -> tuple[str, str, str]:
    """(target text, op, direction): 指标性质 + 指标值 + 度量单位, whichever of 指标性质
    and 指标方向 holds the comparison (`≥`) being the op."""
    op, direction = cell(cells, columns.get("op")), cell(cells, columns.get("direction"))
    if COMPARISON.match(direction) and not COMPARISON.match(op):
        op, direction = direction, op
    value = cell(cells, columns.get("value")) or cell(cells, columns.get("annual"))
    shown = op if COMPARISON.match(op) else ""  # 定性 / 定量 stay in the record only
    text = f"{shown}{value}{cell(cells, columns.get('measure'))}" if value else ""
    return text, op, direction


class _Walk:
    """The walk's state: rows, indicator records, the open project and its levels."""

    def __init__(self, department: str) -> None:
        self.rows: list[dict[str, object]] = []
        self.records: list[dict[str, object]] = []
        self.unit = department
        self.project: dict[str, object] | None = None
        self.levels = dict.fromkeys(_LEVELS, "")
        self.count = 0

    def open_row(self, index: int, head: dict[str, str], kind: str) -> None:
        self.rows.append(
            {
                "source_row": index + 1,
                "row_kind": kind,
                "unit_name": None if kind == "total" else self.unit,
                **head,
                "indicator_text": "",
            }
        )
        self.project = self.rows[-1] if kind == "project" else None
        self.levels, self.count = dict.fromkeys(_LEVELS, ""), 0

    def add_indicator(self, index: int, cells: list[str], columns: dict[str, int]) -> None:
        level1, level2 = (tidy_level(cell(cells, columns.get(level))) for level in _LEVELS)
        if level1:  # a new level 1 opens its own level 2 (a 满意度 cell may span both)
            self.levels = {"level1": level1, "level2": level2 or level1}
        elif level2:
            self.levels["level2"] = level2
        name = cell(cells, columns.get("level3"))
        target, _, direction = _target(cells, columns)
        period = cell(cells, columns.get("period")) or target
        if self.project is None or not (name or target):
            return
        self.count += 1
        used = sorted(c for role, c in columns.items() if role not in ("unit", "name"))
        self.records.append(
            {
                "source_row": self.project["source_row"],
                "indicator_row": index + 1,
                "indicator_pos": self.count,
                "record": " | ".join(cell(cells, c) for c in used),
                "level1_text": self.levels["level1"] or None,
                "level2_text": self.levels["level2"] or None,
                "name": name or None,
                "period": period,
                "annual": target or period,
                "weight_text": cell(cells, columns.get("weight")) or None,
                "standard_text": cell(cells, columns.get("standard")) or None,
                "direction_text": direction or None,
                "remark_text": cell(cells, columns.get("remark")) or None,
            }
        )


def _subtotal_kind(walk: _Walk) -> str:
    """A unit-only row above every project is the department's total, else a unit's."""
    return "total" if not any(r["row_kind"] == "project" for r in walk.rows) else "unit"


def walk_list(grid: Grid, layout: Layout, department: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Classified rows and indicator records of a list-form table."""
    columns = layout.columns
    walk = _Walk(department)
    for index, cells in body_rows(grid, layout):
        head = head_cells(cells, columns)
        unit = without_code(cell(cells, columns.get("unit")))
        if head["name"]:
            walk.unit = unit or walk.unit
            walk.open_row(index, head, row_kind(head, True))
        elif unit and any(head[k] for k in head if k.endswith("_text")):
            kind = _subtotal_kind(walk)
            walk.unit = unit if kind == "unit" else walk.unit
            walk.open_row(index, {**head, "name": unit}, kind)
            continue
        walk.add_indicator(index, cells, columns)
    return (
        pl.DataFrame(walk.rows, schema=ROW_COLUMNS),
        pl.DataFrame(walk.records, schema=LIST_LISTED_COLUMNS),
    )


def department_row(grid: Grid, layout: Layout) -> str | None:
    """The name on the department's subtotal row, if the table has one (its department)."""
    for _, cells in body_rows(grid, layout):
        unit = without_code(cell(cells, layout.columns.get("unit")))
        if cell(cells, layout.columns.get("name")):
            return None
        if unit:
            return unit
    return None
