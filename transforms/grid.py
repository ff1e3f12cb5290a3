"""The shape every reader produces: rows of text cells, plus how they were read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.errors import TableError


@dataclass(frozen=True)
class ReadLimits:
    """How much one file may hold; the caller passes the configured limits (settings).

    A reader refuses more with a TableError (`cell_too_large`, `too_many_rows`,
    `zip_bomb`) instead of reading it.
    """

    max_cell_chars: int = 100_000
    max_rows: int = 200_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024


def column_letter(index: int) -> str:
    """0-based column index → spreadsheet letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_too_large(row: int, column: int, text: str, limit: int) -> TableError:
    """The error for a cell over the limit (`row` 1-based, `column` 0-based)."""
    letter = column_letter(column)
    return TableError(
        "cell_too_large",
        f"the cell at row {row}, column {letter} holds {len(text)} characters, over the "
        f"{limit}-character limit",
        row=row,
        column=letter,
        value=text[:60] + ("…" if len(text) > 60 else ""),
    )


def too_many_rows(limit: int) -> TableError:
    return TableError("too_many_rows", f"the table has more than {limit} rows (the limit)")


def check_cells(rows: list[list[str]], limit: int) -> None:
    """TableError `cell_too_large` naming the first cell longer than `limit` characters."""
    for index, cells in enumerate(rows):
        if cells and max(map(len, cells)) > limit:
            column = next(i for i, c in enumerate(cells) if len(c) > limit)
            raise cell_too_large(index + 1, column, cells[column], limit)


def check_rows(rows: list[list[str]], limits: ReadLimits) -> None:
    """TableError when there are more rows than allowed or a cell is over the limit."""
    if len(rows) > limits.max_rows:
        raise too_many_rows(limits.max_rows)
    check_cells(rows, limits.max_cell_chars)


@dataclass(frozen=True)
class Grid:
    """A table as read: rows of text cells (row i of `rows` is source row i + 1).

    `encoding` is the text encoding, or 'xlsx' / 'xls' / 'docx' / 'pdf'; `sheet` names
    the workbook sheet the grid came from (None for other files).

    Word and PDF tables (`transforms.word`, `transforms.pdf`) carry the text around
    them the way a sheet does: `rows` starts with the `preamble` lines (title,
    `(2022年度)`, 部门名称, 单位 …) as one-cell rows, then the table's rows, then the
    `trailer` lines below it: the notes right under it (`注:` …) and, under the
    document's last table, every line. Text between two tables is the next table's
    preamble except for those notes (`split_between`). Every row is padded to the
    table's width, so a layout reader sees what it would see in a sheet.
    `where` says where in the document the table is ("table 3", "pages 4-5"), for
    messages; `table_row` maps a grid row back to the table's own row number.
    """

    rows: list[list[str]]
    encoding: str
    sheet: str | None = None
    preamble: tuple[str, ...] = ()
    trailer: tuple[str, ...] = ()
    where: str | None = None

    def table_row(self, index: int) -> int | None:
        """The 1-based row of the table itself for grid row `index` (0-based); None for
        a preamble or trailer line. Without a preamble this is simply index + 1."""
        row = index - len(self.preamble)
        if row < 0 or index >= len(self.rows) - len(self.trailer):
            return None
        return row + 1

    def describe_row(self, index: int) -> str:
        """Grid row `index` (0-based) as a person finds it: 'row 5' in a sheet or text
        file, 'table 2 (page 3), row 4' or 'the text above table 2, line 1' in a document."""
        if self.where is None:
            return f"row {index + 1}"
        row = self.table_row(index)
        if row is not None:
            return f"{self.where}, row {row}"
        if index < len(self.preamble):
            return f"the text above {self.where}, line {index + 1}"
        line = index - (len(self.rows) - len(self.trailer)) + 1
        return f"the text below {self.where}, line {line}"


# a line right below a table that belongs to it: its notes (注：… / 说明：…)
_NOTE = re.compile(r"^(注|说明|备注|附注|填报说明|填表说明)\s*[:：\d１-９]")


def split_between(lines: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The text between two tables → (the notes closing the table above, the preamble of
    the table below): the leading lines that start like a note belong above."""
    count = 0
    while count < len(lines) and _NOTE.match(lines[count]):
        count += 1
    return tuple(lines[:count]), tuple(lines[count:])


def framed(
    table: list[list[str]],
    encoding: str,
    where: str,
    preamble: tuple[str, ...] = (),
    trailer: tuple[str, ...] = (),
) -> Grid:
    """A document table with the text around it, as one grid (see `Grid`)."""
    width = max((len(row) for row in table), default=1) or 1
    pad = [""] * (width - 1)
    rows = [[line, *pad] for line in preamble]
    rows += [row + [""] * (width - len(row)) for row in table]
    rows += [[line, *pad] for line in trailer]
    return Grid(rows, encoding, preamble=preamble, trailer=trailer, where=where)
