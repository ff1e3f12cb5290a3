"""A grid → where things are: preamble (部门名称, 单位, 数据性质), header row(s), column roles.

Columns are found by their names (and synonyms), never by position. A header may take
two rows: a group cell (资金来源, 项目资金, 绩效指标) above the cells it spans; the
lower row's names win. Two table layouts are recognised:

- packed: one row per project, all indicators in one 绩效指标 cell;
- long: one row per indicator (一级指标 / 二级指标 / 三级指标 / 指标值 columns), the
  project's own cells only on its first row (merged or blank below).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from transforms.errors import TableError
from transforms.grid import Grid

# role → header texts that mean it (compared after `header_key`)
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "项目名称（资金使用单位）", "项目名称", "项目", "单位名称", "项目名称（单位）",
        "资金使用单位/项目名称", "单位/项目名称", "项目（单位）名称",
    ),
    "total": (
        "总计", "合计", "金额合计", "项目资金", "资金总额", "项目金额", "资金合计", "项目资金合计",
        "预算金额", "预算数", "总额",
    ),
    "fiscal": (
        "财政拨款", "一般公共预算", "一般公共预算拨款", "财政拨款资金", "一般公共预算资金",
        "财政拨款（补助）", "财政资金",
    ),
    "special": ("财政专户拨款", "财政专户管理资金", "专户资金", "财政专户", "财政专户管理资金拨款"),
    "other": ("其他资金", "其他", "其他资金来源"),
    "goal": ("绩效目标", "年度绩效目标", "年度目标", "项目绩效目标", "绩效目标内容"),
    "indicators": ("绩效指标", "绩效指标内容", "年度绩效指标", "项目绩效指标"),
    "level1": ("一级指标", "一级指标名称"),
    "level2": ("二级指标", "二级指标名称"),
    "level3": ("三级指标", "三级指标名称", "指标名称", "绩效指标名称"),
    "value": ("指标值", "目标值", "绩效指标值", "指标值（目标值）", "绩效目标值", "指标目标值"),
    "period": (
        "实施周期指标值", "实施期指标值", "实施周期目标值", "实施周期绩效指标值", "中期指标值",
        "中期目标值",
    ),
    "annual": ("年度指标值", "年度目标值", "本年度指标值", "年度绩效指标值"),
}  # fmt: skip
# the list form's columns (`transforms.list_layout`): read only when the table is a list
LIST_SYNONYMS: dict[str, tuple[str, ...]] = {
    "op": ("指标性质", "运算符", "比较符号"),
    "measure": ("度量单位", "计量单位", "指标值单位"),
    "weight": ("权重", "分值", "指标分值", "权重分值"),
    "direction": ("指标方向性", "指标方向"),
    "standard": ("绩效标准", "评分标准", "评价标准"),
    "remark": ("备注",),
}
UNIT_COLUMN = ("单位名称", "预算单位", "实施单位", "预算单位名称", "资金使用单位")
# header cells that only group the cells below them (no column of their own)
GROUP_WORDS = ("资金来源", "其中", "资金构成", "预算资金", "资金性质", "项目资金来源", "指标")
REQUIRED_ROLES = ("name", "total", "goal")
LONG_ROLES = ("level2", "level3")
VALUE_ROLES = ("value", "period", "annual")
AMOUNT_ROLES = ("total", "fiscal", "special", "other")
MAX_HEADER_SEARCH = 200

_DEPARTMENT = re.compile(r"(?:部门|单位)名称\s*[:：]\s*(.*?)\s*(?:(?:金额|计量)?单位\s*[:：].*)?$")
_UNIT = re.compile(r"单位\s*[:：]\s*(?:人民币)?\s*(万元|元)")
_HEADER_UNIT = re.compile(r"[(（](?:(?:金额)?单位[:：])?(万元|元)[)）]$")
_NUMBER = re.compile(r"^-?[\d,]+(?:\.\d+)?$")
# The line `bpw synth` writes above every generated table (数据性质：虚构示例数据…).
_SYNTHETIC = re.compile(r"^数据性质\s*[:：]\s*虚构")


@lru_cache(maxsize=1 << 16)  # headers repeat from file to file: each text is keyed once
def header_key(text: str) -> str:
    """Header text compared loosely: width-folded, no spaces, no `*`, no `(万元)` suffix."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lstrip("*")
    return _HEADER_UNIT.sub("", key)


