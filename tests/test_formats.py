"""The real sample re-saved in every supported form loads to the same warehouse rows.

Each variant is written here from `tests/fixtures/2026/广州互联网法院.txt` the way a
person would re-save it (numbers become numeric cells in a workbook), then read
through `read_table` + `normalize` and compared with the original .txt.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlwt

from tests.conftest import SAMPLE, table_from_bytes
from transforms.errors import TableError
from transforms.normalize import Frames, normalize
from transforms.ziplimit import check_zip

_NUMBER = re.compile(r"^-?[\d,]+\.\d+$")
PROJECT_COLUMNS = [
    "project_name", "unit_name", "total_amount", "fiscal_amount", "special_account_amount",
    "other_amount",
]  # fmt: skip
INDICATOR_COLUMNS = [
    "project_name", "indicator_seq", "category_code", "indicator_name",
    "period_target_text", "annual_target_text",
]  # fmt: skip


def sample_rows() -> list[list[str]]:
    return [line.split("\t") for line in SAMPLE.read_text(encoding="utf-8").split("\n")]


def as_cell(text: str) -> str | float:
    """What a spreadsheet keeps: `5,373.54` becomes the number 5373.54."""
    return float(text.replace(",", "")) if _NUMBER.match(text) else text


def load(name: str, data: bytes) -> Frames:
    return normalize([table_from_bytes(Path("inbox/2026") / name, data)])


def projects_of(frames: Frames) -> list[tuple]:
    return frames.projects.select(PROJECT_COLUMNS).rows()


def indicators_of(frames: Frames) -> list[tuple]:
    named = frames.indicators.join(
        frames.projects.select("source_file_id", "source_row", "project_name"),
        on=["source_file_id", "source_row"],
    )
    return named.sort("source_row", "indicator_seq").select(INDICATOR_COLUMNS).rows()


@pytest.fixture(scope="module")
def original() -> Frames:
    return load("广州互联网法院.txt", SAMPLE.read_bytes())


def assert_same_table(frames: Frames, original: Frames) -> None:
    assert projects_of(frames) == projects_of(original)
    assert indicators_of(frames) == indicators_of(original)
    files, expected = frames.files.row(0, named=True), original.files.row(0, named=True)
    for key in ("department_name", "amount_unit", "declared_total_amount", "year"):
        assert files[key] == expected[key]


def xlsx_bytes(
    sheets: dict[str, list[list[str]]], merges: dict[str, list[str]] | None = None, offset: int = 0
) -> bytes:
    """A workbook with the given sheets (rows of text; numbers stored as numbers)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, cells in enumerate(rows, start=1 + offset):
            for c, text in enumerate(cells, start=1):
                if text:
                    sheet.cell(r, c, as_cell(text))
        for ref in (merges or {}).get(title, []):
            sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list[str]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("项目支出绩效目标表")
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if text:
                sheet.write(r, c, as_cell(text))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def delimited_bytes(rows: list[list[str]], delimiter: str, encoding: str, newline: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_the_original_sample_still_reads_as_before(original: Frames):
    assert original.projects.height == 17
    assert original.indicators.height == 71
    assert str(original.projects["total_amount"].sum()).startswith("5373.55")


def test_xlsx_with_numeric_cells(original: Frames):
    frames = load("表.xlsx", xlsx_bytes({"Sheet1": sample_rows()}))
    assert_same_table(frames, original)
    assert frames.files["encoding"][0] == "xlsx"
    assert frames.files["sheet"][0] == "Sheet1"
    assert frames.projects["source_row"].to_list() == original.projects["source_row"].to_list()


def test_xls_through_calamine(original: Frames):
    frames = load("表.xls", xls_bytes(sample_rows()))
    assert_same_table(frames, original)
    assert frames.files["sheet"][0] == "项目支出绩效目标表"


def test_gb18030_csv_with_quoted_amounts(original: Frames):
    data = delimited_bytes(sample_rows(), ",", "gb18030", "\n")
    assert b'"5,373.54"' in data
    frames = load("表.csv", data)
    assert_same_table(frames, original)
    assert frames.files["encoding"][0] == "gb18030"


def test_utf8_bom_crlf_tsv(original: Frames):
    data = b"\xef\xbb\xbf" + delimited_bytes(sample_rows(), "\t", "utf-8", "\r\n")
    frames = load("表.tsv", data)
    assert_same_table(frames, original)
    assert frames.files["encoding"][0] == "utf-8-sig"


def test_gbk_crlf_txt(original: Frames):
    text = SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert_same_table(load("表.txt", text.encode("gbk")), original)


def test_table_on_the_second_sheet_below_blank_rows(original: Frames):
    cover = [["说明"], ["本表由财务科填报。"]]
    data = xlsx_bytes({"封面": cover, "附表3": sample_rows()}, offset=2)
    frames = load("表.xlsx", data)
    assert_same_table(frames, original)
    assert frames.files["sheet"][0] == "附表3"
    assert frames.projects["source_row"].to_list() == list(range(11, 28))  # sheet rows


def test_merged_title_preamble_and_header_group(original: Frames):
    rows = sample_rows()
    header = rows[5]
    group = ["项目名称（资金使用单位）", "项目资金", "", "", "", "绩效目标", "绩效指标"]
    below = ["", *header[1:5], "", ""]
    data = xlsx_bytes(
        {"表": rows[:5] + [group, below] + rows[6:]},
        merges={"表": ["A3:G3", "A5:E5", "A6:A7", "B6:E6", "F6:F7", "G6:G7"]},
    )
    frames = load("表.xlsx", data)
    assert_same_table(frames, original)


def test_float_noise_from_formulas_reads_as_the_displayed_decimal():
    rows = [
        ["部门名称：测试局"],
        ["项目名称", "总计", "财政拨款", "财政专户拨款", "其他资金", "绩效目标", "绩效指标"],
    ]
    book = openpyxl.Workbook()
    for cells in rows:
        book.active.append(cells)
    book.active.append(["项目甲", 0.1 + 0.2, 0.30000000000000004, 0, None, "目标", "达标"])
    book.active.append(["项目乙", 1234567.0, 1234567, 2182.7300000000005, 1 / 3, "目标", "达标"])
    buffer = io.BytesIO()
    book.save(buffer)
    projects = load("测试局.xlsx", buffer.getvalue()).projects
    assert projects["total_text"].to_list() == ["0.3", "1234567"]
    assert projects["fiscal_text"].to_list() == ["0.3", "1234567"]
    assert projects["special_text"].to_list() == ["0", "2182.73"]
    assert projects["other_text"].to_list() == ["", "0.333333"]


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".tsv"])
def test_utf16_text_is_rejected_naming_the_encoding(suffix: str):
    data = SAMPLE.read_text(encoding="utf-8").encode("utf-16")
    with pytest.raises(TableError) as error:
        load("表" + suffix, data)
    assert error.value.rule == "encoding"
    assert "UTF-16" in error.value.message


