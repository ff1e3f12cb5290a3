"""Bytes → grids: encodings, delimiters, line endings."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.errors import TableError
from transforms.read import decode, read_grids, sniff_delimiter


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("项目".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "项目".encode(), "utf-8-sig"),
        ("项目".encode("gb18030"), "gb18030"),
        ("项目".encode("gbk"), "gb18030"),
    ],
)
def test_decode_detects_the_encoding(data: bytes, encoding: str):
    assert decode(data) == ("项目", encoding)


def test_decode_refuses_utf16():
    with pytest.raises(TableError, match="UTF-16"):
        decode("项目".encode("utf-16"))


def test_the_suffix_decides_the_delimiter_first():
    assert sniff_delimiter("a\tb,c", ".csv") == ","
    assert sniff_delimiter("a\tb", ".csv") == "\t"
    assert sniff_delimiter("a,b\tc", ".txt") == "\t"
    assert sniff_delimiter("a,b", ".txt") == ","
    assert sniff_delimiter("a,b", ".tsv") == "\t"


def test_crlf_and_quoted_line_breaks():
    data = b'a,"x\r\ny",b\r\nc,d,e\r\n'
    (grid,) = read_grids(Path("t.csv"), data)
    assert grid.rows == [["a", "x\r\ny", "b"], ["c", "d", "e"]]


def test_unknown_suffix_is_refused():
    with pytest.raises(TableError) as error:
        read_grids(Path("t.pptx"), b"PK\x03\x04")
    assert error.value.rule == "format"
