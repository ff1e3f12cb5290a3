"""Sheets → file bytes: delimited text (txt/tsv/csv), spreadsheets (xlsx/xls), Word (docx),
PDF (pdf).

Text is built with plain string joins (thousands of files must be fast). Spreadsheets
are made byte-for-byte reproducible: openpyxl stamps the save time into the workbook
and the zip entries, so both are pinned to a fixed instant.
"""

from __future__ import annotations

import io
from pathlib import Path

from synth.cards import form_sheets
from synth.forms import FORM_LAYOUTS, FormStyle
from synth.model import LogicalTable
from synth.pdf import pdf_bytes
from synth.pinning import pin_zip
from synth.render import Sheet, render
from synth.style import ENCODINGS, FORMATS, Style
from synth.word import docx_bytes

ALL_FORMATS = (*FORMATS, "docx", "pdf")
__all__ = ["ALL_FORMATS", "pin_zip", "table_bytes", "write_table"]

SHEET_TITLE = "项目支出绩效目标表"
NUMBER_FORMAT = "#,##0.00"


def _quote(cell: str, delimiter: str) -> str:
    """csv rules: quote a cell holding the delimiter, a quote or a line break."""
    if delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def text_bytes(sheet: Sheet, fmt: str, encoding: str, style: Style) -> bytes:
    """Delimited text: tab for txt/tsv (as the sample), comma for csv."""
    delimiter = "," if fmt == "csv" else "\t"
    lines = [delimiter.join(_quote(cell, delimiter) for cell in row) for row in sheet.rows]
    text = style.line_ending.join(lines)
    if style.final_newline:
        text += style.line_ending
    return text.encode(encoding)


def _sheet_names(sheets: list[Sheet]) -> list[str]:
    """Each sheet's worksheet name: its own title, else the default (表N past the first)."""
    names = []
    for index, sheet in enumerate(sheets):
        name = sheet.title or (SHEET_TITLE if index == 0 else f"表{index + 1}")
        names.append(name[:31])
    return names


def xlsx_bytes(sheets: Sheet | list[Sheet], style: Style) -> bytes:
    """An .xlsx via openpyxl, one worksheet per sheet (merged cells real merges; amounts
    text or numbers)."""
    from openpyxl import Workbook

    sheets = [sheets] if isinstance(sheets, Sheet) else sheets
    workbook = Workbook()
    for index, (sheet, name) in enumerate(zip(sheets, _sheet_names(sheets), strict=True)):
        worksheet = workbook.active if index == 0 else workbook.create_sheet()
        worksheet.title = name
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                number = sheet.numbers.get((r, c)) if style.numeric_cells else None
                if number is not None:
                    cell = worksheet.cell(row=r + 1, column=c + 1, value=float(number))
                    cell.number_format = NUMBER_FORMAT
                elif value:
                    cell = worksheet.cell(row=r + 1, column=c + 1, value=value)
                    cell.data_type = "s"  # `=` or `=100%` is typed text, never a formula
        for r1, c1, r2, c2 in sheet.merges:
            worksheet.merge_cells(
                start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return pin_zip(buffer.getvalue())


def _xls_sheet(worksheet, sheet: Sheet, style: Style, number_style) -> None:
    def value_and_style(r: int, c: int) -> tuple[object, object | None]:
        number = sheet.numbers.get((r, c)) if style.numeric_cells else None
        if number is not None:
            return float(number), number_style
        return sheet.rows[r][c] if c < len(sheet.rows[r]) else "", None

    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in sheet.merges:
        value, cell_style = value_and_style(r1, c1)
        if cell_style is None:
            worksheet.write_merge(r1, r2, c1, c2, value)
        else:
            worksheet.write_merge(r1, r2, c1, c2, value, cell_style)
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    for r, row in enumerate(sheet.rows):
        for c in range(len(row)):
            if (r, c) in covered:
                continue
            value, cell_style = value_and_style(r, c)
            if cell_style is not None:
                worksheet.write(r, c, value, cell_style)
            elif value:
                worksheet.write(r, c, value)


def xls_bytes(sheets: Sheet | list[Sheet], style: Style) -> bytes:
    """A BIFF8 .xls via xlwt, one worksheet per sheet (merged ranges written once, from
    their top-left cell)."""
    import xlwt

    sheets = [sheets] if isinstance(sheets, Sheet) else sheets
    workbook = xlwt.Workbook(encoding="utf-8")
    number_style = xlwt.easyxf(num_format_str=NUMBER_FORMAT)
    for sheet, name in zip(sheets, _sheet_names(sheets), strict=True):
        _xls_sheet(workbook.add_sheet(name), sheet, style, number_style)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_sheets(
    table: LogicalTable,
    fmt: str = "txt",
    layout: str = "packed",
    style: Style | None = None,
    form: FormStyle | None = None,
) -> list[Sheet]:
    """The sheets one file of this table holds (one, except cards one per sheet or table)."""
    if layout in FORM_LAYOUTS:
        return form_sheets(table, fmt, layout, style, form)
    return [render(table, layout, style)]


def sheets_bytes(
    sheets: list[Sheet], fmt: str, encoding: str, style: Style, form: FormStyle | None = None
) -> bytes:
    """The file bytes of some sheets in a format (text formats: one sheet; pdf: cards one
    per page when the form lays them out one per sheet)."""
    if fmt not in ALL_FORMATS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(ALL_FORMATS)})")
    if fmt == "xlsx":
        return xlsx_bytes(sheets, style)
    if fmt == "xls":
        return xls_bytes(sheets, style)
    if fmt == "docx":
        return docx_bytes(sheets)
    if fmt == "pdf":
        return pdf_bytes(sheets, cards_per_page=form is not None and form.arrangement == "sheets")
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r} (expected one of {', '.join(ENCODINGS)})")
    (sheet,) = sheets
    return text_bytes(sheet, fmt, encoding, style)


def table_bytes(
    table: LogicalTable,
    fmt: str = "txt",
    layout: str = "packed",
    encoding: str = "utf-8",
    style: Style | None = None,
    form: FormStyle | None = None,
) -> bytes:
    """The bytes of one rendering of a table (encoding applies to text formats only;
    `form` to the card and list layouts only)."""
    style = style or Style()
    if fmt not in ALL_FORMATS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(ALL_FORMATS)})")
    sheets = render_sheets(table, fmt, layout, style, form)
    return sheets_bytes(sheets, fmt, encoding, style, form if layout in FORM_LAYOUTS else None)


def write_table(
    table: LogicalTable,
    path: Path,
    fmt: str = "txt",
    layout: str = "packed",
    encoding: str = "utf-8",
    style: Style | None = None,
    form: FormStyle | None = None,
) -> None:
    """Write one rendering of `table` to `path` (parent folders created)."""
    data = table_bytes(table, fmt, layout, encoding, style, form)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