def test_binary_garbage_named_xlsx_is_rejected():
    garbage = bytes(range(256)) * 40
    with pytest.raises(TableError) as error:
        load("表.xlsx", garbage)
    assert error.value.rule == "format"
    assert "not an Excel workbook" in error.value.message


def test_utf16_text_named_xlsx_is_rejected():
    with pytest.raises(TableError) as error:
        load("表.xlsx", "项目名称\t总计".encode("utf-16"))
    assert error.value.rule == "encoding"


def test_truncated_xlsx_is_rejected():
    data = xlsx_bytes({"Sheet1": sample_rows()})
    with pytest.raises(TableError) as error:
        load("表.xlsx", data[: len(data) // 2])
    assert error.value.rule == "unreadable"


def test_garbage_xls_is_rejected():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    with pytest.raises(TableError) as error:
        load("表.xls", data)
    assert error.value.rule == "unreadable"


def test_a_zip_that_is_not_a_workbook_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(TableError) as error:
        load("表.xlsx", buffer.getvalue())
    assert error.value.rule == "format"


def _bomb(size: int, declared: int | None = None) -> bytes:
    """A workbook-looking zip whose one big part inflates to `size` bytes of zeros;
    `declared` overwrites the sizes written in its headers (a lying zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * size)
    data = bytearray(buffer.getvalue())
    if declared is not None:
        for magic, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            start = data.rfind(magic)  # the big part's headers come last
            data[start + offset : start + offset + 4] = struct.pack("<I", declared)
    return bytes(data)


def test_zip_bomb_is_refused_by_its_declared_size():
    with pytest.raises(TableError) as error:
        check_zip(_bomb(3 << 20), limit=1 << 20)
    assert error.value.rule == "zip_bomb"


def test_zip_bomb_with_lying_sizes_is_refused_while_inflating():
    data = _bomb(3 << 20, declared=100)
    with pytest.raises(TableError) as error:
        check_zip(data, limit=1 << 20)
    assert error.value.rule == "zip_bomb"


def test_a_normal_workbook_passes_the_zip_check():
    check_zip(xlsx_bytes({"Sheet1": sample_rows()}))


def test_amounts_are_exact_decimals_in_every_format(original: Frames):
    frames = load("表.xls", xls_bytes(sample_rows()))
    assert frames.projects["total_amount"].dtype == pl.Decimal(18, 6)
    assert frames.projects["total_amount"].sum() == original.projects["total_amount"].sum()


@pytest.mark.parametrize("name", ["表.txt", "表.csv", "表.xlsx", "表.xls"])
def test_an_empty_file_is_rejected(name: str):
    with pytest.raises(TableError) as error:
        load(name, b"")
    assert error.value.rule == "empty"


def test_a_workbook_without_any_table_says_so():
    data = xlsx_bytes({"封面": [["说明"]], "附注": [["无"]]})
    with pytest.raises(TableError) as error:
        load("表.xlsx", data)
    assert error.value.rule == "header"
    assert "any sheet" in error.value.message
