"""PDF bytes (with a text layer) → one grid per table, tables found by their ruling lines.

pdfplumber finds each page's tables from the drawn lines (cells as boxes; a merged
cell is one box, so its value sits in the top-left grid cell and the rest read "",
as in the Excel reader). Cell text is rebuilt here from the characters the PDF draws,
never from an extractor's text: characters go to the cell holding their centre, into
lines by their vertical position, in x order within a line, with no character added
(extractors put spaces between Chinese and digits where the renderer only left a
gap). Two lines of a cell are joined with nothing when the break is a wrap (the
next line's first word would not have fitted on the line), else with "\\n".

Across pages: a table that starts a page, with no text since the table that ended the
previous page and the same column boundaries, continues that table. A repeated header
(its first rows drawn again) is dropped, and a row the page break cut in two (the new
page's first row holds only the rest of cells whose text ran to the end of a full line)
is joined back into one row.

Text outside the tables (title, `(2022年度)`, 部门名称：…) is kept as in a Word
document (`transforms.word`): the lines since the previous table are the next table's
preamble (but for notes, `注：…`, right under the previous table: its trailer), the
lines after the last table its trailer; page numbers are dropped. Words
on a preamble line far apart (`部门名称：某局      单位：万元`) are joined by one space.

A PDF without a text layer (scanned pages) is refused as `scanned_pdf`, naming the
page; an encrypted or damaged PDF as one line, never a traceback.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from transforms.errors import TableError
from transforms.grid import Grid, ReadLimits, check_rows, framed, split_between

PDF_MAGIC = b"%PDF-"
TOLERANCE = 2.0  # points: two column boundaries this close are the same
# a page number on its own line: `- 3 -`, `第 3 页`, `第3页 共5页`, `3`, `3/40` (a bare
# number up to 3 digits only: a lone `2026` may be a title's year)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，、/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,3}(?:\s*[/／]\s*\d{1,3})?)\s*$"
)
# 续表, 续表2, （续）: the table above goes on
_CONTINUED = re.compile(r"^[（(]?(?:续表?\s*\d*|continued)[)）]?[:：]?$", re.IGNORECASE)
_OPENING = set("([{（【《〈「『〔")
_CLOSING = set(")]}）】》〉」』〕，。、；：？！,.;:?!%％")
_QUOTES = set("“”‘’\"'")


def is_pdf(data: bytes) -> bool:
    """The PDF header within the first KB (readers allow a little junk before it)."""
    return PDF_MAGIC in data[:1024]


@dataclass
class Line:
    """One line of text: its characters' text and where it is drawn."""

    chars: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"]

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    def first_word_width(self) -> float:
        """Width of what a renderer would have had to fit on the line above: the first
        word (a run of Latin letters or digits) or one CJK character, with punctuation
        and quotation marks that may not be parted from it (line-breaking rules keep an
        opening mark with what follows and a closing mark with what precedes)."""
        chars = [c["text"] for c in self.chars if not c["text"].isspace()]
        if not chars:
            return 0.0
        end = 0
        while end < len(chars) and chars[end] in _OPENING | _QUOTES:
            end += 1
        if end < len(chars) and _is_wide(chars[end]):
            end += 1
        else:
            while end < len(chars) and not _is_wide(chars[end]):
                end += 1
        while end < len(chars) and chars[end] in _CLOSING | _QUOTES | _OPENING:
            end += 2 if chars[end] in _QUOTES | _OPENING else 1
        end = min(max(end, 1), len(chars))
        drawn = [c for c in self.chars if not c["text"].isspace()]
        return drawn[end - 1]["x1"] - drawn[0]["x0"]


def _is_wide(text: str) -> bool:
    return bool(text) and unicodedata.east_asian_width(text[0]) in ("W", "F")


@dataclass
class Cell:
    """A ruled cell: its box and its lines of text (top to bottom)."""

    bbox: tuple[float, float, float, float]
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    chars: list[dict[str, Any]] = field(default_factory=list)

    def wraps_into(self, below: Line) -> bool:
        """Whether the cell's last line was full: `below`'s first word would not fit.

        The right padding is taken to equal the left one; renderers also leave a small
        gap between Chinese and Latin text, hence the slack of 0.4 em.
        """
        if not self.lines:
            return False
        last = self.lines[-1]
        pad = max(min(line.x0 for line in self.lines) - self.bbox[0], 0.0)
        room = self.bbox[2] - pad - last.x1
        slack = 0.4 * max(c.get("size", 0.0) for c in last.chars)
        return below.first_word_width() + slack > room


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
    number: int
    has_text: bool
    items: list[tuple[float, str | PageTable]]  # (top, a text line or a table), top down


