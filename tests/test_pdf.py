"""PDF tables → grids: the real card forms against their transcripts and the Word files
they were printed from, the 广州 table printed landscape over five pages (cut rows,
repeated headers, wrapped packed cells) through the summary reader, a 部门预算 document
of several tables, and what is refused (scanned, encrypted, damaged)."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdf_builder import Page, pdf_bytes
from PIL import Image
from transcript import mismatches

from transforms.errors import TableError
from transforms.grid import Grid, ReadLimits
from transforms.normalize import normalize
from transforms.pdf import read_pdf
from transforms.pdftext import Cell, Line
from transforms.read import read_grids
from transforms.table import SourceFile, read_table
from transforms.word import read_docx

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "realworld"
CARD = REAL / "2022" / "岳阳县农业农村局-高标准农田"
SELF_EVALUATION = REAL / "2023" / "青神县发展和改革局-自评"
PDFS = FIXTURES / "pdf"
GUANGZHOU = PDFS / "2026" / "广州互联网法院.pdf"
BUDGET = PDFS / "2026" / "部门预算.pdf"
TEXT_SAMPLE = FIXTURES / "2026" / "广州互联网法院.txt"


def body(grid) -> list[list[str]]:
    return grid.rows[len(grid.preamble) : len(grid.rows) - len(grid.trailer)]


def text_sample() -> tuple[list[str], list[list[str]]]:
    """The 广州 text sample: its lines, and its table rows as the text reader's cells."""
    lines = TEXT_SAMPLE.read_text(encoding="utf-8").split("\n")
    return lines, [[c.strip() for c in line.split("\t")] for line in lines[5:] if line.strip()]


@pytest.fixture(scope="module")
def guangzhou() -> list:
    return read_grids(GUANGZHOU)


# --- the real card forms ---------------------------------------------------------------


@pytest.mark.parametrize("stem", [CARD, SELF_EVALUATION], ids=["2022-card", "2023-self-eval"])
def test_the_real_pdf_equals_its_transcript(stem: Path):
    (grid,) = read_pdf(stem.with_suffix(".pdf").read_bytes())
    assert mismatches(grid, stem.with_suffix(".transcript.txt")) == []


@pytest.mark.parametrize("stem", [CARD, SELF_EVALUATION], ids=["2022-card", "2023-self-eval"])
def test_the_real_pdf_reads_as_the_docx_it_was_printed_from(stem: Path):
    """Cell for cell, lines around the table included: wrapped cells (`岳阳县2022年高标准
    农田建设` / `项目`), a wrap after a space (`资金情况 ` / `(万元)`) and the 注 line
    wrapped over two lines all come back as one text."""
    (grid,) = read_pdf(stem.with_suffix(".pdf").read_bytes())
    (word,) = read_docx(stem.with_suffix(".docx").read_bytes())
    assert grid.rows == word.rows
    assert grid.where == "table 1 (page 1)" and grid.encoding == "pdf"


def test_an_extractor_would_have_changed_these_cells():
    """The PDF really draws the cells on several lines with gaps between Chinese and
    digits: pdfplumber's own text has line breaks inside them."""
    with pdfplumber.open(CARD.with_suffix(".pdf")) as pdf:
        extracted = pdf.pages[0].find_tables()[0].extract()
    assert extracted[0][1] == "岳阳县2022年高标准农田建设\n项目"
    (grid,) = read_pdf(CARD.with_suffix(".pdf").read_bytes())
    assert body(grid)[0][1] == "岳阳县2022年高标准农田建设项目"


# --- the 广州 table, landscape, five pages ---------------------------------------------


def test_the_fixture_really_cuts_rows_and_repeats_the_header():
    """What the reader must undo is in the file: the header drawn on all five pages,
    and pages that start with the rest of a row cut by the page break."""
    with pdfplumber.open(GUANGZHOU) as pdf:
        firsts = [page.find_tables()[0].extract()[:2] for page in pdf.pages]
    assert len(firsts) == 5
    assert all(rows[0][0] == firsts[0][0][0] for rows in firsts)  # 项目名称（资金使用单位）
    assert sum(1 for rows in firsts[1:] if rows[1][1] == "") >= 3  # no 总计: a cut row


