"""One file → its table rows, classified (total / unit / project), cells still as text.

This is the per-file step (decode, find the header, walk the rows); everything after
it is vectorized over many files at once in `transforms.normalize`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from transforms.errors import TableError
from transforms.locate import AMOUNT_ROLES, Layout, header_key, locate
from transforms.read import Grid, read_grid

TOTAL_LABELS = {"合计", "总计", "总合计", "合计数"}
NOTE_PREFIX = re.compile(r"^(注|说明|备注|填报说明)\s*[:：\d１-９]")
_YEAR_DIR = re.compile(r"^(19|20)\d{2}$")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

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
    """One file's table: metadata plus a frame of classified rows (cells as text)."""

    source: SourceFile
    year: int
    department_name: str
    amount_unit: str
    encoding: str
    sheet: str | None
    rows: pl.DataFrame


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


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def classify_rows(grid: Grid, layout: Layout, department: str) -> pl.DataFrame:
    """Walk the body rows: 合计 → total, name + amounts only → unit, else project."""
    cols = layout.columns
    records: list[dict[str, object]] = []
    current_unit = department
    for index in range(layout.header_row + 1, len(grid.rows)):
        cells = grid.rows[index]
        if not any(c.strip() for c in cells):
            continue
        name = _cell(cells, cols.get("name"))
        first = next((c.strip() for c in cells if c.strip()), "")
        if NOTE_PREFIX.match(first) and not _cell(cells, cols.get("total")):
            continue
        amounts = {role: _cell(cells, cols.get(role)) for role in AMOUNT_ROLES}
        goal = _cell(cells, cols.get("goal"))
        indicators = _cell(cells, cols.get("indicators"))
        if header_key(name) in TOTAL_LABELS:
            kind = "total"
        elif not goal and not indicators and any(amounts.values()):
            kind = "unit"
            current_unit = name
        else:
            kind = "project"
        records.append(
            {
                "source_row": index + 1,
                "row_kind": kind,
                "unit_name": current_unit if kind != "total" else None,
                "name": name,
                **{f"{role}_text": amounts[role] for role in AMOUNT_ROLES},
                "performance_goal": goal,
                "indicator_text": indicators,
            }
        )
    rows = pl.DataFrame(records, schema=ROW_COLUMNS)
    return _units_without_projects_are_projects(rows)


def _units_without_projects_are_projects(rows: pl.DataFrame) -> pl.DataFrame:
    """A 'unit' row with no project under it is a project lacking goal and indicators."""
    projects_per_unit = rows.filter(pl.col("row_kind") == "project")["unit_name"].unique()
    return rows.with_columns(
        pl.when((pl.col("row_kind") == "unit") & ~pl.col("name").is_in(projects_per_unit.implode()))
        .then(pl.lit("project"))
        .otherwise(pl.col("row_kind"))
        .alias("row_kind")
    )


def read_table(source: SourceFile, data: bytes | None = None) -> TableRows:
    """Read, locate and classify one file; TableError says why it cannot be a batch."""
    grid = read_grid(source.path, data)
    layout = locate(grid)
    year = resolve_year(source.path, source.year)
    department = source.department or layout.department or source.path.stem
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
    )
