"""One file → its table rows, classified (total / unit / project), cells still as text.

This is the per-file step (decode, pick the sheet, find the header, walk the rows);
everything after it is vectorized over many files at once in `transforms.normalize`.
A long-layout table (one row per indicator) also yields its indicator records here,
already split into cells (`TableRows.indicators`); a packed table leaves that None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from transforms.errors import TableError
from transforms.grid import Grid
from transforms.locate import Layout, has_header, locate
from transforms.long_layout import walk_long
from transforms.read import read_grids
from transforms.rows import ROW_COLUMNS, body_rows, cell, head_cells, row_kind, rows_frame

__all__ = ["ROW_COLUMNS", "SourceFile", "TableRows", "classify_rows", "read_table"]

_YEAR_DIR = re.compile(r"^(19|20)\d{2}$")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class SourceFile:
    """A file as discovered: where it is, its bytes' hash, and any user overrides."""

    path: Path
    sha256: str
    size: int
    mtime: float
    year: int | None = None
    department: str | None = None


@dataclass(frozen=True)
class TableRows:
    """One file's table: metadata plus a frame of classified rows (cells as text).

    `indicators` (long layout only) holds one record per indicator row, see
    `transforms.long_layout.LISTED_COLUMNS`; `layout` is 'packed' or 'long'.
    """

    source: SourceFile
    year: int
    department_name: str
    amount_unit: str
    encoding: str
    sheet: str | None
    rows: pl.DataFrame
    indicators: pl.DataFrame | None = None
    layout: str = "packed"


def resolve_year(path: Path, override: int | None) -> int:
    """--year, else a 4-digit folder in the path, else a year in the file name."""
    if override:
        return int(override)
    for part in reversed(path.parent.parts):
        if _YEAR_DIR.match(part):
            return int(part)
    if match := _YEAR_IN_NAME.search(path.stem):
        return int(match.group(1))
    raise TableError(
        "year",
        "no budget year: give --year, or put the file in a folder named for the year",
        value=str(path.name),
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
    return rows_frame(records)


def pick_grid(grids: list[Grid]) -> Grid:
    """The first grid (sheet) holding a header row; TableError when none does."""
    for grid in grids:
        if has_header(grid):
            return grid
    if len(grids) == 1:
        return grids[0]  # `locate` explains what is missing
    where = "in any sheet" if grids else "(the workbook has no sheets)"
    raise TableError(
        "header",
        f"no header row found {where} (need a 项目名称 column and a 总计/合计 column)",
    )


def read_table(source: SourceFile, data: bytes | None = None) -> TableRows:
    """Read, locate and classify one file; TableError says why it cannot be a batch."""
    grid = pick_grid(read_grids(source.path, data))
    layout = locate(grid)
    year = resolve_year(source.path, source.year)
    department = source.department or layout.department or source.path.stem
    indicators = None
    if layout.kind == "long":
        rows, indicators = walk_long(grid, layout, department)
    else:
        rows = classify_rows(grid, layout, department)
    if rows.filter(pl.col("row_kind") == "project").is_empty():
        raise TableError("no_projects", "the table has a header but no project rows")
    return TableRows(
        source=source,
        year=year,
        department_name=department,
        amount_unit=layout.amount_unit,
        encoding=grid.encoding,
        sheet=grid.sheet,
        rows=rows,
        indicators=indicators,
        layout=layout.kind,
    )