def test_the_guangzhou_pdf_gives_the_text_samples_cells(guangzhou):
    (grid,) = guangzhou
    lines, rows = text_sample()
    assert grid.where == "table 1 (pages 1-5)"
    assert body(grid) == rows  # 20 rows: header, 合计, the unit, 17 projects
    assert grid.preamble == (lines[2].strip(), "部门名称：广州互联网法院 单位：万元")
    packed = [cells[6] for cells in body(grid)[3:]]
    assert packed == [cells[6] for cells in rows[3:]] and all(packed)


def test_the_guangzhou_pdf_loads_17_projects_71_indicators_5373_55():
    data = GUANGZHOU.read_bytes()
    source = SourceFile(
        Path("inbox/广州互联网法院.pdf"), hashlib.sha256(data).hexdigest(), len(data), 0.0,
        year=2026,
    )  # fmt: skip
    table = read_table(source, data)
    frames = normalize([table])
    assert (table.department_name, table.amount_unit, table.layout) == (
        "广州互联网法院", "万元", "packed",
    )  # fmt: skip
    assert (frames.projects.height, frames.indicators.height) == (17, 71)
    assert str(frames.projects["total_amount"].sum()) == "5373.550000"


def test_a_running_header_and_page_numbers_do_not_split_the_table():
    """Every page carries 广州互联网法院2026年部门预算公开 above the table and 第 N 页
    below it: still one table, the header once in the preamble, no page numbers."""
    (grid,) = read_grids(PDFS / "2026" / "广州互联网法院-页眉页脚.pdf")
    assert grid.where == "table 1 (pages 1-5)"
    assert grid.preamble[0] == "广州互联网法院2026年部门预算公开" and len(grid.preamble) == 3
    assert grid.trailer == ()
    assert body(grid) == text_sample()[1]


def test_two_cards_on_two_pages_stay_two_tables():
    """Same title lines and columns on both pages, but the second table starts with its
    own 项目名称 row, not the first's header: a new table, with its own title lines."""
    first, second = read_grids(PDFS / "2022" / "两张申报表.pdf")
    (real,) = read_docx(CARD.with_suffix(".docx").read_bytes())
    assert first.rows == real.rows  # its 注 line closes it
    assert second.preamble == real.preamble and second.trailer == real.trailer
    assert body(second)[0][1] == "岳阳县2022年农村供水保障项目"
    assert body(second)[1:] == body(real)[1:]


# --- a 部门预算 document ----------------------------------------------------------------


def test_a_budget_document_gives_every_table_with_its_title():
    grids = read_grids(BUDGET)
    assert [g.where for g in grids] == [
        "table 1 (page 1)", "table 2 (page 1)", "table 3 (pages 2-6)", "table 4 (page 7)",
    ]  # fmt: skip
    assert [g.preamble[-2] for g in grids[:2]] == ["表1 收支总表", "表2 财政拨款收支总表"]
    assert grids[0].preamble[0] == "广州互联网法院2026年部门预算"
    assert body(grids[0])[:2] == [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]]
    assert body(grids[2]) == text_sample()[1]
    assert grids[3].preamble == ("表4 一般公共预算“三公”经费支出表", "单位：万元")
    assert grids[3].trailer == ("注：本表反映2026年一般公共预算“三公”经费支出预算情况。",)
    assert all(g.trailer == () for g in grids[:3])


# --- how lines are joined --------------------------------------------------------------


def chars(text: str, x0: float, top: float) -> Line:
    """A drawn line: CJK characters and full-width marks 10 points wide, others 5."""
    drawn = []
    for ch in text:
        width = 10.0 if unicodedata.east_asian_width(ch) in "WFA" else 5.0
        drawn.append({"text": ch, "x0": x0, "x1": x0 + width, "top": top,
                      "bottom": top + 10, "size": 10.0})  # fmt: skip
        x0 += width
    return Line(drawn)


def test_a_full_line_is_a_wrap_and_a_short_one_a_line_break():
    cell = Cell((0.0, 0.0, 110.0, 50.0))
    cell.lines = [chars("一二三四五六七八九十", 5.0, 2.0)]  # ends at 105: full
    assert cell.wraps_into(chars("十一", 5.0, 14.0))
    cell.lines = [chars("一二三", 5.0, 2.0)]  # ends at 35: 十 would have fitted
    assert not cell.wraps_into(chars("十一", 5.0, 14.0))
    cell.lines = [chars("一二三四五六七八", 5.0, 2.0)]  # ends at 85: 20 points left
    assert cell.wraps_into(chars("2026年", 5.0, 14.0))  # 2026 is one word: 20, + a gap
    assert not cell.wraps_into(chars("2年", 5.0, 14.0))


