"""Word (.docx) tables → grids: the real card forms against their transcripts and the
Excel reader, merged cells, the text around tables, and what is refused."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transcript import mismatches

from transforms.errors import TableError
from transforms.excel import read_workbook
from transforms.grid import ReadLimits
from transforms.normalize import normalize
from transforms.read import read_grids, sniff
from transforms.table import SourceFile, read_table
from transforms.word import read_docx

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "realworld"
CARD = REAL / "2022" / "岳阳县农业农村局-高标准农田"
SELF_EVALUATION = REAL / "2023" / "青神县发展和改革局-自评"
GUANGZHOU = FIXTURES / "pdf" / "2026" / "广州互联网法院"
TEXT_SAMPLE = FIXTURES / "2026" / "广州互联网法院.txt"

# the README's hand count of the 2022 card: 一级 / 二级 / 三级 / 指标值
CARD_INDICATORS = [
    ("产出指标", "数量指标", "脱贫村村内道路硬化里程", "≥100公里"),
    ("产出指标", "数量指标", "脱贫户供水设施数量", "≥20座"),
    ("产出指标", "质量指标", "项目(工程)验收合格率", "100%"),
    ("产出指标", "时效指标", "项目(工程)完成及时率", "≥100%"),
    ("产出指标", "成本指标", "财政资金补助", "1600元/亩"),
    ("效益指标", "经济效益 指标", "年增粮食", "3500公斤"),
    ("效益指标", "社会效益 指标", "受益脱贫(监测)人口数", "≥500人"),
    ("效益指标", "社会效益 指标", "解决脱贫(监测)饮水安全问题人数", "≥1000人"),
    ("效益指标", "生态效益 指标", "新增和改善灌溉达标面积", "≥500亩"),
    ("效益指标", "生态效益 指标", "新增和改善排水达标面积", "≥200亩"),
    ("效益指标", "可持续影响 指标", "工程设计使用年限", "≥20年"),
    ("满意度指标", "服务对象满意度指标", "受益脱贫(监测)户满意度", "≥95%"),
]


def docx_bytes(document: docx.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def body(grid) -> list[list[str]]:
    """The table's own rows (no preamble, no trailer)."""
    return grid.rows[len(grid.preamble) : len(grid.rows) - len(grid.trailer)]


# --- the real card forms ---------------------------------------------------------------


@pytest.mark.parametrize("stem", [CARD, SELF_EVALUATION], ids=["2022-card", "2023-self-eval"])
def test_the_real_docx_equals_its_transcript(stem: Path):
    (grid,) = read_docx(stem.with_suffix(".docx").read_bytes())
    assert mismatches(grid, stem.with_suffix(".transcript.txt")) == []


@pytest.mark.parametrize("stem", [CARD, SELF_EVALUATION], ids=["2022-card", "2023-self-eval"])
def test_the_real_docx_reads_as_its_xlsx_does(stem: Path):
    """Same merged-cell convention as the Excel reader: the grids are equal, the lines
    above and below the table included (the sheet has them as rows). Only the 2023
    signature line differs: one paragraph in Word (`项目负责人:          财务负责人:`),
    two cells in the sheet."""
    (grid,) = read_docx(stem.with_suffix(".docx").read_bytes())
    (sheet,) = read_workbook(stem.with_suffix(".xlsx").read_bytes())
    assert len(grid.rows) == len(sheet.rows)
    assert grid.rows[:-1] == sheet.rows[:-1]
    assert grid.rows[-1][0].split() == [cell for cell in sheet.rows[-1] if cell]


