"""Bytes on disk → grids of text cells (decode, split into rows and cells).

Knows nothing of budget tables: only encodings, delimited text, workbooks and
documents. A text file gives one grid; a workbook one grid per sheet; a Word document
or a PDF one grid per table (the caller picks the grid that holds the table). The
bytes decide before the suffix: a PDF or a Word document read under another name is
still read as what it is.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
import zipfile
from itertools import islice
from pathlib import Path

from transforms.errors import TableError
from transforms.excel import read_workbook
from transforms.grid import Grid, ReadLimits, check_cells, too_many_rows
from transforms.pdf import is_pdf, read_pdf
from transforms.word import OLE_MAGIC, ZIP_MAGIC, read_docx

TEXT_SUFFIXES = {".txt", ".tsv", ".csv"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
DOCUMENT_SUFFIXES = {".docx", ".doc", ".pdf"}
# what discovery hands to a reader (.doc too: its reader says to save it as .docx)
TABLE_SUFFIXES = {".txt", ".tsv", ".csv", ".xlsx", ".xls", ".docx", ".doc", ".pdf"}
EXPECTED = ".txt .tsv .csv .xlsx .xls .docx .pdf"
# the names of an OLE2 file's main stream, as its directory spells them (UTF-16)
_OLE_WORD = "WordDocument".encode("utf-16-le")
_OLE_BOOK = "Workbook".encode("utf-16-le")
_OLE_OLD_BOOK = "Book".encode("utf-16-le") + b"\x00\x00"

__all__ = [
    "TABLE_SUFFIXES", "Grid", "ReadLimits", "decode", "read_delimited", "read_grid", "read_grids",
    "sniff", "sniff_delimiter", "unsupported_type",
]  # fmt: skip


def unsupported_type(suffix: str) -> str:
    """The one line for a file type bpw does not read."""
    return f"unsupported file type '{suffix}' (expected {EXPECTED})"


def decode(data: bytes) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or GB18030; reject anything else clearly."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:  # text has no NUL
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


def read_delimited(data: bytes, suffix: str, limits: ReadLimits | None = None) -> Grid:
    """Parse delimited text; quoted cells may hold line breaks (csv rules), CRLF or LF.

    At most `limits.max_rows` rows are parsed, and no cell may exceed
    `limits.max_cell_chars`: TableError otherwise.
    """
    limits = limits or ReadLimits()
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text, suffix)
    head = text[:65536]
    if delimiter not in head and ";" in head:
        raise TableError(
            "delimiter",
            "the cells are separated by ';', not by tabs or commas",
            value=head.strip().splitlines()[0][:120] if head.strip() else None,
        )
    # csv's own cap (process-wide, 131072 by default) must never fire before ours, which
    # names the cell: no cell is longer than the (size-limited) text
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [list(map(str.strip, row)) for row in islice(reader, limits.max_rows + 1)]
    except csv.Error as exc:
        raise TableError("format", f"the text cannot be split into cells ({exc})") from None
    if len(rows) > limits.max_rows:
        raise too_many_rows(limits.max_rows)
    if len(text) > limits.max_cell_chars:  # only then can a cell be too large
        check_cells(rows, limits.max_cell_chars)
    return Grid(rows=rows, encoding=encoding)


def read_file_bytes(path: Path) -> bytes:
    """The bytes of the regular file at `path`, never following a link nor waiting on a
    pipe that took its name since discovery (OSError: the file's or the disk's fault)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.ENXIO, "not a regular file any more", str(path))
        return handle.read()


def read_grids(
    path: Path, data: bytes | None = None, limits: ReadLimits | None = None
) -> list[Grid]:
    """Every grid in the file: one for text, one per sheet for a workbook, one per table
    for a Word document or a PDF."""
    suffix = path.suffix.lower()
    if data is None:
        data = read_file_bytes(path)
    if not data:
        raise TableError("empty", "the file is empty (0 bytes)")
    kind = sniff(data)
    if kind == "pdf":
        return read_pdf(data, limits)
    if kind == "docx" or (kind == "doc" and suffix not in WORKBOOK_SUFFIXES):
        return read_docx(data, limits)  # a .doc: refused with what to do
    if kind in ("xlsx", "xls") and suffix not in WORKBOOK_SUFFIXES:
        return read_workbook(data, limits)
    if suffix == ".pdf":
        return read_pdf(data, limits)  # says what the bytes are instead
    if suffix in (".docx", ".doc"):
        return read_docx(data, limits)
    if suffix in TEXT_SUFFIXES:
        return [read_delimited(data, suffix, limits)]
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(data, limits)
    raise TableError("format", unsupported_type(suffix))


def sniff(data: bytes) -> str | None:
    """What the bytes are, whatever the file's name says: 'pdf', 'docx' / 'xlsx' (a zip
    holding a Word document / a workbook), 'doc' / 'xls' (an OLE2 file holding a Word
    document / a workbook stream), or None (text, or bytes the suffix must explain)."""
    if is_pdf(data):
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = {name.lower() for name in archive.namelist()}
        except (zipfile.BadZipFile, OSError, ValueError):
            return None  # the reader the suffix picks names the damage
        if "word/document.xml" in names:
            return "docx"
        return "xlsx" if any(n.endswith(("workbook.xml", "workbook.bin")) for n in names) else None
    if data.startswith(OLE_MAGIC):
        if _OLE_WORD in data:
            return "doc"
        if _OLE_BOOK in data or _OLE_OLD_BOOK in data:
            return "xls"
    return None


def read_grid(path: Path, data: bytes | None = None, limits: ReadLimits | None = None) -> Grid:
    """The file's first grid (text files have only one)."""
    grids = read_grids(path, data, limits)
    if not grids:
        raise TableError("empty", "the file holds no table (no sheet, no Word table)")
    return grids[0]