def test_quotes_stay_with_their_neighbours():
    assert chars("院“一张", 0.0, 0.0).first_word_width() == 30.0
    assert chars("（万元）", 0.0, 0.0).first_word_width() == 20.0  # （万: 元 may wrap
    assert chars("元）。其", 0.0, 0.0).first_word_width() == 30.0  # marks close with 元
    assert chars(" ab cd", 0.0, 0.0).first_word_width() == 10.0  # a word ends at a space
    assert chars("100%。3", 0.0, 0.0).first_word_width() == 30.0


# --- what is refused -------------------------------------------------------------------


def image_only_pdf() -> bytes:
    picture = Image.new("L", (200, 140), 255)
    picture.paste(0, (20, 20, 180, 24))  # a ruled line, as a scan shows it
    buffer = io.BytesIO()
    picture.save(buffer, format="PDF")
    return buffer.getvalue()


def test_a_scanned_pdf_is_refused_naming_its_page():
    with pytest.raises(TableError) as raised:
        read_grids(Path("扫描件.pdf"), image_only_pdf())
    assert (raised.value.rule, raised.value.value) == ("scanned_pdf", "page 1")
    with pytest.raises(TableError) as raised:  # a text cover page, then the scan
        read_grids(PDFS / "scanned.pdf")
    assert (raised.value.rule, raised.value.value) == ("scanned_pdf", "page 2")
    assert "page 2" in raised.value.message and "\n" not in raised.value.message


def test_a_pdf_with_text_but_no_ruled_table_is_refused():
    import pypdfium2 as pdfium

    cover = pdfium.PdfDocument(PDFS / "scanned.pdf")
    only = pdfium.PdfDocument.new()
    only.import_pages(cover, [0])
    buffer = io.BytesIO()
    only.save(buffer)
    with pytest.raises(TableError) as raised:
        read_grids(Path("说明.pdf"), buffer.getvalue())
    assert raised.value.rule == "no_table"


def test_a_page_turned_sideways_is_refused_naming_it():
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(CARD.with_suffix(".pdf"))
    document[0].set_rotation(90)
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(TableError) as raised:
        read_pdf(buffer.getvalue())
    assert (raised.value.rule, raised.value.value) == ("rotated_page", "page 1")


def test_an_encrypted_pdf_is_refused_in_one_line():
    with pytest.raises(TableError) as raised:
        read_grids(PDFS / "encrypted.pdf")
    assert raised.value.rule == "encrypted" and "password" in raised.value.message


@pytest.mark.parametrize("cut", [0.05, 0.5, 0.95])
def test_a_damaged_pdf_is_refused_in_one_line(cut: float):
    data = CARD.with_suffix(".pdf").read_bytes()
    with pytest.raises(TableError) as raised:
        read_grids(Path("申报表.pdf"), data[: int(len(data) * cut)])
    assert raised.value.rule == "unreadable" and "\n" not in raised.value.message


def test_bytes_that_are_not_a_pdf_are_refused_as_such():
    with pytest.raises(TableError) as raised:
        read_grids(Path("申报表.pdf"), b"\x00\x01 not a pdf at all")
    assert raised.value.rule == "format" and "not a PDF" in raised.value.message


def test_a_pdf_under_another_name_is_read_as_a_pdf():
    data = CARD.with_suffix(".pdf").read_bytes()
    (grid,) = read_grids(Path("申报表.xlsx"), data)
    assert grid.encoding == "pdf"


def test_the_read_limits_hold_for_pdf():
    data = CARD.with_suffix(".pdf").read_bytes()
    with pytest.raises(TableError) as raised:
        read_pdf(data, ReadLimits(max_rows=24))
    assert raised.value.rule == "too_many_rows"


# --- tables found and joined, on PDFs drawn by hand (tests/pdf_builder.py) ---------------

XS = [50.0, 150.0, 250.0, 420.0]  # Name | Total | Target (the target cell 170 wide)
FULL = "a" * 29  # 29 × 5.56 = 161 points: the target cell's line is full


def table_page(rows: list[list[str]], top: float = 100.0, title: str | None = None) -> Page:
    page = Page()
    if title:
        page.texts.append((50.0, top - 20, title))
    ys = [top + 20 * i for i in range(len(rows) + 1)]
    page.grid(XS, ys)
    for y, cells in zip(ys, rows, strict=False):
        for x, text in zip(XS, cells, strict=False):
            if text:
                page.cell_text(x, y, text)
    return page


