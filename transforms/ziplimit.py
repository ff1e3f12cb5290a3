"""Refuse hostile .xlsx / .docx containers before a reader library decompresses them.

An .xlsx (and a .docx) is a zip. A truncated or fake one must become a TableError, and a zip bomb
(a few KB that inflate to GBs) must be refused before calamine inflates it. The
declared sizes in the central directory can lie, so the members are also inflated
here, in bounded chunks, counting the real output: the check costs one extra
decompression of a normal file (milliseconds) and stops a bomb at the limit.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from transforms.errors import TableError

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
_CHUNK = 1 << 16
_LOCAL_HEADER = 30
_LOCAL_MAGIC = b"PK\x03\x04"


# the part each kind of document must hold, and what a message calls it
KINDS = {
    "xlsx": ("workbook", ("workbook.xml", "workbook.bin"), "an Excel workbook"),
    "docx": ("document", ("word/document.xml",), "a Word document"),
}


def check_zip(data: bytes, limit: int = MAX_UNCOMPRESSED, kind: str = "xlsx") -> None:
    """Raise TableError unless `data` is a complete zip that inflates to at most `limit`
    and holds the main part of `kind` ('xlsx' or 'docx')."""
    noun, parts, long_name = KINDS[kind]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError("unreadable", f"the {noun} is not a complete zip file ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise TableError(
                "zip_bomb", f"the {noun} holds {len(members)} parts (limit {MAX_MEMBERS})"
            )
        declared = sum(info.file_size for info in members)
        if declared > limit:
            raise TableError("zip_bomb", _too_big(declared, limit, noun))
        names = {info.filename.lower() for info in members}
        if not any(name.endswith(parts) for name in names):
            raise TableError("format", f"the zip file is not {long_name} (no {noun} part)")
    inflated = 0
    for info in members:
        inflated += _inflated_size(data, info, limit - inflated)
        if inflated > limit:
            raise TableError("zip_bomb", _too_big(inflated, limit, noun))


def _too_big(size: int, limit: int, noun: str) -> str:
    return (
        f"the {noun} inflates to at least {size // (1024 * 1024)} MB "
        f"(limit {limit // (1024 * 1024)} MB): refused as a possible zip bomb"
    )


def _member_bytes(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The member's compressed bytes, found through its local header."""
    start = info.header_offset
    header = data[start : start + _LOCAL_HEADER]
    if len(header) < _LOCAL_HEADER or not header.startswith(_LOCAL_MAGIC):
        raise TableError("unreadable", f"the zip part {info.filename} is damaged")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    begin = start + _LOCAL_HEADER + name_len + extra_len
    body = data[begin : begin + info.compress_size]
    if len(body) < info.compress_size:
        raise TableError("unreadable", f"the zip part {info.filename} is truncated")
    return body


def _inflated_size(data: bytes, info: zipfile.ZipInfo, budget: int) -> int:
    """Real uncompressed size of one member (counting stops soon after `budget`)."""
    body = _member_bytes(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        size = len(body)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        size = _inflate_counting(body, budget, info.filename)
    else:
        raise TableError("format", f"the zip part {info.filename} uses an unsupported compression")
    return size


def _inflate_counting(body: bytes, budget: int, name: str) -> int:
    """Inflate raw deflate data in bounded chunks; stop as soon as it exceeds `budget`."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    pending = body
    try:
        while pending and not inflater.eof:
            size += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
            if size > budget:
                return size
        size += len(inflater.flush())
    except zlib.error as exc:
        raise TableError("unreadable", f"the zip part {name} is damaged ({exc})") from None
    return size
