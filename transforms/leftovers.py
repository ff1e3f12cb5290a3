"""The conservation law for table cells: every non-empty body cell ends up in a parsed
field or in a recorded note. This module finds the cells no field holds:

- cells in a column the header gave no role (`序号`, `备注`, an unnamed column …),
  one note per column with how many cells it holds and the first of them;
- in a long table, a level-1 / level-2 cell no indicator below it inherits (a level
  cell on the project's last row, or one overwritten before any indicator used it),
  and indicator-block cells on a row that belongs to no project (a unit or 合计 row).

Each becomes a row of `NOTE_COLUMNS`; the gate records them as warnings
(`cell_not_read`), so nothing is dropped without a trace.
"""

from __future__ import annotations

import polars as pl

from transforms.grid import Grid
from transforms.locate import Layout
from transforms.rows import body_rows, cell

NOTE_COLUMNS = {"source_row": pl.Int32, "column": pl.String, "text": pl.String}
_LEVELS = ("level1", "level2")
_BLOCK = ("level1", "level2", "level3", "value", "period", "annual")


def _header_name(grid: Grid, layout: Layout, index: int) -> str:
    for row in range(layout.body_row - 1, layout.header_row - 1, -1):
        name = cell(grid.rows[row], index)
        if name:
            return name
    return f"第{index + 1}列"


def _unnamed_columns(grid: Grid, layout: Layout) -> list[dict[str, object]]:
    width = max((len(row) for row in grid.rows[layout.body_row :]), default=0)
    unnamed = [c for c in range(width) if c not in set(layout.columns.values())]
    seen: dict[int, list[tuple[int, str]]] = {}
    if not unnamed:  # the usual table: every column has a role
        return []
    for index, cells in body_rows(grid, layout):
        for column in unnamed:
            text = cell(cells, column)
            if text:
                seen.setdefault(column, []).append((index + 1, text))
    return [
        {
            "source_row": found[0][0],
            "column": _header_name(grid, layout, column),
            "text": f"{len(found)} cell(s) in a column bpw does not read, first: {found[0][1]}",
        }
        for column, found in sorted(seen.items())
    ]


def _orphan_levels(
    grid: Grid, layout: Layout, rows: pl.DataFrame, indicators: pl.DataFrame
) -> list[dict[str, object]]:
    """Long tables: level cells no indicator inherits, block cells outside any project."""
    columns = layout.columns
    record_rows = set(indicators["indicator_row"].to_list())
    kinds = dict(zip(rows["source_row"].to_list(), rows["row_kind"].to_list(), strict=True))
    notes: list[dict[str, object]] = []
    pending: dict[str, tuple[int, str] | None] = dict.fromkeys(_LEVELS)

    def orphan(level: str) -> None:
        if pending[level] is not None:
            row, text = pending[level]
            notes.append({"source_row": row, "column": level, "text": text})
        pending[level] = None

    for index, cells in body_rows(grid, layout):
        row = index + 1
        kind = kinds.get(row)
        if kind is not None:  # a row that opens a project, a unit or a 合计: a new scope
            for level in _LEVELS:
                orphan(level)
        if kind in ("unit", "total"):
            notes.extend(
                {"source_row": row, "column": role, "text": cell(cells, columns.get(role))}
                for role in _BLOCK
                if cell(cells, columns.get(role))
            )
            continue
        for level in _LEVELS:
            text = cell(cells, columns.get(level))
            if text:
                orphan(level)
                pending[level] = (row, text)
        if row not in record_rows:  # an indicator's cells on a row no project holds
            notes.extend(
                {"source_row": row, "column": role, "text": cell(cells, columns.get(role))}
                for role in _BLOCK[2:]
                if cell(cells, columns.get(role))
            )
        if row in record_rows:
            pending = dict.fromkeys(_LEVELS)
    for level in _LEVELS:
        orphan(level)
    return notes


def unread_cells(
    grid: Grid, layout: Layout, rows: pl.DataFrame, indicators: pl.DataFrame | None
) -> pl.DataFrame | None:
    """The table's non-empty body cells that no parsed field holds (`NOTE_COLUMNS`);
    None when every cell is held (the usual case: no frame built for nothing)."""
    notes = _unnamed_columns(grid, layout)
    if layout.kind in ("long", "list") and indicators is not None:
        notes += _orphan_levels(grid, layout, rows, indicators)
    return pl.DataFrame(notes, schema=NOTE_COLUMNS) if notes else None