def test_the_2022_card_by_hand():
    (grid,) = read_docx(CARD.with_suffix(".docx").read_bytes())
    assert (grid.encoding, grid.where, len(body(grid)), len(grid.rows[0])) == (
        "docx", "table 1", 20, 5,
    )  # fmt: skip
    assert grid.preamble[-1] == "(2022年度)" and len(grid.preamble) == 4
    assert len(grid.trailer) == 1 and grid.trailer[0].startswith("注:各地请根据实际情况")
    rows = body(grid)
    assert rows[0] == ["项目名称", "岳阳县2022年高标准农田建设项目", "", "项目负责人及电话", "彭兵"]
    assert rows[2][0] == "资金情况 (万元)" and rows[3][0] == rows[4][0] == ""  # merged down
    level1 = level2 = ""
    indicators = []
    for cells in rows[8:]:  # under 一级指标 / 二级指标 / 三级指标 / 指标值
        level1, level2 = cells[1] or level1, cells[2] or level2
        indicators.append((level1, level2, cells[3], cells[4]))
    assert indicators == CARD_INDICATORS


def test_the_2023_self_evaluation_by_hand():
    (grid,) = read_docx(SELF_EVALUATION.with_suffix(".docx").read_bytes())
    rows = body(grid)
    assert (len(rows), len(rows[0])) == (18, 11)
    assert grid.preamble == ("报表编号:510000_0013zp", "部门预算项目支出绩效自评表(2023年度)")
    total = rows[6]
    assert total[1:7] == ["总额", "238.93", "251.89", "251.89", "100.00%", "10"]
    assert rows[14] == ["合计", "", "", "", "", "", "", "", "100", "", ""]  # 合计 spans 8
    assert rows[12][1:7] == ["产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%"]


def test_rows_are_named_by_table_and_row_in_messages():
    (grid,) = read_docx(CARD.with_suffix(".docx").read_bytes())
    assert grid.describe_row(0) == "the text above table 1, line 1"
    assert grid.describe_row(4) == "table 1, row 1" and grid.table_row(4) == 1
    assert grid.describe_row(len(grid.rows) - 1) == "the text below table 1, line 1"


# --- the 广州 summary table as Word ----------------------------------------------------


def test_the_guangzhou_docx_loads_17_projects_71_indicators_5373_55():
    data = GUANGZHOU.with_suffix(".docx").read_bytes()
    path = Path("inbox/2026/广州互联网法院.docx")
    source = SourceFile(path, hashlib.sha256(data).hexdigest(), len(data), 0.0, year=2026)
    table = read_table(source, data)
    frames = normalize([table])
    assert (table.department_name, table.amount_unit) == ("广州互联网法院", "万元")
    assert (frames.projects.height, frames.indicators.height) == (17, 71)
    assert str(frames.projects["total_amount"].sum()) == "5373.550000"


def test_the_guangzhou_docx_cells_equal_the_text_sample():
    (grid,) = read_grids(GUANGZHOU.with_suffix(".docx"))
    lines = TEXT_SAMPLE.read_text(encoding="utf-8").split("\n")
    expected = [[c.strip() for c in line.split("\t")] for line in lines[5:] if line.strip()]
    assert body(grid) == expected
    assert grid.preamble[0] == lines[2].strip()


def test_a_budget_document_reads_as_the_pdf_printed_from_it():
    """部门预算.docx and its PDF: the same four tables, the same text around them (the
    tabs of `部门名称：…\t\t单位：万元` one space, as the PDF's gap)."""
    word = read_grids(FIXTURES / "pdf" / "2026" / "部门预算.docx")
    printed = read_grids(FIXTURES / "pdf" / "2026" / "部门预算.pdf")
    assert [g.rows for g in word] == [g.rows for g in printed]
    assert [g.where for g in word] == ["table 1", "table 2", "table 3", "table 4"]
    assert word[0].preamble[-1] == "部门名称：广州互联网法院 单位：万元"
    assert body(word[1])[2][0] == "二、上年结转\n（含结余）"  # a line break, not a wrap


# --- merged cells, the text around tables ----------------------------------------------


