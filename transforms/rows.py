"""What both layouts share when walking a table's body: which rows to skip, how a row
with a name is classified (total / unit / project), and the classified-row schema."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import polars as pl

from transforms.grid import Grid
from transforms.locate import AMOUNT_ROLES, Layout, header_key
from transforms.units import resolve_units

TOTAL_LABELS = {"合计", "总计", "总合计", "合计数"}
NOTE_PREFIX = re.compile(
    r"^(注|说明|备注|填报说明|填表说明|填报人|制表人|审核人|单位负责人|财务负责人|负责人|联系人"
    r"|联系电话|填报日期|制表日期|数据来源)\s*[:：\d１-９]"
)
_COLUMN_NUMBER_LABELS = {"栏次", "甲", "乙", "丙", "序号", "行次"}

ROW_COLUMNS = {
    "source_row": pl.Int32,
    "row_kind": pl.String,
    "unit_name": pl.String,
    "name": pl.String,
    "total_text": pl.String,
    "fiscal_text": pl.String,
    "special_text": pl.String,
    "other_text": pl.String,
    "performance_goal": pl.String,
    "indicator_text": pl.String,
}


def cell(cells: list[str], index: int | None) -> str:
    """The stripped cell at `index`; "" when the column is absent or the row is short."""
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def is_column_number_row(cells: list[str]) -> bool:
    """`栏次 | 1 | 2 | 3 …` under a header: column numbers, not data."""
    texts = [unicodedata.normalize("NFKC", c).strip() for c in cells if c.strip()]
    numbers = [t for t in texts if t not in _COLUMN_NUMBER_LABELS]
    if len(numbers) < 3 or not all(t.isdigit() for t in numbers):
        return False
    first = int(numbers[0])
    return [int(t) for t in numbers] == list(range(first, first + len(numbers)))


def body_rows(grid: Grid, layout: Layout) -> Iterator[tuple[int, list[str]]]:
    """(index, cells) of the rows below the header that may hold data.

    Blank rows, column-number rows and notes (`注：…`, `填报人：…`) are skipped.
    """
    total_index = layout.columns.get("total")
    for index in range(layout.body_row, len(grid.rows)):
        cells = grid.rows[index]
        first = next((c.strip() for c in cells if c.strip()), "")
        if not first or is_column_number_row(cells):
            continue
        if NOTE_PREFIX.match(first) and not cell(cells, total_index):
            continue
        yield index, cells


def head_cells(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    """A row's project-level cells: name, the four amounts, goal."""
    head = {"name": cell(cells, columns.get("name"))}
    head.update({f"{role}_text": cell(cells, columns.get(role)) for role in AMOUNT_ROLES})
    head["performance_goal"] = cell(cells, columns.get("goal"))
    return head


def row_kind(head: dict[str, str], has_indicators: bool) -> str:
    """合计 → total; name + amounts without goal or indicators → unit; else project."""
    if header_key(head["name"]) in TOTAL_LABELS:
        return "total"
    amounts = any(head[f"{role}_text"] for role in AMOUNT_ROLES)
    if not head["performance_goal"] and not has_indicators and amounts:
        return "unit"
    return "project"


def rows_frame(records: list[dict[str, object]], amount_unit: str, department: str) -> pl.DataFrame:
    """Classified rows as a frame: units confirmed by their projects' sum
    (`transforms.units`), unit names carried down again, a unit row with no project
    under it made a project."""
    rows = pl.DataFrame(records, schema=ROW_COLUMNS).with_columns(
        pl.lit(0, dtype=pl.Int32).alias("fid"), pl.lit(amount_unit).alias("amount_unit")
    )
    rows = resolve_units(rows).drop("fid", "amount_unit")
    carried = pl.when(pl.col("row_kind") == "unit").then(pl.col("name")).forward_fill()
    rows = rows.with_columns(
        pl.when(pl.col("row_kind") == "total")
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(carried.fill_null(pl.lit(department)))
        .alias("unit_name")
    )
    projects_per_unit = rows.filter(pl.col("row_kind") == "project")["unit_name"].unique()
    return rows.with_columns(
        pl.when((pl.col("row_kind") == "unit") & ~pl.col("name").is_in(projects_per_unit.implode()))
        .then(pl.lit("project"))
        .otherwise(pl.col("row_kind"))
        .alias("row_kind")
    )


def classify_rows(grid: Grid, layout: Layout, department: str) -> pl.DataFrame:
    """Walk a packed table's body: 合计 → total, name + amounts only → unit, else project."""
    cols = layout.columns
    records: list[dict[str, object]] = []
    current_unit = department
    for index, cells in body_rows(grid, layout):
        head = head_cells(cells, cols)
        indicators = cell(cells, cols["indicators"])
        kind = row_kind(head, bool(indicators))
        if kind == "unit":
            current_unit = head["name"]
        records.append(
            {
                "source_row": index + 1,
                "row_kind": kind,
                "unit_name": current_unit if kind != "total" else None,
                **head,
                "indicator_text": indicators,
            }
        )
    return rows_frame(records, layout.amount_unit, department)
