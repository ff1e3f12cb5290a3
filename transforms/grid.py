"""The shape every reader produces: rows of text cells, plus how they were read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Grid:
    """A table as read: rows of text cells (row i of `rows` is source row i + 1).

    `encoding` is the text encoding, or 'xlsx' / 'xls' for workbooks; `sheet` names
    the workbook sheet the grid came from (None for text files).
    """

    rows: list[list[str]]
    encoding: str
    sheet: str | None = None
