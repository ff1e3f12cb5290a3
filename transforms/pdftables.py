"""PDF tables as drawn on each page, and joined across pages (used by transforms.pdf).

A table that starts a page continues the table that ended the previous one when its
column boundaries are the same and nothing stands between them but `续表`, or only the
previous table's own title lines drawn again above its header rows drawn again. A
repeated header (the first rows drawn again) is dropped; a row the page break cut in
two (the new page's first row holds only the rest of cells whose text ran to the end
of a full line) is joined back into one row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from transforms.grid import split_between
from transforms.pdftext import Cell, joined_lines

TOLERANCE = 2.0  # points: two column boundaries this close are the same
# 续表, 续表2, （续）: the table above goes on
CONTINUED = re.compile(r"^[（(]?(?:续表?\s*\d*|continued)[)）]?[:：]?$", re.IGNORECASE)


@dataclass
class PageTable:
    """One table as drawn on one page: rows of cells aligned to `columns` (None: a grid
    position inside a merged cell)."""

    page: int
    top: float
    bottom: float
    columns: list[float]
    right: float
    rows: list[list[Cell | None]]
    pages: list[int] = field(default_factory=list)


@dataclass
class Page:
    """A page as read: its tables and the text lines around them, top down."""

    number: int
    has_text: bool
    items: list[tuple[float, str | PageTable]]  # (top, a text line or a table), top down


def page_table(table: Any, number: int) -> PageTable:
    """pdfplumber's table → rows of cells aligned to the table's column boundaries."""
    columns = _clustered(sorted(cell[0] for cell in table.cells))
    right = max(cell[2] for cell in table.cells)
    rows: list[list[Cell | None]] = []
    for row in table.rows:
        cells: list[Cell | None] = [None] * len(columns)
        for bbox in row.cells:
            if bbox is not None:
                cells[_column(columns, bbox[0])] = Cell(tuple(bbox))
        rows.append(cells)
    top, bottom = table.bbox[1], table.bbox[3]
    return PageTable(number, top, bottom, columns, right, rows, [number])


def _clustered(values: list[float]) -> list[float]:
    kept: list[float] = []
    for value in values:
        if not kept or value - kept[-1] > TOLERANCE:
            kept.append(value)
    return kept


def _column(columns: list[float], x: float) -> int:
    return min(range(len(columns)), key=lambda i: abs(columns[i] - x))


def place(char: dict[str, Any], table: PageTable) -> bool:
    """Put `char` into the cell of `table` holding its centre; False when none does."""
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    if not (table.columns[0] <= x < table.right and table.top <= y < table.bottom):
        return False
    for row in table.rows:
        for cell in row:
            if cell is None:
                continue
            x0, top, x1, bottom = cell.bbox
            if x0 <= x < x1 and top <= y < bottom:
                cell.chars.append(char)
                return True
    return False


def joined(pages: list[Page]) -> Iterator[tuple[PageTable, tuple[str, ...], tuple[str, ...]]]:
    """Tables in reading order, each continued across pages, with their preamble (text
    since the previous table, but for notes closing that one) and trailer (those notes;
    for the last table, every line after it)."""
    lines: list[str] = []
    current: PageTable | None = None
    preamble: tuple[str, ...] = ()
    for page in pages:
        for _, item in page.items:
            if isinstance(item, str):
                lines.append(item)
                continue
            if current is not None and _continues(current, item, lines, preamble):
                _append(current, item)
                lines = []
                continue
            notes, following = split_between(lines) if current else ((), tuple(lines))
            if current is not None:
                yield current, preamble, notes
            current, preamble, lines = item, following, []
    if current is not None:
        yield current, preamble, tuple(lines)


def _continues(
    table: PageTable, nxt: PageTable, between: list[str], preamble: tuple[str, ...]
) -> bool:
    """`nxt` starts the page after `table`'s last one, on the same column boundaries, and
    either no text stands between them but `续表` (continued), or only lines of
    `table`'s own preamble drawn again (a title or running header printed on every
    page) above its header rows drawn again."""
    if nxt.page != table.pages[-1] + 1 or abs(nxt.right - table.right) > TOLERANCE:
        return False
    if abs(nxt.columns[0] - table.columns[0]) > TOLERANCE:
        return False
    if not all(min(abs(x - c) for c in table.columns) <= TOLERANCE for x in nxt.columns):
        return False
    marked = [line for line in between if not CONTINUED.match(line)]
    if not marked:
        return True  # nothing between, or only `续表`
    rows = [_realigned(row, nxt.columns, table.columns) for row in nxt.rows]
    return set(marked) <= set(preamble) and _repeated_header(table.rows, rows) > 0


def _append(table: PageTable, nxt: PageTable) -> None:
    """Continue `table` with `nxt`'s rows: repeated header dropped, a cut row rejoined."""
    rows = [_realigned(row, nxt.columns, table.columns) for row in nxt.rows]
    rows = rows[_repeated_header(table.rows, rows) :]
    if rows and table.rows and _cut(table.rows[-1], rows[0]):
        _rejoin(table.rows[-1], rows.pop(0))
    table.rows += rows
    table.pages.append(nxt.page)


def _realigned(row: list[Cell | None], own: list[float], target: list[float]) -> list[Cell | None]:
    cells: list[Cell | None] = [None] * len(target)
    for x, cell in zip(own, row, strict=True):
        if cell is not None:
            cells[_column(target, x)] = cell
    return cells


def texts(row: list[Cell | None]) -> list[str]:
    return [cell.text if cell is not None else "" for cell in row]


def _repeated_header(first: list[list[Cell | None]], rows: list[list[Cell | None]]) -> int:
    """How many of `rows` repeat rows near the top of the table (its header): 0 if none."""
    if not rows or not any(texts(rows[0])):
        return 0
    head = texts(rows[0])
    for start in range(min(len(first), 6)):
        if texts(first[start]) == head:
            count = 1
            while (
                count < len(rows)
                and start + count < len(first)
                and any(texts(rows[count]))
                and texts(rows[count]) == texts(first[start + count])
            ):
                count += 1
            return count
    return 0


def _cut(last: list[Cell | None], first: list[Cell | None]) -> bool:
    """Whether the page break cut a row: every cell with text on the new page continues
    a same-width cell above whose last line was full."""
    texts = [(i, cell) for i, cell in enumerate(first) if cell is not None and cell.text]
    if not texts:
        return False
    for index, cell in texts:
        above = last[index]
        if above is None or not above.text or abs(above.bbox[2] - cell.bbox[2]) > TOLERANCE:
            return False
        if not above.wraps_into(cell.lines[0]):
            return False
    return True


def _rejoin(last: list[Cell | None], first: list[Cell | None]) -> None:
    for above, cell in zip(last, first, strict=True):
        if above is not None and cell is not None and cell.text:
            above.text = joined_lines(above, [*above.lines, *cell.lines]).strip()
            above.lines = [*above.lines, *cell.lines]
