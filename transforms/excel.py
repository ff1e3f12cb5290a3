"""Workbook bytes (.xlsx / .xls) → one grid of text cells per sheet, via calamine.

Every cell is read as text, the way a person sees it: numbers come back as plain
decimals (`572.9`, never `5.729E2`), float noise from computed cells
(`5373.549999999999`) is rounded to 6 decimals, blanks are "". Merged cells hold
their value in the top-left cell only; the layout code decides what to fill.
Row i of a grid is sheet row i + 1 (leading blank rows are kept), so source rows
point at the row a person sees in Excel.
"""

from __future__ import annotations

import polars as pl

from transforms.errors import TableError
from transforms.grid import Grid, ReadLimits, cell_too_large, too_many_rows
from transforms.ziplimit import check_zip

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FLOAT_NOISE = r"^-?\d+\.\d{7,}$"


def workbook_kind(data: bytes) -> str:
    """'xlsx' (zip container) or 'xls' (OLE2 container), whatever the file's suffix says."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "xls"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError("encoding", "the file is UTF-16 text, not an Excel workbook")
    raise TableError(
        "format",
        "the file is not an Excel workbook: an .xlsx must be a zip file and an .xls an "
        f"OLE2 file, but it starts with bytes {data[:8].hex(' ')}",
    )


def read_workbook(data: bytes, limits: ReadLimits | None = None) -> list[Grid]:
    """All sheets, in workbook order, as grids (sheet names recorded on each)."""
    limits = limits or ReadLimits()
    kind = workbook_kind(data)
    if kind == "xlsx":
        check_zip(data, limits.max_uncompressed_bytes)
    try:
        sheets = pl.read_excel(
            data,
            engine="calamine",
            sheet_id=0,
            has_header=False,
            read_options={"header_row": None, "skip_rows": 0, "dtypes": "string"},
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # calamine reports damaged files with many exception types
        message = f"the {kind} workbook cannot be read ({type(exc).__name__}: {exc})"
        raise TableError("unreadable", message[:300]) from None
    return [_grid(frame, name, kind, limits) for name, frame in sheets.items()]


def cell_text(column: pl.Expr) -> pl.Expr:
    """A string cell as displayed: trimmed, null → "", float noise rounded to 6 decimals."""
    rounded = (
        column.cast(pl.Float64, strict=False).round(6).cast(pl.String).str.replace(r"\.0$", "")
    )
    text = column.str.strip_chars().fill_null("")
    return pl.when(text.str.contains(_FLOAT_NOISE)).then(rounded).otherwise(text)


def check_sheet(cells: pl.DataFrame, limits: ReadLimits) -> None:
    """TableError when a sheet has too many rows or a cell over the limit (vectorized)."""
    if cells.height > limits.max_rows:
        raise too_many_rows(limits.max_rows)
    longest = cells.select(pl.all().str.len_chars().max()).row(0)
    for index, length in enumerate(longest):
        if length is not None and length > limits.max_cell_chars:
            column = cells.to_series(index)
            row = column.str.len_chars().arg_max() or 0
            raise cell_too_large(row + 1, index, column[row], limits.max_cell_chars)


def _grid(frame: pl.DataFrame, sheet: str, kind: str, limits: ReadLimits) -> Grid:
    """One sheet's frame → a grid; every column is cast to text cells in one pass."""
    if frame.width == 0:
        return Grid(rows=[], encoding=kind, sheet=sheet)
    cells = frame.select(cell_text(pl.col(c).cast(pl.String)).alias(c) for c in frame.columns)
    check_sheet(cells, limits)
    return Grid(rows=[list(row) for row in cells.iter_rows()], encoding=kind, sheet=sheet)