def two_tables() -> docx.Document:
    document = docx.Document()
    document.add_paragraph("说明：本文件含两张表")  # above the first table: its preamble
    document.add_paragraph("表1 收支总表")
    document.add_paragraph("单位：万元")
    first = document.add_table(rows=3, cols=3)
    first.cell(0, 0).merge(first.cell(0, 2)).text = "收入"
    first.cell(1, 0).merge(first.cell(2, 0)).text = "项目"
    first.cell(1, 1).text, first.cell(1, 2).text = "预算数", "≥95%"
    first.cell(2, 2).text = "第一段\n第二段"
    document.add_paragraph("注：第一表的说明")
    document.add_paragraph("")
    document.add_paragraph("表2 项目支出绩效目标表\n（2026年度）")
    second = document.add_table(rows=1, cols=2)
    nested = second.cell(0, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "内", "表"
    second.cell(0, 0).text = "外"
    document.add_paragraph("注：说明")
    return document


def test_every_table_with_its_preamble_and_the_last_with_the_trailer():
    first, second = read_docx(docx_bytes(two_tables()))
    assert first.preamble == ("说明：本文件含两张表", "表1 收支总表", "单位：万元")
    assert first.trailer == ("注：第一表的说明",)  # a note right under a table closes it
    assert body(first) == [
        ["收入", "", ""],
        ["项目", "预算数", "≥95%"],
        ["", "", "第一段\n第二段"],
    ]
    assert first.rows[1] == ["表1 收支总表", "", ""]  # preamble rows padded to the width
    assert first.rows[-1] == ["注：第一表的说明", "", ""]
    assert second.preamble == ("表2 项目支出绩效目标表", "（2026年度）")
    assert second.trailer == ("注：说明",)
    assert body(second) == [["外", "内\t表"]]  # the nested table flattened in place
    assert (first.where, second.where) == ("table 1", "table 2")


def test_grid_before_and_after_leave_blank_cells():
    from docx.table import _Cell

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "a", "b", "c"
    row = table.rows[1]._tr
    for tc in row.tc_lst[1:]:
        row.remove(tc)
    for tag in ("w:gridBefore", "w:gridAfter"):
        skip = OxmlElement(tag)
        skip.set(qn("w:val"), "1")
        row.get_or_add_trPr().append(skip)
    _Cell(row.tc_lst[0], table).text = "x"  # the one drawn cell, in grid column 2
    (grid,) = read_docx(docx_bytes(document))
    assert grid.rows == [["a", "b", "c"], ["", "x", ""]]


def test_signs_inserted_from_the_symbol_font_read_as_the_signs():
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    run = cell.paragraphs[0].add_run()
    for font, code in (("Symbol", "F0B3"), ("Symbol", "A3"), ("Wingdings", "F0FE")):
        sym = OxmlElement("w:sym")
        sym.set(qn("w:font"), font)
        sym.set(qn("w:char"), code)
        run._r.append(sym)
    run._r.append(OxmlElement("w:t"))
    run._r[-1].text = "95%"
    (grid,) = read_docx(docx_bytes(document))
    assert grid.rows == [["≥≤\uf0fe95%"]]


TEXTS = st.text(
    alphabet=st.sampled_from(list("项目经费资金绩效指标满意度产出效益0123456789.%≥≤（）：, \n")),
    min_size=0,
    max_size=12,
).map(str.strip)


@st.composite
def merged_tables(draw) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """Texts for a table and non-overlapping merge rectangles (r0, c0, r1, c1)."""
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    texts = [[draw(TEXTS) for _ in range(cols)] for _ in range(rows)]
    taken: set[tuple[int, int]] = set()
    merges = []
    for _ in range(draw(st.integers(0, 3))):
        r0, c0 = draw(st.integers(0, rows - 1)), draw(st.integers(0, cols - 1))
        r1, c1 = draw(st.integers(r0, rows - 1)), draw(st.integers(c0, cols - 1))
        area = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if (r0, c0) != (r1, c1) and not area & taken:
            taken |= area
            merges.append((r0, c0, r1, c1))
    return texts, merges


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(merged_tables())
def test_any_table_with_merged_spans_reads_back_exactly(case):
    texts, merges = case
    document = docx.Document()
    table = document.add_table(rows=len(texts), cols=len(texts[0]))
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    expected = [list(row) for row in texts]
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1)).text = texts[r0][c0]
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                expected[r][c] = texts[r0][c0] if (r, c) == (r0, c0) else ""
    (grid,) = read_docx(docx_bytes(document))
    assert grid.rows == expected


