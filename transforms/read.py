"""Bytes on disk → a grid of text cells (decode, split into rows and cells).

Knows nothing of budget tables: only encodings and delimited-text formats.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from transforms.errors import TableError

TEXT_SUFFIXES = {".txt", ".tsv", ".csv"}


@dataclass(frozen=True)
class Grid:
    """A table as read: rows of text cells (row i of `rows` is source row i + 1)."""

    rows: list[list[str]]
    encoding: str
    sheet: str | None = None


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
    """Tab for .txt/.tsv (or any text holding tabs); comma for .csv."""
    head = text[:65536]
    if suffix == ".tsv" or "\t" in head:
        return "\t"
    return ","


def read_delimited(data: bytes, suffix: str) -> Grid:
    """Parse delimited text; quoted cells may hold line breaks (csv rules)."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text, suffix)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [[cell.strip() for cell in row] for row in reader]
    return Grid(rows=rows, encoding=encoding)


def read_grid(path: Path, data: bytes | None = None) -> Grid:
    """Read any supported file into a grid; the suffix picks the reader."""
    suffix = path.suffix.lower()
    if data is None:
        data = path.read_bytes()
    if suffix in TEXT_SUFFIXES:
        return read_delimited(data, suffix)
    raise TableError("format", f"unsupported file type '{suffix}' (expected .txt .tsv .csv)")
