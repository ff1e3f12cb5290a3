"""Sheets → a Word document (.docx via python-docx), as departments post their forms.

Each sheet's first `head` rows (the synthetic mark, title, year, unit line) are printed as
paragraphs; the rest of the sheet is one Word table with its merges as real merged
cells (gridSpan / vMerge). One sheet, one table: a file of cards has one table per card,
a blank paragraph between two. Bytes are pinned like the spreadsheets'.
"""

from __future__ import annotations

import io

from synth.pinning import pin_zip
from synth.render import Sheet


def _spans(merges: list[tuple[int, int, int, int]], head: int) -> tuple[dict, set]:
    """Per body cell: (columns spanned, vMerge) for a merge's left cells; the covered rest."""
    spans: dict[tuple[int, int], tuple[int, str | None]] = {}
    hidden: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in merges:
        if r1 < head:
            continue  # a title row: printed as a paragraph
        for r in range(r1 - head, r2 - head + 1):
            vmerge = None if r1 == r2 else ("restart" if r == r1 - head else "continue")
            spans[(r, c1)] = (c2 - c1 + 1, vmerge)
            hidden.update((r, c) for c in range(c1 + 1, c2 + 1))
    return spans, hidden


def _table(document, sheet: Sheet) -> None:  # document: docx.Document
    """Paragraphs for the head rows, then one table; merges written straight into the XML
    (gridSpan, vMerge) — python-docx's cell-by-cell merge is quadratic in the table size."""
    from docx.table import _Cell

    head = sheet.head
    for row in sheet.rows[:head]:
        document.add_paragraph(next((cell for cell in row if cell), ""))
    body = sheet.rows[head:]
    if not body:
        return
    width = max(sheet.width, max(len(row) for row in body))
    table = document.add_table(rows=len(body), cols=width)
    table.style = "Table Grid"
    spans, hidden = _spans(sheet.merges, head)
    for r, row in enumerate(table.rows):
        tr = row._tr
        for c, tc in enumerate(list(tr.tc_lst)):
            if (r, c) in hidden:
                tr.remove(tc)
                continue
            columns, vmerge = spans.get((r, c), (1, None))
            if columns > 1:
                tc.grid_span = columns
            if vmerge:
                tc.vMerge = vmerge
            value = body[r][c] if c < len(body[r]) else ""
            if value and vmerge != "continue":
                _Cell(tc, table).text = value


def docx_bytes(sheets: list[Sheet]) -> bytes:
    """A .docx holding every sheet: head rows as paragraphs, the rest one table each."""
    from docx import Document

    document = Document()
    for index, sheet in enumerate(sheets):
        if index:
            document.add_paragraph("")
        _table(document, sheet)
    buffer = io.BytesIO()
    document.save(buffer)
    return pin_zip(buffer.getvalue())