# --- what is refused -------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize("name", ["申报表.doc", "申报表.docx"])
def test_a_legacy_doc_is_refused_with_a_line_saying_to_save_it_as_docx(name: str):
    with pytest.raises(TableError) as raised:
        read_grids(Path(name), OLE)
    assert raised.value.rule == "format"
    assert "save it as .docx" in raised.value.message and "\n" not in raised.value.message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl}}", "RTF text"),
        ("<html><body><table><tr><td>项目</td></tr></table></body></html>".encode(), "web page"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related", "web page"),
    ],
)
def test_rtf_and_web_pages_under_a_word_name_are_named(data: bytes, kind: str):
    with pytest.raises(TableError) as raised:
        read_grids(Path("申报表.doc"), data)
    assert raised.value.rule == "format" and kind in raised.value.message
    assert "save it as .docx" in raised.value.message


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_damaged_docx_is_refused_in_one_line(cut: float):
    data = CARD.with_suffix(".docx").read_bytes()
    with pytest.raises(TableError) as raised:
        read_grids(Path("申报表.docx"), data[: int(len(data) * cut)])
    assert raised.value.rule == "unreadable" and "\n" not in raised.value.message


def test_a_docx_whose_xml_is_broken_is_refused_in_one_line():
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(CARD.with_suffix(".docx").read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data[:200] if info.filename == "word/document.xml" else data)
    with pytest.raises(TableError) as raised:
        read_grids(Path("申报表.docx"), out.getvalue())
    assert raised.value.rule == "unreadable" and "\n" not in raised.value.message


def test_a_docx_without_tables_is_refused():
    document = docx.Document()
    document.add_paragraph("只有文字")
    with pytest.raises(TableError) as raised:
        read_grids(Path("说明.docx"), docx_bytes(document))
    assert raised.value.rule == "no_table"


def test_the_read_limits_hold_for_word():
    data = CARD.with_suffix(".docx").read_bytes()
    with pytest.raises(TableError) as raised:
        read_docx(data, ReadLimits(max_uncompressed_bytes=20_000))
    assert raised.value.rule == "zip_bomb" and "document" in raised.value.message
    with pytest.raises(TableError) as raised:
        read_docx(data, ReadLimits(max_rows=24))
    assert raised.value.rule == "too_many_rows"
    with pytest.raises(TableError) as raised:
        read_docx(data, ReadLimits(max_cell_chars=30))
    assert (raised.value.rule, raised.value.row, raised.value.column) == (
        "cell_too_large", 7, "C",
    )  # fmt: skip


def test_the_bytes_decide_over_the_name():
    data = CARD.with_suffix(".docx").read_bytes()
    for name in ("申报表.xlsx", "申报表.txt", "申报表.pdf", "申报表"):
        (grid,) = read_grids(Path(name), data)
        assert grid.encoding == "docx"
    workbook = CARD.with_suffix(".xlsx").read_bytes()
    for name in ("申报表.docx", "申报表.doc", "申报表.txt"):
        (grid,) = read_grids(Path(name), workbook)
        assert grid.encoding == "xlsx"


def test_an_ole_file_is_told_apart_by_its_main_stream():
    word = OLE + "WordDocument".encode("utf-16-le")
    with pytest.raises(TableError) as raised:
        read_grids(Path("申报表.txt"), word)
    assert "save it as .docx" in raised.value.message
    assert sniff(OLE + "Workbook".encode("utf-16-le")) == "xls"
    assert sniff(word) == "doc" and sniff(OLE) is None
