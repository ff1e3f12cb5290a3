"""Word (.docx) bytes → one grid per table, in document order, with the text around it.

The document's XML is walked directly (python-docx opens the package): a table's rows
become grid rows, each `w:gridCol` a grid column. Merged cells follow the Excel
reader's convention, so every layout reader sees one: the value in the top-left cell
of the span only, the rest "". A horizontal span is one `w:tc` with `w:gridSpan`
(and the old `w:hMerge`); a vertical one is a `w:vMerge="restart"` cell followed by
`w:vMerge` (continue) cells, which read as "". `w:gridBefore` / `w:gridAfter` leave
blank cells. A cell's text is its paragraphs joined by "\\n", trimmed; a table nested
in a cell is flattened into it (its rows as lines, cells joined by a tab).

Paragraphs between the previous table (or the start) and a table are its preamble,
but for notes (`注：…`) right under the previous table, which close that one; the
paragraphs after the last table are its trailer (`transforms.grid.Grid` says how they
sit in `rows`). A legacy `.doc` (OLE2) is refused: save it as .docx.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from lxml import etree

from transforms.errors import TableError
from transforms.grid import Grid, ReadLimits, check_rows, framed, split_between
from transforms.ziplimit import check_zip

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# elements whose children stand in their place (content controls, custom XML, tracked
# insertions and moves)
_TRANSPARENT = {f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}moveTo"}
# subtrees never read as text: deleted runs, text boxes (drawn apart from the flow), the
# fallback copy of alternate content, field instructions
_SKIPPED = {
    f"{W}del", f"{W}moveFrom", f"{W}txbxContent", f"{MC}Fallback", f"{W}instrText",
    f"{W}delInstrText", f"{W}sdtPr", f"{W}rPr", f"{W}pPr",
}  # fmt: skip
# the Adobe Symbol font's codes for the signs budget targets use (others: ASCII alike)
_SYMBOL_FONT = {
    0xA3: "≤", 0xB3: "≥", 0xB9: "≠", 0xBB: "≈", 0xB1: "±", 0xB4: "×", 0xB8: "÷",
    0xB0: "°", 0xD7: "·", 0xA5: "∞", 0xAE: "→", 0xDE: "⇒",
}  # fmt: skip
_TABS = re.compile(r"[ \t]*\t[ \t]*")
_CHARACTERS = {f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}

DOC_MESSAGE = (
    "the file is a legacy Word .doc (OLE2), which bpw does not read: open it in Word or "
    "WPS and save it as .docx"
)


def refuse_doc() -> TableError:
    return TableError("format", DOC_MESSAGE)


def read_docx(data: bytes, limits: ReadLimits | None = None) -> list[Grid]:
    """Every table of the document as a grid, in document order (TableError `no_table`
    when it has none)."""
    limits = limits or ReadLimits()
    if data.startswith(OLE_MAGIC):
        raise refuse_doc()
    if not data.startswith(ZIP_MAGIC):
        raise TableError("format", _not_docx(data))
    check_zip(data, limits.max_uncompressed_bytes, kind="docx")
    grids = list(_grids(_body(data), limits))
    if not grids:
        raise TableError("no_table", "the Word document holds no table")
    return grids


def _not_docx(data: bytes) -> str:
    """Why bytes that are not a zip are no .docx: RTF and web pages saved under a Word
    name are common on department sites, and say so."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{\\rtf"):
        kind = "RTF text"
    elif head.startswith((b"<html", b"<!doctype html", b"mime-version")):
        kind = "a web page (HTML or MHT)"
    elif head.startswith(b"<?xml"):
        kind = "Word 2003 XML"
    else:
        return (
            "the file is not a Word document (.docx is a zip file; it starts with bytes "
            f"{data[:8].hex(' ')})"
        )
    return f"the file is {kind} under a Word name: open it in Word or WPS and save it as .docx"


def _body(data: bytes) -> etree._Element:
    """The document's w:body element (TableError when the package cannot be opened)."""
    import docx  # python-docx: imported here, only a Word file needs it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx reports damaged packages with many types
        message = f"the Word document cannot be read ({type(exc).__name__}: {exc})"
        raise TableError("unreadable", " ".join(message.split())[:300]) from None
    body = document.element.find(f"{W}body")
    if body is None:
        raise TableError("unreadable", "the Word document has no body")
    return body


