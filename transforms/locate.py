"""A grid → where things are: preamble (部门名称, 单位), header row, column roles.

Columns are found by their names (and synonyms), never by position.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from transforms.errors import TableError
from transforms.read import Grid

# role → header texts that mean it (compared after `header_key`)
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称（资金使用单位）", "项目名称(资金使用单位)", "项目名称", "项目", "单位名称"),
    "total": ("总计", "合计", "金额合计", "项目资金", "资金总额", "项目金额"),
    "fiscal": ("财政拨款", "一般公共预算", "一般公共预算拨款", "财政拨款资金"),
    "special": ("财政专户拨款", "财政专户管理资金", "专户资金"),
    "other": ("其他资金", "其他"),
    "goal": ("绩效目标", "年度绩效目标", "年度目标", "项目绩效目标"),
    "indicators": ("绩效指标", "绩效指标内容"),
}
REQUIRED_ROLES = ("name", "total", "goal", "indicators")
AMOUNT_ROLES = ("total", "fiscal", "special", "other")

_DEPARTMENT = re.compile(r"(?:部门|单位)名称[:：]\s*(.+)")
_UNIT = re.compile(r"单位[:：]\s*(万元|元)")


def header_key(text: str) -> str:
    """Header text compared loosely: width-folded, no spaces or line breaks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_SYNONYM_ROLE = {header_key(s): role for role, names in COLUMN_SYNONYMS.items() for s in names}


@dataclass(frozen=True)
class Layout:
    """Where a table's parts are in its grid (row indexes are 0-based into `grid.rows`)."""

    header_row: int
    columns: dict[str, int]
    department: str | None
    amount_unit: str
    title: str | None
    notes: list[str] = field(default_factory=list)


def column_roles(cells: list[str]) -> dict[str, int]:
    """Map each recognised header cell to its role (first occurrence wins)."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        role = _SYNONYM_ROLE.get(header_key(cell))
        if role and role not in roles:
            roles[role] = index
    return roles


def find_header(grid: Grid) -> int:
    """The first row naming a project column and a total column."""
    for index, cells in enumerate(grid.rows[:200]):
        roles = column_roles(cells)
        if "name" in roles and "total" in roles:
            return index
    raise TableError(
        "header",
        "no header row found (need a 项目名称 column and a 总计/合计 column)",
    )


def read_preamble(rows: list[list[str]]) -> tuple[str | None, str, str | None]:
    """Department name, amount unit and title from the rows above the header."""
    department, unit, title = None, "万元", None
    for cells in rows:
        for cell in cells:
            text = cell.strip()
            if not text:
                continue
            if match := _DEPARTMENT.search(text):
                department = department or match.group(1).strip()
            elif match := _UNIT.search(text):
                unit = match.group(1)
            elif title is None and "表" in text:
                title = text
    return department, unit, title


def locate(grid: Grid) -> Layout:
    """Find header, column roles and preamble; raise TableError naming what is missing."""
    header_row = find_header(grid)
    columns = column_roles(grid.rows[header_row])
    missing = [role for role in REQUIRED_ROLES if role not in columns]
    if missing:
        names = ", ".join(COLUMN_SYNONYMS[role][0] for role in missing)
        raise TableError(
            "required_columns",
            f"required columns missing from the header: {names}",
            row=header_row + 1,
            value=" | ".join(grid.rows[header_row]),
        )
    department, unit, title = read_preamble(grid.rows[:header_row])
    return Layout(
        header_row=header_row,
        columns=columns,
        department=department,
        amount_unit=unit,
        title=title,
    )
