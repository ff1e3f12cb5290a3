"""The real-form fixtures (tests/fixtures/forms) are what their README says they are.

Every file is rebuilt byte for byte from its transcript, reads back (openpyxl,
python-docx) to exactly the transcript's cells with the merges written down, and the
hand counts in truth.json are consistent with the transcripts they were counted from.
These tests use no bpw reader: they pin the fixtures, so reader tests can trust them.
(PDFs are read with pdfplumber, a library, not with bpw's PDF reader.)
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

FORMS = Path(__file__).parent / "fixtures" / "forms"
TRUTH = json.loads((FORMS / "truth.json").read_text(encoding="utf-8"))


def _builder():
    spec = importlib.util.spec_from_file_location("build_fixtures", FORMS / "build_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


BUILD = _builder()


def _grid(worksheet, top: int, card) -> list[list[str]]:
    rows = []
    for r, row in enumerate(card.rows()):
        cells = [worksheet.cell(row=top + r, column=c + 1).value for c in range(card.width())]
        text = ["" if v is None else str(v) for v in cells]
        while len(text) > len(row) and not text[-1]:
            text.pop()
        rows.append(text)
    return rows


def test_every_fixture_is_rebuilt_byte_for_byte():
    built = BUILD.outputs()
    on_disk = {p.name for p in FORMS.iterdir() if p.suffix in (".xlsx", ".docx", ".pdf")}
    assert set(built) == on_disk
    for name, data in built.items():
        assert (FORMS / name).read_bytes() == data, f"{name} is stale: run build_fixtures.py"


@pytest.mark.parametrize("card", BUILD.CARDS, ids=lambda c: c.name)
def test_xlsx_reads_back_to_its_transcript_with_its_merges(card):
    worksheet = openpyxl.load_workbook(FORMS / f"{card.name}.xlsx").active
    assert _grid(worksheet, 1, card) == card.rows()
    assert {str(r) for r in worksheet.merged_cells.ranges} == set(card.ranges())
    for merge in card.ranges():  # a merged range's other cells are blank in the transcript
        c1, r1, c2, r2 = range_boundaries(merge)
        rows = card.rows()
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1) and c <= len(rows[r - 1]):
                    assert rows[r - 1][c - 1] == "", (card.name, merge, r, c)


def test_combined_files_hold_every_card():
    members = [BUILD.BY_NAME[m] for m in next(iter(BUILD.COMBINED.values()))]
    name = next(iter(BUILD.COMBINED))
    stacked = openpyxl.load_workbook(FORMS / f"{name}.stacked.xlsx").active
    top = 1
    for card in members:
        assert _grid(stacked, top, card) == card.rows()
        top += len(card.rows()) + 1
    sheets = openpyxl.load_workbook(FORMS / f"{name}.sheets.xlsx")
    assert sheets.sheetnames == ["表1", "表2"]
    for worksheet, card in zip(sheets.worksheets, members, strict=True):
        assert _grid(worksheet, 1, card) == card.rows()
    document = docx.Document(io.BytesIO((FORMS / f"{name}.docx").read_bytes()))
    assert len(document.tables) == len(members)


@pytest.mark.parametrize("card", [c for c in BUILD.CARDS if c.docx], ids=lambda c: c.name)
def test_docx_reads_back_to_its_transcript(card):
    document = docx.Document(io.BytesIO((FORMS / f"{card.name}.docx").read_bytes()))
    rows = card.rows()
    assert [p.text for p in document.paragraphs] == [row[0] for row in rows[: card.head]]
    (table,) = document.tables
    body = rows[card.head :]
    assert len(table.rows) == len(body)
    for row, want in zip(table.rows, body, strict=True):
        got = [cell.text for cell in row.cells]
        # a merged cell repeats its text over the grid positions it covers
        for c, value in enumerate(want):
            if value:
                assert got[c] == value


@pytest.mark.parametrize("card", [c for c in BUILD.CARDS if c.docx], ids=lambda c: c.name)
def test_pdf_has_every_transcript_cell_in_its_text_layer(card):
    import pdfplumber

    def bare(text: str | None) -> str:
        """Whitespace out: a wrap at a space drops the space, and the text layer keeps no
        leading blanks (as in any PDF printout)."""
        return "".join((text or "").split())

    with pdfplumber.open(FORMS / f"{card.name}.pdf") as pdf:
        text = bare("".join(page.extract_text() for page in pdf.pages))
        cells = {
            bare(cell)
            for page in pdf.pages
            for table in page.extract_tables()
            for row in table
            for cell in row
        }
    rows = card.rows()
    for row in rows[: card.head]:
        assert bare(row[0]) in text
    for row in rows[card.head :]:
        for value in row:  # each cell whole, once its wrapped lines are joined
            assert bare(value) in cells, value


def _transcript(entry) -> str:
    names = entry["transcript"]
    names = names if isinstance(names, list) else [names]
    return "\n".join((FORMS / n).read_text(encoding="utf-8") for n in names)


@pytest.mark.parametrize("name", sorted(TRUTH["files"]))
def test_hand_counts_agree_with_the_transcripts(name):
    entry = TRUTH["files"][name]
    assert (FORMS / name).is_file()
    text = _transcript(entry)
    cells = {cell for line in text.splitlines() for cell in line.split("\t")}
    assert entry["projects"]
    for project in entry["projects"]:
        assert project["name"] in cells
        assert project["n_indicators"] == len(project["indicators"])
        assert project["goal"] in cells
        total = Decimal(project["total"])
        if project["fiscal"] is not None:
            assert total == Decimal(project["fiscal"]) + Decimal(project["other"])
        for level1, level2, level3, _target in project["indicators"]:
            assert {level1, level2, level3} <= cells, (level1, level2, level3)
        parts = project.get("target_parts")
        targets = [i[3] for i in project["indicators"]]
        if parts:  # split into 指标性质 / 指标值 / 度量单位 cells: the target is their join
            assert ["".join(p) for p in parts] == targets
            for p in parts:
                assert set(p) <= cells
        else:
            assert set(targets) <= cells
    if "declared_subtotal" in entry:  # the list form's department row, in 元
        raw = entry["declared_subtotal_cell"]
        assert raw in cells
        assert Decimal(raw.replace(",", "")) / 10000 == Decimal(entry["declared_subtotal"])
        kept = sum(Decimal(p["total"]) for p in entry["projects"])
        assert kept != Decimal(entry["declared_subtotal"])  # truncated: the mismatch is real


def test_hand_count_totals():
    """The numbers the README states, summed from truth.json."""
    files = TRUTH["files"]
    combined = files["湖北-武汉市青山区教育局-2020年两张卡片.stacked.xlsx"]
    assert sum(Decimal(p["total"]) for p in combined["projects"]) == Decimal("10016.00")
    assert sum(p["n_indicators"] for p in combined["projects"]) == 16
    singles = {n: f for n, f in files.items() if n.endswith(".xlsx") and "两张" not in n}
    assert len(singles) == 8
    assert sum(p["n_indicators"] for f in singles.values() for p in f["projects"]) == 75