def two_pages(second: list[list[str]], last_target: str = FULL, **options) -> list[Grid]:
    first = table_page(
        [["Name", "Total", "Target"], ["A", "1.00", "x"], ["B", "2.00", last_target]],
        title="Projects",
    )
    first.texts.append((290.0, 800.0, "- 1 -"))  # a page number: not text of the document
    return read_pdf(pdf_bytes([first, table_page(second, **options)]))


def test_a_row_cut_by_the_page_break_is_joined_and_the_header_dropped():
    (grid,) = two_pages([["Name", "Total", "Target"], ["", "", "bbb"], ["C", "3.00", "y"]])
    assert grid.where == "table 1 (pages 1-2)" and grid.preamble == ("Projects",)
    assert body(grid) == [
        ["Name", "Total", "Target"], ["A", "1.00", "x"], ["B", "2.00", FULL + "bbb"],
        ["C", "3.00", "y"],
    ]  # fmt: skip


def test_a_table_marked_continued_is_joined_without_a_repeated_header():
    (grid,) = two_pages([["C", "3.00", "y"]], title="(continued)")
    assert body(grid)[-2:] == [["B", "2.00", FULL], ["C", "3.00", "y"]]
    from transforms.pdftables import CONTINUED

    assert all(CONTINUED.match(line) for line in ("续表", "续表2", "（续）", "续表："))
    assert not CONTINUED.match("表2 财政拨款收支总表")


def test_a_row_is_not_joined_when_the_line_above_was_not_full():
    (grid,) = two_pages([["", "", "bbb"], ["C", "3.00", "y"]], last_target="ab")
    assert body(grid)[2:] == [["B", "2.00", "ab"], ["", "", "bbb"], ["C", "3.00", "y"]]


def test_other_columns_or_a_title_between_start_a_new_table():
    new_title = two_pages([["C", "3.00", "y"]], title="Other table")
    assert [g.preamble for g in new_title] == [("Projects",), ("Other table",)]
    other = table_page([["C", "3.00", "y"]])
    other.boxes = [(x0 + 10, t, x1 + 10, b) for x0, t, x1, b in other.boxes]
    first = table_page([["Name", "Total", "Target"], ["A", "1.00", "x"]])
    assert len(read_pdf(pdf_bytes([first, other]))) == 2


def test_a_framed_title_is_text_and_two_tables_on_a_page_keep_their_titles():
    page = table_page([["Name", "Total", "Target"], ["A", "1.00", "x"]], title="Table 1")
    page.boxes.append((50.0, 30.0, 300.0, 50.0))
    page.cell_text(50.0, 30.0, "BUDGET 2026")
    lower = table_page([["Item", "Amount", "Note"]], top=300.0, title="Table 2")
    page.boxes += lower.boxes
    page.texts += lower.texts
    first, second = read_pdf(pdf_bytes([page]))
    assert first.preamble == ("BUDGET 2026", "Table 1") and second.preamble == ("Table 2",)
    assert body(second) == [["Item", "Amount", "Note"]]
    assert (first.where, second.where) == ("table 1 (page 1)", "table 2 (page 1)")


@pytest.mark.parametrize(
    ("line", "is_page_number"),
    [
        ("- 3 -", True), ("— 12 —", True), ("第 3 页", True), ("第3页 共5页", True),
        ("第 2 页，共 5 页", True), ("3", True), ("12/40", True),
        ("2026", False), ("(2022年度)", False), ("1.", False), ("第一部分", False),
    ],
)  # fmt: skip
def test_page_numbers_are_told_from_text(line: str, is_page_number: bool):
    from transforms.pdf import _PAGE_NUMBER

    assert bool(_PAGE_NUMBER.match(line)) is is_page_number


def test_a_paragraph_wrapped_at_the_margin_is_one_line_and_two_items_are_not():
    page = table_page([["Name", "Total", "Target"]], top=200.0)
    page.texts += [
        (50.0, 100.0, "x" * 74),  # 74 × 5 points: from the left margin to the table's edge
        (50.0, 112.0, "yyy"),
        (50.0, 140.0, "Dept: A"),
        (380.0, 140.0, "Unit: B"),  # far apart on one line, ending near the margin
        (50.0, 152.0, "Next line"),
    ]
    (grid,) = read_pdf(pdf_bytes([page]))
    assert grid.preamble == ("x" * 74 + "yyy", "Dept: A Unit: B", "Next line")


