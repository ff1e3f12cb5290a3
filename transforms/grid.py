"""The shape every reader produces: rows of text cells, plus how they were read."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Grid:
    """A table as read: rows of text cells (row i of `rows` is source row i + 1).

    `encoding` is the text encoding, or 'xlsx' / 'xls' for workbooks; `sheet` names
    the workbook sheet the grid came from (None for text files).
    """

    rows: list[list[str]]
    encoding: str
    sheet: str | None = None
