"""A long-layout table (one row per indicator) → classified rows + indicator records.

    项目名称 | 总计 | … | 绩效目标 | 一级指标 | 二级指标 | 三级指标 | 实施周期指标值 | 年度指标值
    项目甲   | 9.00 | … | 目标     | 产出指标 | 数量指标 | 面积     | 100平方米      | 100平方米
             |      |   |          |          | 质量指标 | 合格率   | ≥95%           | ≥95%

A project's own cells (name, amounts, goal) sit on its first row; on the rows below
they are blank (merged cells in a workbook, blank cells in csv) or repeat the same
values. Level-1 / level-2 cells are also often merged over their indicators, so
within a project a blank level cell means "same as above". With a single 指标值
column, that value is both the period and the annual target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from transforms.grid import Grid
from transforms.locate import Layout
from transforms.rows import body_rows, cell, head_cells, row_kind, rows_frame

# one record per indicator row; codes are split from the level texts later (vectorized)
LISTED_COLUMNS = {
    "source_row": pl.Int32,  # the project's first row (indicators hang off projects)
    "indicator_row": pl.Int32,  # the row the indicator itself is on
    "indicator_pos": pl.Int32,  # 1..n within the project, in table order
    "record": pl.String,  # the indicator's cells joined with " | " (raw trace)
    "level1_text": pl.String,
    "level2_text": pl.String,
    "name": pl.String,
    "period": pl.String,
    "annual": pl.String,
}
# kept beside an indicator when its table has the column (权重 / 绩效标准 / 指标方向 / 备注)
INDICATOR_EXTRAS = ("weight_text", "standard_text", "direction_text", "remark_text")


@dataclass
class _Project:
    """The project whose indicator rows are being read, and its carried level cells."""

    source_row: int
    head: dict[str, str]
    level1: str = ""
    level2: str = ""
    count: int = 0
    records: list[dict[str, object]] = field(default_factory=list)


def value_cells(cells: list[str], columns: dict[str, int]) -> tuple[str, str]:
    """(period, annual) target texts; a lone value column serves as both."""
    value = cell(cells, columns.get("value"))
    period = cell(cells, columns.get("period")) if "period" in columns else ""
    annual = cell(cells, columns.get("annual")) if "annual" in columns else ""
    if "period" not in columns:
        period = value or annual
    if "annual" not in columns:
        annual = value or period
    return period, annual


def continues(head: dict[str, str], project: _Project) -> bool:
    """A row belongs to the current project when its project cells are blank or repeated."""
    return all(not text or text == project.head[key] for key, text in head.items())


def add_indicator(project: _Project, cells: list[str], index: int, columns: dict[str, int]) -> None:
    """Record the indicator on this row (if any), carrying blank level cells down."""
    project.level1 = cell(cells, columns.get("level1")) or project.level1
    project.level2 = cell(cells, columns.get("level2")) or project.level2
    name = cell(cells, columns.get("level3"))
    period, annual = value_cells(cells, columns)
    if not (name or period or annual):
        return
    project.count += 1
    parts = (project.level1, project.level2, name, period, annual)
    project.records.append(
        {
            "source_row": project.source_row,
            "indicator_row": index + 1,
            "indicator_pos": project.count,
            "record": " | ".join(parts),
            "level1_text": project.level1 or None,
            "level2_text": project.level2 or None,
            "name": name or None,
            "period": period,
            "annual": annual,
        }
    )


def has_indicator(cells: list[str], columns: dict[str, int]) -> bool:
    """Whether the row names an indicator or gives a target value."""
    return bool(cell(cells, columns.get("level3")) or any(value_cells(cells, columns)))


def walk_long(grid: Grid, layout: Layout, department: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Classified rows (as for a packed table, `indicator_text` empty) and indicator records."""
    columns = layout.columns
    rows: list[dict[str, object]] = []
    projects: list[_Project] = []
    current_unit, project = department, None
    for index, cells in body_rows(grid, layout):
        head = head_cells(cells, columns)
        if project is not None and continues(head, project):
            add_indicator(project, cells, index, columns)
            continue
        kind = row_kind(head, has_indicator(cells, columns))
        current_unit = head["name"] if kind == "unit" else current_unit
        rows.append(
            {
                "source_row": index + 1,
                "row_kind": kind,
                "unit_name": current_unit if kind != "total" else None,
                **head,
                "indicator_text": "",
            }
        )
        project = _Project(index + 1, head) if kind == "project" else None
        if project is not None:
            projects.append(project)
            add_indicator(project, cells, index, columns)
    records = [record for p in projects for record in p.records]
    return (
        rows_frame(rows, layout.amount_unit, department),
        pl.DataFrame(records, schema=LISTED_COLUMNS),
    )