def test_a_row_cut_with_no_border_at_the_break_is_still_closed_and_joined():
    """Chromium draws no line where a page break cuts a row: the column lines run on to
    the end of the page, and start the next page with no line above."""
    first, second = Page(), Page()
    for x in XS:
        first.segments.append((x, 60.0, x, 130.0))  # open at the bottom
        second.segments.append((x, 40.0, x, 100.0))  # open at the top
    first.segments += [(XS[0], y, XS[-1], y) for y in (60.0, 80.0)]
    second.segments += [(XS[0], y, XS[-1], y) for y in (80.0, 100.0)]
    for x, text in zip(XS, ["Name", "Total", "Target"], strict=False):
        first.cell_text(x, 60.0, text)
    for x, text in zip(XS, ["B", "2.00", FULL], strict=False):
        first.cell_text(x, 80.0, text)
    second.cell_text(XS[2], 60.0, "bbb")
    for x, text in zip(XS, ["C", "3.00", "y"], strict=False):
        second.cell_text(x, 80.0, text)
    (grid,) = read_pdf(pdf_bytes([first, second]))
    assert body(grid) == [["Name", "Total", "Target"], ["B", "2.00", FULL + "bbb"],
                          ["C", "3.00", "y"]]  # fmt: skip


def test_radicals_read_as_the_ideographs_drawn():
    from transforms.pdftext import ideographs

    assert ideographs("项⽬⽀出 部⻔名称 ⺠事 ⼴州") == "项目支出 部门名称 民事 广州"
    assert ideographs("财政专户拨款 ≥95%") == "财政专户拨款 ≥95%"


# --- any table, wrapped and cut the way a renderer does it, reads back exactly ---------

GLYPH, SPACE, LINE = 5.56, 2.78, 12.0  # Helvetica 10 pt: these letters and digits, a space
WORDS = st.text(alphabet="abdeghnopqu0123456789", min_size=1, max_size=6)
NAMES = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
TARGETS = st.lists(WORDS, min_size=4, max_size=24).map(" ".join)  # over several lines


def width(text: str) -> float:
    return sum(SPACE if ch == " " else GLYPH for ch in text)


def wrapped(text: str, room: float) -> list[str]:
    """Greedy line filling, as a renderer does: a word that does not fit starts the next
    line; the space before it stays drawn at the end of the line."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and width(line + " " + word) > room:
            lines.append(line + " ")
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def rendered(rows: list[list[str]], page_rows: float, repeat: bool) -> list[Page]:
    """Rows under a header, pages `page_rows` lines tall: a row that does not fit is cut
    after the lines that do (the rest starts the next page, under the header if
    `repeat`)."""
    header = ["Name", "Total", "Target"]
    cells = [[wrapped(t, XS[c + 1] - XS[c] - 6) for c, t in enumerate(r)] for r in rows]
    pages, page, y = [], Page(), 60.0
    limit = 60.0 + page_rows * (LINE + 4)

    def draw(parts: list[list[str]]) -> None:
        nonlocal y
        height = max(len(p) for p in parts) * LINE + 4
        for c, part in enumerate(parts):
            page.boxes.append((XS[c], y, XS[c + 1], y + height))
            for k, text in enumerate(part):
                page.texts.append((XS[c] + 3, y + 11 + k * LINE, text))
        y += height

    draw([[h] for h in header])
    for parts in cells:
        while parts:
            fit = int((limit - y - 4) // LINE)
            if fit >= max(len(p) for p in parts):
                draw(parts)
                break
            if fit >= 1:
                draw([p[:fit] for p in parts])
                parts = [p[fit:] for p in parts]
            pages.append(page)
            page, y = Page(), 60.0
            if repeat:
                draw([[h] for h in header])
    return [*pages, page]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(NAMES, TARGETS), min_size=1, max_size=6),
    st.integers(3, 9),
    st.booleans(),
)
def test_cells_wrapped_and_cut_across_pages_read_back_exactly(texts, page_rows, repeat):
    rows = [[name, f"{i}.00", target] for i, (name, target) in enumerate(texts, start=1)]
    (grid,) = read_pdf(pdf_bytes(rendered(rows, page_rows, repeat)))
    assert body(grid) == [["Name", "Total", "Target"], *rows]