_SYNONYM_ROLE = {header_key(s): role for role, names in COLUMN_SYNONYMS.items() for s in names}
_GROUP_KEYS = {header_key(word) for word in GROUP_WORDS}


@dataclass(frozen=True)
class Layout:
    """Where a table's parts are in its grid (row indexes are 0-based into `grid.rows`).

    `header_rows` is 1 or 2 (a group row above the names); the body starts below.
    `kind` is 'packed' or 'long' (see the module docstring).
    """

    header_row: int
    columns: dict[str, int]
    department: str | None
    amount_unit: str
    title: str | None
    notes: list[str] = field(default_factory=list)
    header_rows: int = 1
    kind: str = "packed"
    synthetic: bool = False  # the preamble says the figures are invented (bpw synth)
    year: int | None = None  # the budget year the title states: `(2023年度)`, `2023年…表`

    @property
    def body_row(self) -> int:
        return self.header_row + self.header_rows


def column_roles(cells: list[str]) -> dict[str, int]:
    """Map each recognised header cell to its role (first occurrence wins)."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        role = _SYNONYM_ROLE.get(header_key(cell))
        if role and role not in roles:
            roles[role] = index
    return roles


def merge_roles(upper: dict[str, int], lower: dict[str, int]) -> dict[str, int]:
    """Two header rows → one: the lower row's names win; an upper cell keeps its role only
    when neither its role nor its column is named below (项目资金 over 总计 is a group)."""
    merged = dict(lower)
    taken = set(lower.values())
    for role, index in upper.items():
        if role not in merged and index not in taken:
            merged[role] = index
    return merged


def is_subheader(cells: list[str]) -> bool:
    """A second header row: names at least two columns and holds no number."""
    keys = [header_key(c) for c in cells if c.strip()]
    if any(_NUMBER.match(k) for k in keys):
        return False
    return len(column_roles(cells)) >= 2


def header_at(rows: list[list[str]], index: int) -> tuple[dict[str, int], int] | None:
    """Column roles and header height if a header starts at `index`, else None."""
    cells = rows[index]
    upper = column_roles(cells)
    if not upper and not any(header_key(c) in _GROUP_KEYS for c in cells):
        return None
    below = rows[index + 1] if index + 1 < len(rows) else []
    if is_subheader(below):
        merged = merge_roles(upper, column_roles(below))
        if "name" in merged and "total" in merged:
            return merged, 2
    if "name" in upper and "total" in upper:
        return upper, 1
    return None


def find_header(grid: Grid) -> tuple[int, dict[str, int], int]:
    """The first header (row naming a project column and a total column): row, roles, height."""
    for index in range(min(len(grid.rows), MAX_HEADER_SEARCH)):
        found = header_at(grid.rows, index)
        if found:
            return index, found[0], found[1]
    raise TableError(
        "header",
        "no header row found (need a 项目名称 column and a 总计/合计 column)",
    )


def has_header(grid: Grid) -> bool:
    """Whether a header row can be found (picks the sheet that holds the table)."""
    rows = grid.rows
    return any(header_at(rows, i) for i in range(min(len(rows), MAX_HEADER_SEARCH)))


def _department_in(cells: list[str], index: int, match: re.Match[str]) -> str | None:
    """The name after 部门名称：, or in the next non-blank cell when the cell ends there."""
    if match.group(1):
        return match.group(1)
    return next((c.strip() for c in cells[index + 1 :] if c.strip()), None)


def read_preamble(rows: list[list[str]]) -> tuple[str | None, str | None, str | None]:
    """Department name, amount unit (None if unstated) and title from rows above the header."""
    department, unit, title = None, None, None
    for cells in rows:
        for index, cell in enumerate(cells):
            text = cell.strip()
            if not text:
                continue
            if (match := _DEPARTMENT.search(text)) and department is None:
                department = _department_in(cells, index, match)
            if match := _UNIT.search(text):
                unit = match.group(1)
            if title is None and "表" in text and not _DEPARTMENT.search(text):
                title = text
    return department, unit, title


_TITLE_YEAR = re.compile(
    r"[(（]\s*((?:19|20)\d{2})\s*年度?\s*[)）]|^((?:19|20)\d{2})\s*年度?.*表"
)


def title_year(rows: list[list[str]]) -> int | None:
    """The budget year a title above the table states, if any."""
    for cells in rows:
        for cell in cells:
            if match := _TITLE_YEAR.search(unicodedata.normalize("NFKC", cell).strip()):
                return int(match.group(1) or match.group(2))
    return None


def is_synthetic(rows: list[list[str]]) -> bool:
    """Whether the rows above the header declare the table invented (数据性质：虚构…)."""
    return any(_SYNTHETIC.match(cell.strip()) for cells in rows for cell in cells)


def header_unit(rows: list[list[str]]) -> str | None:
    """A unit written into a header cell, e.g. `总计（元）` or `项目资金(万元)`."""
    for cells in rows:
        for cell in cells:
            key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell))
            if match := _HEADER_UNIT.search(key):
                return match.group(1)
    return None


def layout_kind(columns: dict[str, int]) -> str:
    """'long' when level columns and a value column are named, 'list' when such a table
    also has a unit column or split targets (see `list_roles`), else 'packed'."""
    if all(r in columns for r in LONG_ROLES) and any(r in columns for r in VALUE_ROLES):
        return "list" if "unit" in columns or "op" in columns or "measure" in columns else "long"
    return "packed"


def list_roles(header: list[list[str]], columns: dict[str, int]) -> dict[str, int]:
    """The list form's extra columns in the header rows: a unit column beside the
    项目名称 one (`单位名称 | 项目名称`), 指标性质 / 度量单位 / 权重 / 指标方向性 …"""
    found: dict[str, int] = {}
    keys = {header_key(s): role for role, names in LIST_SYNONYMS.items() for s in names}
    units = {header_key(s) for s in UNIT_COLUMN}
    taken = set(columns.values())
    for cells in header:
        for index, text in enumerate(cells):
            key = header_key(text)
            if key in keys and index not in taken:
                found.setdefault(keys[key], index)
            if key in units and "项目名称" in map(header_key, cells):
                found.setdefault("unit", index)
    if "unit" in found:
        found["name"] = next(
            i for cells in header for i, t in enumerate(cells) if header_key(t) == "项目名称"
        )
    return found


def _check_columns(grid: Grid, header_row: int, columns: dict[str, int], kind: str) -> None:
    required = [*REQUIRED_ROLES, "indicators"] if kind == "packed" else list(REQUIRED_ROLES)
    missing = [role for role in required if role not in columns]
    if missing:
        names = ", ".join(COLUMN_SYNONYMS[role][0] for role in missing)
        raise TableError(
            "required_columns",
            f"required columns missing from the header: {names}",
            row=header_row + 1,
            value=" | ".join(grid.rows[header_row]),
        )


def locate(grid: Grid) -> Layout:
    """Find header, column roles and preamble; raise TableError naming what is missing."""
    header_row, columns, height = find_header(grid)
    if all(r in columns for r in LONG_ROLES):
        columns = {**columns, **list_roles(grid.rows[header_row : header_row + height], columns)}
    kind = layout_kind(columns)
    _check_columns(grid, header_row, columns, kind)
    department, unit, title = read_preamble(grid.rows[:header_row])
    in_header = header_unit(grid.rows[header_row : header_row + height])
    return Layout(
        header_row=header_row,
        columns=columns,
        department=department,
        amount_unit=in_header or unit or "万元",
        title=title,
        header_rows=height,
        kind=kind,
        synthetic=is_synthetic(grid.rows[:header_row]),
        year=title_year(grid.rows[:header_row]),
    )
