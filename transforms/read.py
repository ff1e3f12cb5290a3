"""Bytes on disk → grids of text cells (decode, split into rows and cells).

Knows nothing of budget tables: only encodings, delimited text and workbooks. A text
file gives one grid; a workbook gives one grid per sheet (the caller picks the sheet
that holds the table).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from transforms.errors import TableError
from transforms.excel import read_workbook
from transforms.grid import Grid

TEXT_SUFFIXES = {".txt", ".tsv", ".csv"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}

__all__ = ["Grid", "decode", "read_delimited", "read_grid", "read_grids", "sniff_delimiter"]


def decode(data: bytes) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or GB18030; reject anything else clearly."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise TableError("encoding", "the file is UTF-16 or binary, not UTF-8 or GB18030 text")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise TableError(
            "encoding", f"the file is neither UTF-8 nor GB18030 text (bad byte at {exc.start})"
        ) from None


def sniff_delimiter(text: str, suffix: str) -> str:
    """Tab for .tsv; comma for .csv (tab only when it has no comma at all); .txt: tab if any.

    A .csv cell may itself hold a tab, and a .txt cell a thousands comma, so the suffix
    decides first and the content only breaks the tie.
    """
    head = text[:65536]
    if suffix == ".tsv":
        return "\t"
    if suffix == ".csv":
        return "\t" if "," not in head and "\t" in head else ","
    return "\t" if "\t" in head or "," not in head else ","


def read_delimited(data: bytes, suffix: str) -> Grid:
    """Parse delimited text; quoted cells may hold line breaks (csv rules), CRLF or LF."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text, suffix)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise TableError("format", f"the text cannot be split into cells ({exc})") from None
    return Grid(rows=rows, encoding=encoding)


def read_grids(path: Path, data: bytes | None = None) -> list[Grid]:
    """Every grid in the file: one for text, one per sheet for a workbook."""
    suffix = path.suffix.lower()
    if data is None:
        data = path.read_bytes()
    if not data:
        raise TableError("empty", "the file is empty (0 bytes)")
    if suffix in TEXT_SUFFIXES:
        return [read_delimited(data, suffix)]
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(data)
    raise TableError(
        "format", f"unsupported file type '{suffix}' (expected .txt .tsv .csv .xlsx .xls)"
    )


def read_grid(path: Path, data: bytes | None = None) -> Grid:
    """The file's first grid (text files have only one)."""
    grids = read_grids(path, data)
    if not grids:
        raise TableError("empty", "the workbook has no sheets")
    return grids[0]
