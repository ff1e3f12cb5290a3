"""A `Sheet` → file bytes: delimited text (txt/tsv/csv) or spreadsheets (xlsx/xls).

Text is built with plain string joins (thousands of files must be fast). Spreadsheets
are made byte-for-byte reproducible: openpyxl stamps the save time into the workbook
and the zip entries, so both are pinned to a fixed instant.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from synth.model import LogicalTable
from synth.render import Sheet, render
from synth.style import ENCODINGS, FORMATS, Style

SHEET_TITLE = "项目支出绩效目标表"
NUMBER_FORMAT = "#,##0.00"
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = "2020-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


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


def pin_zip(data: bytes) -> bytes:
    """Rewrite an xlsx/docx with fixed entry times and fixed created/modified properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + _FIXED_W3CDTF.encode() + rb"\g<3>", content)
            pinned = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            target.writestr(pinned, content)
    return out.getvalue()


def xlsx_bytes(sheet: Sheet, style: Style) -> bytes:
    """An .xlsx via openpyxl (merged cells real merges; amounts text or numbers)."""
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = SHEET_TITLE
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            number = sheet.numbers.get((r, c)) if style.numeric_cells else None
            if number is not None:
                cell = worksheet.cell(row=r + 1, column=c + 1, value=float(number))
                cell.number_format = NUMBER_FORMAT
            elif value:
                worksheet.cell(row=r + 1, column=c + 1, value=value)
    for r1, c1, r2, c2 in sheet.merges:
        worksheet.merge_cells(
            start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return pin_zip(buffer.getvalue())


def xls_bytes(sheet: Sheet, style: Style) -> bytes:
    """A BIFF8 .xls via xlwt (merged ranges written once, from their top-left cell)."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    worksheet = workbook.add_sheet(SHEET_TITLE)
    number_style = xlwt.easyxf(num_format_str=NUMBER_FORMAT)

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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_bytes(
    table: LogicalTable,
    fmt: str = "txt",
    layout: str = "packed",
    encoding: str = "utf-8",
    style: Style | None = None,
) -> bytes:
    """The bytes of one rendering of a table (encoding applies to text formats only)."""
    style = style or Style()
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    sheet = render(table, layout, style)
    if fmt == "xlsx":
        return xlsx_bytes(sheet, style)
    if fmt == "xls":
        return xls_bytes(sheet, style)
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r} (expected one of {', '.join(ENCODINGS)})")
    return text_bytes(sheet, fmt, encoding, style)


def write_table(
    table: LogicalTable,
    path: Path,
    fmt: str = "txt",
    layout: str = "packed",
    encoding: str = "utf-8",
    style: Style | None = None,
) -> None:
    """Write one rendering of `table` to `path` (parent folders created)."""
    data = table_bytes(table, fmt, layout, encoding, style)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
