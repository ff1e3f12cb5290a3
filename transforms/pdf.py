"""PDF bytes (with a text layer) → one grid per table, tables found by their ruling lines.

pdfplumber finds each page's tables from the drawn lines (cells as boxes; a merged
cell is one box, so its value sits in the top-left grid cell and the rest read "",
as in the Excel reader). Cell text is rebuilt from the characters the PDF draws,
never from an extractor's text (`transforms.pdftext`): extractors put spaces between
Chinese and digits where the renderer only left a gap, and break wrapped cells.
Tables that go on over several pages are joined, their repeated headers dropped and
rows cut by a page break put back together (`transforms.pdftables`).

Text outside the tables (title, `(2022年度)`, 部门名称：…) is kept as in a Word
document (`transforms.word`): the lines since the previous table are the next table's
preamble (but for notes, `注：…`, right under the previous table: its trailer), the
lines after the last table its trailer; a line that wrapped at the margin is joined
to the next; page numbers are dropped. Words on such a line far apart
(`部门名称：某局      单位：万元`) are joined by one space.

A PDF without a text layer (scanned pages) is refused as `scanned_pdf`, naming the
page; a page turned sideways as `rotated_page`; an encrypted or damaged PDF in one
line, never a traceback.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

from transforms.errors import TableError
from transforms.grid import Grid, ReadLimits, check_rows, framed
from transforms.pdftables import Page, PageTable, joined, page_table, place, texts
from transforms.pdftext import Cell, Line, cell_text, deduped, lines_of, spaced

PDF_MAGIC = b"%PDF-"
# a page number on its own line: `- 3 -`, `第 3 页`, `第3页 共5页`, `3`, `3/40` (a bare
# number up to 3 digits only: a lone `2026` may be a title's year)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，、/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,3}(?:\s*[/／]\s*\d{1,3})?)\s*$"
)


def is_pdf(data: bytes) -> bool:
    """The PDF header within the first KB (readers allow a little junk before it)."""
    return PDF_MAGIC in data[:1024]


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
    tables = list(joined(pages))
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
    chars = deduped(page.chars)
    has_text = any(not c["text"].isspace() for c in chars)
    if has_text:
        _check_mapped(chars, number)
    settings: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    found = page.find_tables({**settings, "explicit_horizontal_lines": _closing_lines(page)})
    # a single framed cell is a box around text (a title, a stamp), not a table
    tables = [page_table(table, number) for table in found if len(table.cells) > 1]
    rest: list[dict[str, Any]] = []
    for char in chars:
        if not any(place(char, table) for table in tables):
            rest.append(char)
    for table in tables:
        for row in table.rows:
            for cell in row:
                if cell is not None:
                    cell.text = cell_text(cell)
    items: list[tuple[float, str | PageTable]] = [(t.top, t) for t in tables]
    items += _paragraphs(lines_of(rest), tables)
    items.sort(key=lambda item: item[0])
    return Page(number, has_text, items)


def _closing_lines(page: Any) -> list[dict[str, Any]]:
    """Lines closing boxes left open: where a page break cuts a row, some renderers
    (Chromium) draw no border, so the cells' sides run on past the last ruled line.
    Where two or more vertical lines end at the same height and no ruled line covers
    the span between them there, one is supplied."""
    edges = page.edges
    vertical = [e for e in edges if e["orientation"] == "v"]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    closing = []
    for end in ("top", "bottom"):
        ends: dict[int, list[dict[str, Any]]] = {}
        for edge in vertical:
            ends.setdefault(round(edge[end]), []).append(edge)
        for y, group in ends.items():
            x0, x1 = min(e["x0"] for e in group), max(e["x1"] for e in group)
            if len(group) < 2 or x1 - x0 < 10:
                continue
            ruled = [h for h in horizontal if abs(h["top"] - y) <= 3]
            if _covered(ruled, x0, x1) < 0.9 * (x1 - x0):
                closing.append({
                    "x0": x0, "x1": x1, "top": float(y), "bottom": float(y), "width": x1 - x0,
                    "height": 0.0, "object_type": "line",
                })  # fmt: skip
    return closing


def _covered(lines: list[dict[str, Any]], x0: float, x1: float) -> float:
    """How much of [x0, x1] the horizontal `lines` cover together."""
    covered, reach = 0.0, x0
    for line in sorted(lines, key=lambda e: e["x0"]):
        start, stop = max(line["x0"], reach), min(line["x1"], x1)
        if stop > start:
            covered += stop - start
            reach = stop
    return covered


def _paragraphs(lines: list[Line], tables: list[PageTable]) -> list[tuple[float, str]]:
    """Text lines outside the tables, a line that wrapped at the right margin joined to
    the next (no table between them); page numbers dropped."""
    lines = [line for line in lines if line.text.strip()]
    if not lines:
        return []
    margin = max([line.x1 for line in lines] + [table.right for table in tables])
    left = min([line.x0 for line in lines] + [table.columns[0] for table in tables])
    tops = [table.top for table in tables]
    kept: list[tuple[float, str, Line]] = []
    for line in lines:
        text = spaced(line).strip()
        if _PAGE_NUMBER.match(text):
            continue
        if kept:
            top, above, previous = kept[-1]
            between = any(previous.top < t < line.top for t in tops)
            if not between and _wrapped(previous, line, left, margin):
                kept[-1] = (top, above + text, line)
                continue
        kept.append((line.top, text, line))
    return [(top, text) for top, text, _ in kept]


def _wrapped(line: Line, below: Line, left: float, margin: float) -> bool:
    """Whether `line` is a paragraph's line that wrapped into `below`: it starts at the
    left margin (or a first-line indent), has no wide gap inside (`部门名称：…   单位：…`
    is two items on a line, not running text), reaches the right margin so that
    `below`'s first word did not fit, and `below` starts at the left margin."""
    size = max(c.get("size", 0.0) for c in line.chars) or 10.0
    if below.x0 - left > 0.5 * size or line.x0 - left > 2.5 * size:
        return False
    drawn = [c for c in line.chars if not c["text"].isspace()]
    if any(b["x0"] - a["x1"] > 2 * size for a, b in zip(drawn, drawn[1:], strict=False)):
        return False
    return Cell((line.x0, 0.0, margin, 0.0), [line]).wraps_into(below)  # margin: no pad


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


def _grid(
    table: PageTable, preamble: tuple[str, ...], trailer: tuple[str, ...], number: int
) -> Grid:
    first, last = table.pages[0], table.pages[-1]
    pages = f"page {first}" if first == last else f"pages {first}-{last}"
    where = f"table {number} ({pages})"
    return framed([texts(row) for row in table.rows], "pdf", where, preamble, trailer)