def _grids(body: etree._Element, limits: ReadLimits) -> Iterator[Grid]:
    """Walk the body: paragraphs collect as the next table's preamble."""
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    between: list[list[str]] = []  # the paragraphs before each table, then after the last
    for element in _children(body):
        if element.tag == f"{W}p":
            lines += _paragraph_lines(element)
        elif element.tag == f"{W}tbl":
            tables.append(_table(element))
            between.append(lines)
            lines = []
    between.append(lines)
    for number, table in enumerate(tables, start=1):
        before = between[number - 1]  # notes on top belong to the table above, if any
        preamble = tuple(before) if number == 1 else split_between(before)[1]
        notes, _ = split_between(between[number])
        trailer = tuple(between[number]) if number == len(tables) else notes
        grid = framed(table, "docx", f"table {number}", preamble, trailer)
        check_rows(grid.rows, limits)
        yield grid


def _paragraph_lines(paragraph: etree._Element) -> list[str]:
    """A body paragraph as preamble lines: non-blank, trimmed (a line break splits), and
    tabs that only push text apart (`部门名称：某局\t\t\t单位：万元`) one space, as the
    PDF reader gives such a line."""
    lines = (_TABS.sub(" ", line).strip() for line in _text(paragraph).split("\n"))
    return [line for line in lines if line]


def _children(element: etree._Element) -> Iterator[etree._Element]:
    """Child elements, looking through content controls and tracked insertions."""
    for child in element:
        if child.tag in _TRANSPARENT:
            yield from _children(child)
        elif isinstance(child.tag, str):
            yield child


def _text(element: etree._Element) -> str:
    """The visible text under `element`, in order (runs, tabs, breaks, symbols)."""
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: etree._Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == f"{W}t":
            parts.append(child.text or "")
        elif tag in _CHARACTERS:
            parts.append(_CHARACTERS[tag])
        elif tag == f"{W}sym":
            parts.append(_symbol(child))
        else:
            _collect(child, parts)


def _symbol(sym: etree._Element) -> str:
    """A w:sym character: in the Symbol font (how Word inserts `≥` from its symbol
    table) the character it draws; otherwise the code as it stands (a private-use code
    point is no letter to guess)."""
    code = sym.get(f"{W}char") or ""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if (sym.get(f"{W}font") or "").lower() == "symbol":
        low = value - 0xF000 if 0xF020 <= value <= 0xF0FF else value
        return _SYMBOL_FONT.get(low, chr(low))
    return chr(value)


def _cell_text(tc: etree._Element) -> str:
    """A cell's paragraphs joined by "\\n" (a nested table flattened in place), trimmed."""
    lines: list[str] = []
    for child in _children(tc):
        if child.tag == f"{W}p":
            lines.append(_text(child))
        elif child.tag == f"{W}tbl":
            lines += ["\t".join(c for c in row if c) for row in _table(child)]
    return "\n".join(lines).strip()


def _int_attr(parent: etree._Element | None, path: str, default: int) -> int:
    found = parent.find(path) if parent is not None else None
    try:
        return max(int(found.get(f"{W}val")), 0) if found is not None else default
    except (TypeError, ValueError):
        return default


def _merge(tc_pr: etree._Element | None, tag: str) -> str | None:
    """'restart', 'continue' or None for a w:vMerge / w:hMerge (no val means continue)."""
    found = tc_pr.find(f"{W}{tag}") if tc_pr is not None else None
    if found is None:
        return None
    return found.get(f"{W}val") or "continue"


def _table(tbl: etree._Element) -> list[list[str]]:
    """A w:tbl → rows of cells, merged spans resolved (top-left holds the value)."""
    rows: list[list[str]] = []
    for tr in (c for c in _children(tbl) if c.tag == f"{W}tr"):
        tr_pr = tr.find(f"{W}trPr")
        cells = [""] * _int_attr(tr_pr, f"{W}gridBefore", 0)
        for tc in (c for c in _children(tr) if c.tag == f"{W}tc"):
            tc_pr = tc.find(f"{W}tcPr")
            span = max(_int_attr(tc_pr, f"{W}gridSpan", 1), 1)
            merged = "continue" in (_merge(tc_pr, "vMerge"), _merge(tc_pr, "hMerge"))
            cells.append("" if merged else _cell_text(tc))
            cells += [""] * (span - 1)
        cells += [""] * _int_attr(tr_pr, f"{W}gridAfter", 0)
        rows.append(cells)
    return rows