def read_pdf(data: bytes, limits: ReadLimits | None = None) -> list[Grid]:
    """Every table of the PDF as a grid, in reading order (tables joined across pages)."""
    limits = limits or ReadLimits()
    if not is_pdf(data):
        raise TableError(
            "format", f"the file is not a PDF (it starts with bytes {data[:8].hex(' ')})"
        )
    pages = _read_pages(data)
    if not any(page.has_text for page in pages):
        first = pages[0].number if pages else 1
        raise scanned(first)
    tables = list(_joined(pages))
    if not tables:
        textless = [page.number for page in pages if not page.has_text]
        if textless:
            raise scanned(textless[0])
        raise TableError(
            "no_table",
            f"the PDF has text but no table drawn with ruling lines on its {len(pages)} "
            "page(s); bpw reads PDF tables by their cell borders",
        )
    grids = []
    for number, (table, preamble, trailer) in enumerate(tables, start=1):
        grid = _grid(table, preamble, trailer, number)
        check_rows(grid.rows, limits)
        grids.append(grid)
    return grids


def scanned(page: int) -> TableError:
    return TableError(
        "scanned_pdf",
        f"page {page} of the PDF has no text layer (a scanned image?): bpw reads text, not "
        "pictures of it; ask for the original file (xlsx, docx or a PDF saved from it)",
        value=f"page {page}",
    )


def _read_pages(data: bytes) -> list[Page]:
    """Open the PDF and read each page (TableError for encrypted or damaged files)."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings are not the user's

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise _open_error(exc.args[0] if exc.args else exc) from None
    except Exception as exc:  # a damaged file can fail in many ways inside pdfminer
        raise _open_error(exc) from None
    with pdf:
        pages = []
        for number, page in enumerate(_pages(pdf), start=1):
            try:
                pages.append(_read_page(page, number))
            except TableError:
                raise
            except Exception as exc:
                raise TableError(
                    "unreadable", _one_line(f"page {number} of the PDF cannot be read", exc)
                ) from None
        return pages


def _pages(pdf: Any) -> Iterator[Any]:
    try:
        yield from pdf.pages
    except Exception as exc:
        raise TableError("unreadable", _one_line("the PDF's pages cannot be read", exc)) from None


def _open_error(exc: BaseException) -> TableError:
    name = type(exc).__name__
    if "Password" in name or "Encrypt" in name:
        return TableError(
            "encrypted",
            "the PDF is protected by a password: ask for an unprotected copy",
        )
    return TableError("unreadable", _one_line("the PDF cannot be read", exc))


def _one_line(what: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:160]
    return f"{what} ({type(exc).__name__}{': ' + detail if detail else ''})"


def _read_page(page: Any, number: int) -> Page:
    """A page's tables (cells filled with their text) and its other lines, top down."""
    chars = _deduped(page.chars)
    has_text = any(not c["text"].isspace() for c in chars)
    if has_text:
        _check_mapped(chars, number)
    found = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    # a single framed cell is a box around text (a title, a stamp), not a table
    tables = [_page_table(table, number) for table in found if len(table.cells) > 1]
    rest: list[dict[str, Any]] = []
    for char in chars:
        if not any(_place(char, table) for table in tables):
            rest.append(char)
    for table in tables:
        for row in table.rows:
            for cell in row:
                if cell is not None:
                    cell.text = _cell_text(cell)
    items: list[tuple[float, str | PageTable]] = [(t.top, t) for t in tables]
    items += _paragraphs(_lines(rest), tables)
    items.sort(key=lambda item: item[0])
    return Page(number, has_text, items)


def _paragraphs(lines: list[Line], tables: list[PageTable]) -> list[tuple[float, str]]:
    """Text lines outside the tables, a line that wrapped at the right margin joined to
    the next (no table between them); page numbers dropped."""
    lines = [line for line in lines if line.text.strip()]
    if not lines:
        return []
    margin = max([line.x1 for line in lines] + [table.right for table in tables])
    tops = [table.top for table in tables]
    kept: list[tuple[float, str, Line]] = []
    for line in lines:
        text = _spaced(line).strip()
        if _PAGE_NUMBER.match(text):
            continue
        if kept:
            top, above, previous = kept[-1]
            between = any(previous.top < t < line.top for t in tops)
            full = Cell((previous.x0, 0.0, margin, 0.0), [previous])  # must reach the margin
            if not between and full.wraps_into(line):
                kept[-1] = (top, above + text, line)
                continue
        kept.append((line.top, text, line))
    return [(top, text) for top, text, _ in kept]


