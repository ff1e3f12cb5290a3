"""Sheets → a PDF with a text layer (reportlab), as departments print their forms to PDF.

Each sheet's `head` rows (mark, title, year, unit line) are paragraphs; the rest is one
ruled table (every cell boxed, merges as spans) whose long cells wrap over several lines,
as they do in real printouts. Wide tables go on landscape pages; a table longer than a
page continues on the next with its header row repeated (the list form). Cards are one
per page ('sheets') or flow one after another ('stacked'). The text uses the standard
Chinese CID font STSong-Light, so no font file is needed and none is embedded; the bytes
are reproducible (`invariant`).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from synth.render import Sheet

FONT = "STSong-Light"
FONT_SIZE = 7.5
MARGIN = 28.0
MAX_SPAN_ROWS = 12


def _paragraph_text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _widths(sheet: Sheet, body: list[list[str]], room: float) -> list[float]:
    """Column widths from the longest single-column text, scaled to the page."""
    spanned = {(r1, c1) for r1, c1, r2, c2 in sheet.merges if c2 > c1}
    want = [24.0] * sheet.width
    head = sheet.head
    for r, row in enumerate(body):
        for c, text in enumerate(row[: sheet.width]):
            if text and (r + head, c) not in spanned:
                longest = max(len(line) for line in text.split("\n"))
                want[c] = max(want[c], min(longest * FONT_SIZE + 6, 150.0))
    scale = room / sum(want)
    return [w * scale for w in want]


def pdf_bytes(sheets: list[Sheet], cards_per_page: bool = False) -> bytes:
    """A PDF holding every sheet: head rows as paragraphs, the rest one ruled table each;
    `cards_per_page`: a page break between two sheets."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=FONT_SIZE, leading=FONT_SIZE + 2)
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=10, leading=14)
    wide = max(sheet.width for sheet in sheets) > 7
    page = landscape(A4) if wide else A4
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=page, invariant=1, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN, title="", author="", subject="", creator="",
    )  # fmt: skip
    story: list = []
    for index, sheet in enumerate(sheets):
        if index:
            story.append(PageBreak() if cards_per_page else Spacer(1, 12))
        for row in sheet.rows[: sheet.head]:
            text = next((cell for cell in row if cell), "")
            story.append(Paragraph(_paragraph_text(text), title_style) if text else Spacer(1, 6))
        body = [list(row) + [""] * (sheet.width - len(row)) for row in sheet.rows[sheet.head :]]
        if not body:
            continue
        cells = [
            [Paragraph(_paragraph_text(text), cell_style) if text else "" for text in row]
            for row in body
        ]
        commands: list[tuple] = [
            ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
        ]
        for r1, c1, r2, c2 in sheet.merges:
            # a span no page can hold (a unit's cell over all its rows) would stop the table
            # from breaking across pages: it is printed as its first cell over blank boxes
            if r1 >= sheet.head and r2 - r1 < MAX_SPAN_ROWS:
                commands.append(("SPAN", (c1, r1 - sheet.head), (c2, r2 - sheet.head)))
        widths = _widths(sheet, body, page[0] - 2 * MARGIN)
        header = next((r for r, row in enumerate(body) if "三级指标" in row), None)
        repeat = 1 if header == 0 else 0  # the list form: its header on every page
        # a row taller than what is left of a page continues on the next (packed cells);
        # reportlab cannot do that for tables with vertical spans, which break between rows
        in_row = not any(r2 > r1 for r1, _, r2, _ in sheet.merges if r1 >= sheet.head)
        story.append(
            Table(cells, colWidths=widths, style=commands, repeatRows=repeat, splitInRow=in_row)
        )
    document.build(story)
    return buffer.getvalue()