def _deduped(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's characters, each drawn once (fake bold draws a character twice, a
    fraction of a point apart)."""
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]))
        if char["text"] and key not in seen:
            seen.add(key)
            kept.append(char)
    return kept


def _check_mapped(chars: list[dict[str, Any]], number: int) -> None:
    """Refuse a page whose fonts map no characters (pdfminer prints `(cid:123)`), or
    whose text mostly runs sideways (a landscape page turned the wrong way)."""
    unmapped = sum(1 for c in chars if c["text"].startswith("(cid:"))
    if unmapped * 2 > len(chars):
        raise TableError(
            "unreadable",
            f"page {number} of the PDF draws its text with fonts that map no characters: "
            "its text cannot be read; ask for the original file",
        )
    sideways = sum(1 for c in chars if not c.get("upright", True) and not c["text"].isspace())
    if sideways * 2 > len(chars):
        raise TableError(
            "rotated_page",
            f"the text of page {number} of the PDF runs sideways (the page is turned): turn "
            "it upright and save the PDF again",
            value=f"page {number}",
        )


def _page_table(table: Any, number: int) -> PageTable:
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


def _place(char: dict[str, Any], table: PageTable) -> bool:
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


def _lines(chars: list[dict[str, Any]]) -> list[Line]:
    """Characters → lines: a character joins the line whose middle it shares, then each
    line is read left to right."""
    lines: list[tuple[float, float, list[dict[str, Any]]]] = []
    for char in sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        middle = (char["top"] + char["bottom"]) / 2
        if lines and lines[-1][0] <= middle <= lines[-1][1]:
            lines[-1][2].append(char)
        else:
            height = char["bottom"] - char["top"]
            lines.append((middle - height * 0.3, middle + height * 0.3, [char]))
    return [Line(sorted(group, key=lambda c: c["x0"])) for _, _, group in lines]


def _cell_text(cell: Cell) -> str:
    """A cell's characters → its text: lines joined by "" at a wrap, "\\n" otherwise."""
    cell.lines = _lines(cell.chars)
    return _joined_lines(cell, cell.lines).strip()


def _joined_lines(cell: Cell, lines: list[Line]) -> str:
    parts: list[str] = []
    for index, line in enumerate(lines):
        if index:
            above = Cell(cell.bbox, lines[:index])
            parts.append("" if above.wraps_into(line) else "\n")
        parts.append(line.text)
    return "".join(parts)


def _spaced(line: Line) -> str:
    """A line outside any table: one space where words stand far apart (no space drawn)."""
    parts: list[str] = []
    previous = None
    for char in line.chars:
        if previous is not None and not (char["text"].isspace() or previous["text"].isspace()):
            size = max(char["x1"] - char["x0"], previous["x1"] - previous["x0"], 1.0)
            if char["x0"] - previous["x1"] > size:
                parts.append(" ")
        parts.append(char["text"])
        previous = char
    return "".join(parts)


def _joined(pages: list[Page]) -> Iterator[tuple[PageTable, tuple[str, ...], tuple[str, ...]]]:
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
            notes, following = split_between(lines)
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
    marked = [line for line in between if not _CONTINUED.match(line)]
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


def _texts(row: list[Cell | None]) -> list[str]:
    return [cell.text if cell is not None else "" for cell in row]


def _repeated_header(first: list[list[Cell | None]], rows: list[list[Cell | None]]) -> int:
    """How many of `rows` repeat rows near the top of the table (its header): 0 if none."""
    if not rows or not any(_texts(rows[0])):
        return 0
    head = _texts(rows[0])
    for start in range(min(len(first), 6)):
        if _texts(first[start]) == head:
            count = 1
            while (
                count < len(rows)
                and start + count < len(first)
                and any(_texts(rows[count]))
                and _texts(rows[count]) == _texts(first[start + count])
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
            above.text = _joined_lines(above, [*above.lines, *cell.lines]).strip()
            above.lines = [*above.lines, *cell.lines]


def _grid(
    table: PageTable, preamble: tuple[str, ...], trailer: tuple[str, ...], number: int
) -> Grid:
    first, last = table.pages[0], table.pages[-1]
    pages = f"page {first}" if first == last else f"pages {first}-{last}"
    where = f"table {number} ({pages})"
    return framed([_texts(row) for row in table.rows], "pdf", where, preamble, trailer)
