"""Tests for `bpw synth`'s national forms: cards (one per project) and the list form.

The files are read back with openpyxl / xlrd / python-docx only — never with bpw's own
readers — and compared with the logical tables and with what truth.json says was
printed: every card's labels, amounts as typed, level names, targets (whole or split),
中期 values and extra columns. So a reader test can trust the generator's truth.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
import xlrd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from synth import (
    FormStyle,
    LogicalTable,
    Style,
    form_sheets,
    generate,
    generate_department,
    load_truth,
    table_bytes,
    write_corpus,
)
from synth.cli import synth
from synth.forms import (
    AMOUNT_TYPING,
    DEPARTMENT_LABELS,
    EXTRA_COLUMNS,
    FORM_KNOBS,
    UNIT_LABELS,
    ascii_ops,
    split_target,
)
from synth.vocabulary import SYNTHETIC_MARK

YEAR = 2026
WEIGHTED = re.compile(r"^(产出|效益|满意度)指标[（(](\d+)分[）)]$")


@pytest.fixture(scope="module")
def table() -> LogicalTable:
    """Two units, about a dozen projects, some with 财政专户 or other money."""
    for seed in range(40):
        candidate = generate_department("虚构市司法局", [YEAR], seed, units_per_department=2)[0]
        projects = list(candidate.projects())
        if any(p.special for p in projects) and any(p.other for p in projects):
            return candidate
    raise AssertionError("no table with 财政专户 and other money in 40 seeds")


EVERYTHING = FormStyle(
    arrangement="stacked",
    title="year_in_title",
    department_label="预算部门",
    unit_label="项目单位",
    amount_typing="wan",
    amount_note=True,
    weights=True,
    split_levels="\n",
    satisfaction_span=True,
    split_targets=True,
    period=True,
    extras=EXTRA_COLUMNS,
    notes=True,
    codes=True,
    empty_levels=True,
)
# the older template: satisfaction under 效益指标, label and amount in one cell, codes,
# level names on every row, >= typed for ≥
TEMPLATE_2015 = FormStyle(
    satisfaction_under_benefit=True,
    inline_amounts=True,
    codes=True,
    repeat_levels=True,
    ascii_ops=True,
    empty_levels=True,
    period=True,
)


# --- reading the files back (no bpw reader) ------------------------------------------------


def _filled(rows: list[list[str]], ranges: list[tuple[int, int, int, int]]) -> list[list[str]]:
    """Every cell of a merged range carries its top-left's text (as Word shows it)."""
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    for r1, c1, r2, c2 in ranges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                rows[r][c] = rows[r1][c1]
    return rows


def xlsx_grids(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    grids = []
    for sheet in workbook.worksheets:
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        ranges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in sheet.merged_cells.ranges
        ]
        grids.append(_filled(rows, ranges))
    return workbook.sheetnames, grids


def xls_grids(data: bytes) -> list[list[list[str]]]:
    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    grids = []
    for sheet in book.sheets():
        rows = [
            [str(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)
        ]
        ranges = [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells]
        grids.append(_filled(rows, ranges))
    return grids


def docx_grids(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(data))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    return [p.text for p in document.paragraphs], tables


def parse_amount(text: str, unit: str) -> Decimal:
    """What a typed amount cell means in 万元 (the generator's own spellings only)."""
    head = text.split("(")[0]
    if not head:
        return Decimal(0)
    if head.endswith("万元"):
        return Decimal(head[:-2])
    if head.endswith("万"):
        return Decimal(head[:-1])
    if head.endswith("元"):
        return Decimal(head[:-1].replace(",", "")) / 10000
    value = Decimal(head.replace(",", ""))
    return value / 10000 if unit == "元" else value


def _row(grid: list[list[str]], rows: range, column: int, text: str) -> list[str]:
    for r in rows:
        if grid[r][column] == text:
            return grid[r]
    raise AssertionError(f"no row with {text!r} in column {column} of rows {rows}")


LEVEL1_WORD = {"1": "产出", "2": "效益", "3": "满意度"}
AMOUNT_LABELS = {
    "total": "年度资金总额：",
    "fiscal": "其中：财政拨款",
    "special": "财政专户管理资金",
    "other": "其他资金",
}


def check_indicators(grid, header: int, first: int, meta, project, form: FormStyle) -> None:
    """The project's indicator rows (from row `first`; column names in row `header`) print
    exactly what the truth says; rows of an empty level-2 print nothing else."""
    names = grid[header]
    col = {name: names.index(name) for name in names if name}
    typed = ascii_ops if form.ascii_ops else str
    by_seq = {ind.seq: ind for ind in project.indicators}
    assert sorted(meta["order"]) == sorted(by_seq), "each indicator printed once"
    assert [s for s in meta["row_seqs"] if s is not None] == meta["order"]
    target_columns = [c for c in ("指标值", "年度指标值", "指标性质", "度量单位") if c in col]
    k = 0
    for offset, seq in enumerate(meta["row_seqs"]):
        row = grid[first + offset]
        if seq is None:  # a level-2 printed with no indicator: a trap for readers
            assert form.empty_levels and row[col["二级指标"]]
            assert not row[col["三级指标"]] and not any(row[col[c]] for c in target_columns)
            continue
        ind = by_seq[seq]
        assert seq == meta["order"][k]
        assert row[col["三级指标"]] == ind.name
        assert row[col["一级指标"]] == meta["level1_labels"][k]
        assert row[col["二级指标"]] == meta["level2_labels"][k]
        level1 = meta["level1_labels"][k]
        word = LEVEL1_WORD[ind.level1_code]
        if form.satisfaction_under_benefit and ind.level1_code == "3":
            word = "效益"
            assert meta["level2_labels"][k] == "社会公众或服务对象满意度指标"
        assert level1.startswith(word)
        if form.weights:
            assert WEIGHTED.match(level1), level1
        if form.split_targets:
            parts = [row[col["指标性质"]], row[col["指标值"]], row[col["度量单位"]]]
            assert parts == meta["targets"][k] == list(split_target(ind.annual_target))
            op, value, unit = parts
            if op == "定性":
                assert value == ind.annual_target and not unit
            else:
                assert ind.annual_target.endswith(value + unit)
        else:
            annual = "年度指标值" if form.period else "指标值"
            assert row[col[annual]] == meta["targets"][k] == typed(ind.annual_target)
        if form.period:
            assert row[col["中期指标值"]] == typed(ind.period_target) == meta["period_targets"][k]
        for extra in form.extras:
            assert row[col[extra]] == meta["extras"][extra][k]
        k += 1
    assert k == len(meta["order"])
    if "权重" in form.extras:
        weights = [int(w) for w in meta["extras"]["权重"]]
        present = {ind.level1_code for ind in project.indicators}
        assert sum(weights) == sum({"1": 50, "2": 30, "3": 10}[c] for c in present)


def amount_cell(grid, rows: range, key: str, form: FormStyle) -> str:
    """The printed amount of a 资金情况 line (inline: the text after its label)."""
    label = AMOUNT_LABELS[key]
    if form.inline_amounts:
        row = next(grid[r] for r in rows if grid[r][1].startswith(label))
        return row[1][len(label) :]
    return _row(grid, rows, 1, label)[2]


def check_card(
    grid, rows: range, meta, table: LogicalTable, unit_name: str, project, form: FormStyle
) -> None:
    """One card within `rows` of a filled grid says what the logical project says."""
    assert _row(grid, rows, 0, "项目名称")[1] == project.name
    labels = _row(grid, rows, 0, form.department_label)
    assert labels[1] == meta["department_cell"] and is_invented(table.department)
    assert (labels[1] == table.department) != form.codes and table.department in labels[1]
    assert labels[labels.index(form.unit_label) + 1] == meta["unit_cell"]
    assert unit_name == meta["unit"] and unit_name in meta["unit_cell"]
    unit = table.amount_unit
    for key in ("total", "fiscal", "other") + (("special",) if project.special else ()):
        cell = amount_cell(grid, rows, key, form)
        shown = meta["amount_cells"][key]
        assert (AMOUNT_LABELS[key] + cell if form.inline_amounts else cell) == shown
        assert parse_amount(cell, unit) == getattr(project, key)
    if form.amount_typing in ("wan", "wanyuan", "yuan"):
        assert amount_cell(grid, rows, "total", form).split("(")[0].endswith(("万", "万元", "元"))
    _row(grid, rows, 0, "总体目标")
    texts = {cell for r in rows for cell in grid[r]}
    assert project.goal in texts
    if form.period:
        assert "中期目标" in texts and "中期资金总额" in texts
        total_row = next(grid[r] for r in rows if grid[r][1].startswith("年度资金总额："))
        shown = total_row[total_row.index("中期资金总额") + 1]
        assert parse_amount(shown, unit) == Decimal(meta["period_total"])
    header = next(r for r in rows if "三级指标" in grid[r])
    check_indicators(grid, header, header + 1, meta, project, form)
    if form.notes:
        assert any(cell.startswith("注：") for r in rows for cell in grid[r])


def is_invented(name: str) -> bool:
    return name.startswith("虚构市")


def units_of(table: LogicalTable) -> dict[str, str]:
    return {p.name: u.name for u in table.units for p in u.projects}


def projects_of(table: LogicalTable):
    return {p.name: p for p in table.projects()}


# --- cards ---------------------------------------------------------------------------------


def _forms() -> st.SearchStrategy[FormStyle]:
    return st.builds(
        FormStyle,
        arrangement=st.sampled_from(["sheets", "stacked"]),
        title=st.sampled_from(["year_row", "year_in_title"]),
        department_label=st.sampled_from(DEPARTMENT_LABELS),
        unit_label=st.sampled_from(UNIT_LABELS),
        amount_typing=st.sampled_from(AMOUNT_TYPING),
        amount_note=st.booleans(),
        weights=st.booleans(),
        split_levels=st.sampled_from(["", " ", "\n"]),
        satisfaction_span=st.booleans(),
        split_targets=st.booleans(),
        period=st.booleans(),
        extras=st.lists(st.sampled_from(EXTRA_COLUMNS), unique=True).map(tuple),
        notes=st.booleans(),
        codes=st.booleans(),
        empty_levels=st.booleans(),
        inline_amounts=st.booleans(),
        repeat_levels=st.booleans(),
        ascii_ops=st.booleans(),
        satisfaction_under_benefit=st.booleans(),
    ).map(lambda form: form.for_layout("card"))


def check_card_xlsx(table: LogicalTable, form: FormStyle, data: bytes) -> None:
    names, grids = xlsx_grids(data)
    sheets = form_sheets(table, "xlsx", "card", None, form)
    assert len(grids) == len(sheets)
    if form.arrangement == "sheets":
        assert names == [f"表{i}" for i in range(1, len(grids) + 1)]
        assert len(grids) == sum(1 for _ in table.projects())
    for grid in grids:
        assert grid[0][0] == SYNTHETIC_MARK, "every sheet says its figures are invented"
    printed = [m for s in sheets for m in s.meta]
    assert [m["project"] for m in printed] == [p.name for p in table.projects()]
    projects, units = projects_of(table), units_of(table)
    for meta in printed:
        grid = grids[meta["sheet"]]
        top = meta["first_row"] - 1
        rows = range(top, top + meta["rows"])
        title = grid[top][0] + grid[top + 1][0]
        assert f"{table.year}年" in title
        check_card(grid, rows, meta, table, units[meta["project"]], projects[meta["project"]], form)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(form=_forms())
def test_cards_in_xlsx_read_back_to_the_truth(table, form):
    check_card_xlsx(table, form, table_bytes(table, "xlsx", "card", form=form))


def test_every_variant_at_once_reads_back(table):
    check_card_xlsx(table, EVERYTHING, table_bytes(table, "xlsx", "card", form=EVERYTHING))
    _, grids = xlsx_grids(table_bytes(table, "xlsx", "card", form=EVERYTHING))
    (grid,) = grids  # stacked: one sheet
    cells = [cell for row in grid for cell in row]
    assert any("\n指标" in c for c in cells), "a level-2 name broken before 指标"
    assert any(re.fullmatch(r"\d+(\.\d+)?万\(财政拨款.+万元.*\)", c) for c in cells), "a breakdown"
    assert {"指标性质", "度量单位", "中期指标值", "权重", "绩效标准", "指标方向"} <= set(cells)


def test_the_2015_template_reads_back(table):
    check_card_xlsx(table, TEMPLATE_2015, table_bytes(table, "xlsx", "card", form=TEMPLATE_2015))
    sheets = form_sheets(table, "xlsx", "card", None, TEMPLATE_2015)
    empty = under = 0
    for sheet in sheets:
        (meta,) = sheet.meta
        header = meta["first_row"] - 1 + meta["header_row"] - 1
        rows = range(header + 1, header + 1 + len(meta["row_seqs"]))
        for r1, c1, r2, c2 in sheet.merges:  # level names repeat on every row: no merge there
            assert not (c1 in (1, 2) and r1 in rows and r2 > r1), (r1, c1, r2, c2)
        empty += meta["row_seqs"].count(None)
        under += meta["level2_labels"].count("社会公众或服务对象满意度指标")
        assert any(">=" in t or "<=" in t for t in meta["targets"]) or not any(
            "≥" in i.annual_target or "≤" in i.annual_target
            for i in projects_of(table)[meta["project"]].indicators
        )
    assert empty and under, "empty level-2 rows and satisfaction under 效益 were printed"


def test_the_satisfaction_cell_spans_level_one_and_two(table):
    form = FormStyle(satisfaction_span=True)
    sheets = form_sheets(table, "xlsx", "card", None, form)
    spans = 0
    for sheet in sheets:
        (meta,) = sheet.meta
        header = meta["first_row"] - 1 + meta["header_row"] - 1
        for k, label in enumerate(meta["level1_labels"]):
            if label.startswith("满意度"):
                row = header + 1 + k
                assert any(
                    r1 <= row <= r2 and c1 == 1 and c2 == 2 for r1, c1, r2, c2 in sheet.merges
                ), (meta["project"], row)
                assert meta["level2_labels"][k] == label
                spans += 1
    assert spans, "the table has satisfaction indicators"


@pytest.mark.parametrize(
    "form", [FormStyle(), EVERYTHING, TEMPLATE_2015], ids=["plain", "everything", "2015"]
)
def test_cards_in_docx_are_one_word_table_each(table, form):
    paragraphs, tables = docx_grids(table_bytes(table, "docx", "card", form=form))
    assert paragraphs[0] == SYNTHETIC_MARK
    assert sum(f"{table.year}年" in p for p in paragraphs) == len(tables)
    projects, units = projects_of(table), units_of(table)
    sheets = form_sheets(table, "docx", "card", None, form)
    assert len(tables) == len(sheets) == len(projects)
    for grid, sheet in zip(tables, sheets, strict=True):
        (meta,) = sheet.meta
        assert len(grid) == len(sheet.rows) - sheet.head
        check_card(
            grid,
            range(len(grid)),
            meta,
            table,
            units[meta["project"]],
            projects[meta["project"]],
            form,
        )


def test_cards_in_xls_and_text(table):
    form = FormStyle(amount_typing="yuan", split_targets=True, period=True)
    grids = xls_grids(table_bytes(table, "xls", "card", form=form))
    assert len(grids) == len(projects_of(table))
    sheets = form_sheets(table, "xls", "card", None, form)
    for grid, sheet in zip(grids, sheets, strict=True):
        (meta,) = sheet.meta
        top = meta["first_row"] - 1
        rows = range(top, top + meta["rows"])
        check_card(grid, rows, meta, table, meta["unit"], projects_of(table)[meta["project"]], form)
    text = table_bytes(table, "csv", "card", "gb18030", form=form).decode("gb18030")
    assert text.splitlines()[0] == SYNTHETIC_MARK
    assert text.count("项目名称") == len(projects_of(table)), "text files stack the cards"


def test_an_equals_sign_is_text_not_a_formula(table):
    """`=100%` read by calamine, as spreadsheet readers do: typed text, not a formula with
    no cached value (which they would see empty)."""
    import fastexcel

    data = table_bytes(table, "xlsx", "list", form=FormStyle(ascii_ops=True))
    frame = fastexcel.read_excel(data).load_sheet(0, header_row=None).to_polars()
    targets = [v for v in frame.to_series(len(frame.columns) - 1).to_list() if v]
    typed = [ascii_ops(i.annual_target) for p in table.projects() for i in p.indicators]
    assert any(t.startswith("=") for t in typed)
    assert targets[1:] == typed


def test_plain_amounts_can_be_numbers(table):
    style = Style(numeric_cells=True)
    data = table_bytes(table, "xlsx", "card", style=style, form=FormStyle())
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    first = next(table.projects())
    sheet = workbook.worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert float(first.total) in values and "金额单位：万元" in values


# --- the list form ---------------------------------------------------------------------------


def check_list(
    grid: list[list[str]], sheet_meta: list[dict], table: LogicalTable, form: FormStyle
) -> None:
    header = next(r for r, row in enumerate(grid) if "三级指标" in row)
    names = grid[header]
    col = {name: names.index(name) for name in names if name}
    (department,) = [m for m in sheet_meta if m["kind"] == "department"]
    row = grid[department["row"] - 1]
    assert row[0] == department["cell"]
    assert row[0].endswith(table.department) and is_invented(table.department)
    total = "预算数" if form.list_amounts == "total" else "合计"
    unit = table.amount_unit
    assert parse_amount(row[col[total]], unit) == table.declared.total
    if form.list_amounts == "sources":
        assert parse_amount(row[col["财政拨款"]], unit) == table.declared.fiscal
        assert parse_amount(row[col["其他资金"]], unit) == table.declared.other
    projects = [m for m in sheet_meta if m["kind"] == "project"]
    assert [m["project"] for m in projects] == [p.name for p in table.projects()]
    by_name = projects_of(table)
    for meta in projects:
        project = by_name[meta["project"]]
        first = grid[meta["first_row"] - 1]
        assert first[col["项目名称"]] == project.name
        assert first[col["单位名称"]] == meta["unit_cell"]
        assert meta["unit_cell"].endswith(meta["unit"])
        assert first[col["年度目标"]] == project.goal
        assert parse_amount(first[col[total]], unit) == project.total
        if form.list_amounts == "sources":
            assert parse_amount(first[col["财政专户管理资金"]], unit) == project.special
        for k in range(meta["rows"]):  # merged down: every row of the project names it
            assert grid[meta["first_row"] - 1 + k][col["项目名称"]] == project.name
        assert meta["rows"] == len(project.indicators)
        check_indicators(grid, header, meta["first_row"] - 1, meta, project, form)


def _list_forms() -> st.SearchStrategy[FormStyle]:
    return st.builds(
        FormStyle,
        split_levels=st.sampled_from(["", " ", "\n"]),
        split_targets=st.booleans(),
        period=st.booleans(),
        extras=st.lists(st.sampled_from(EXTRA_COLUMNS), unique=True).map(tuple),
        notes=st.booleans(),
        codes=st.booleans(),
        list_amounts=st.sampled_from(["total", "sources"]),
        ascii_ops=st.booleans(),
    )


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(form=_list_forms(), yuan=st.booleans())
def test_the_list_form_reads_back_to_the_truth(table, form, yuan):
    style = Style(amount_unit="元" if yuan else "万元")
    if yuan:  # the grid parses 元 cells; the truth stays in 万元
        table = LogicalTable(table.year, table.department, "元", table.units, table.declared)
    (sheet,) = form_sheets(table, "xlsx", "list", style, form)
    _, (grid,) = xlsx_grids(table_bytes(table, "xlsx", "list", style=style, form=form))
    assert grid[0][0] == SYNTHETIC_MARK
    assert grid[1][0] == f"部门预算项目绩效目标申报表（{table.year}年度）"
    check_list(grid, sheet.meta, table, form)
    paragraphs, (word,) = docx_grids(table_bytes(table, "docx", "list", style=style, form=form))
    assert paragraphs[0] == SYNTHETIC_MARK
    shifted = [dict(m) for m in sheet.meta]  # Word: the head rows are paragraphs
    for m in shifted:
        for key in ("first_row", "row"):
            if key in m:
                m[key] -= sheet.head
    check_list(word, shifted, table, form)


# --- PDF (read back with pdfplumber, a PDF library, not bpw's reader) -------------------------


def pdf_pages(data: bytes) -> list[tuple[str, list[list[list[str | None]]]]]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(page.extract_text(), page.extract_tables()) for page in pdf.pages]


def _joined(cell: str | None) -> str:
    """A wrapped cell's lines joined back (the font is Chinese: no space was lost)."""
    return (cell or "").replace("\n", "")


@pytest.mark.parametrize("arrangement", ["sheets", "stacked"])
def test_cards_in_pdf_have_a_text_layer_and_ruled_tables(table, arrangement):
    form = FormStyle(arrangement=arrangement, split_targets=True, period=True)
    data = table_bytes(table, "pdf", "card", form=form)
    assert data == table_bytes(table, "pdf", "card", form=form), "same bytes every time"
    pages = pdf_pages(data)
    assert pages[0][0].splitlines()[0] == SYNTHETIC_MARK
    projects = list(table.projects())
    if arrangement == "sheets":
        assert len(pages) >= len(projects), "one card per page"
    cells = {_joined(c) for _, tables in pages for t in tables for row in t for c in row}
    text = "".join(page_text.replace("\n", "") for page_text, _ in pages)
    for project in projects:
        assert project.name in cells | {text}
        for ind in project.indicators:
            assert ind.name in cells, ind.name
            assert list(split_target(ind.annual_target))[1] in cells
            assert ind.period_target in cells
    assert sum(page_text.count(f"{table.year}年度") for page_text, _ in pages) == len(projects)


def test_the_list_form_in_pdf_repeats_its_header_on_every_page(table):
    data = table_bytes(table, "pdf", "list", form=FormStyle(split_targets=True))
    pages = pdf_pages(data)
    assert len(pages) > 1, "a list longer than a page"
    for _, tables in pages:
        assert "三级指标" in [_joined(c) for c in tables[0][0]]
    rows = [[_joined(c) for c in row] for _, tables in pages for t in tables for row in t[1:]]
    names = [row[6] for row in rows]
    for project in table.projects():
        assert all(ind.name in names for ind in project.indicators)
    total = next(row for row in rows if row[0] == table.department)[2]
    assert parse_amount(total, table.amount_unit) == table.declared.total


def test_the_summary_layouts_print_to_pdf_too():
    from synth import sample_table

    pages = pdf_pages(table_bytes(sample_table(), "pdf", "packed"))
    assert len(pages) > 1, "packed cells wrap over many lines and rows cross pages"
    text = "".join(page_text.replace("\n", "") for page_text, _ in pages)
    assert "机构运行辅助经费" in text and "5,373.54" in text


# --- corpus, truth, CLI ------------------------------------------------------------------------


def test_a_corpus_of_forms_writes_consistent_truth(tmp_path):
    corpus = generate(8, range(2024, 2027), seed=21, units_per_department=2)
    paths = write_corpus(corpus, tmp_path, formats="xlsx,docx,xls,pdf", layouts="card,list")
    records = load_truth(tmp_path)
    assert [tmp_path / r["path"] for r in records] == paths
    seen: Counter[str] = Counter()
    for record, logical in zip(records, corpus.tables, strict=True):
        assert record["layout"] in ("card", "list")
        form = FormStyle.from_dict(record["form_style"])
        assert form.to_dict() == record["form_style"]
        printed = [p for p in record["printed"] if p["kind"] != "department"]
        assert [p["project"] for p in printed] == [p["name"] for p in record["projects"]]
        for meta, truth in zip(printed, record["projects"], strict=True):
            assert meta["unit"] == truth["unit"]
            assert sorted(meta["order"]) == [i["seq"] for i in truth["indicators"]]
            if record["layout"] == "card":
                shown = meta["amount_cells"]["total"].removeprefix(AMOUNT_LABELS["total"])
                typed = parse_amount(shown, record["amount_unit"])
                assert typed == Decimal(truth["total"])
        assert record["declared_printed"] == (record["layout"] == "list")
        data = (tmp_path / record["path"]).read_bytes()
        if record["format"] == "xlsx" and record["layout"] == "card":
            check_card_xlsx(logical, form, data)
            seen["xlsx card"] += 1
        seen[record["arrangement"]] += 1
        for knob, value in record["form_style"].items():
            seen[f"{knob}={bool(value) and value not in ('sheets', 'year_row', 'plain')}"] += 1
    assert seen["xlsx card"] and seen["tables"] and seen["list"]
    assert seen["pages"] or seen["flow"], "some cards printed to PDF"
    on = {k.split("=")[0] for k in seen if k.endswith("=True")}
    assert {"weights", "split_targets", "period", "extras", "notes", "amount_typing"} <= on


def test_same_seed_same_bytes(tmp_path):
    corpus = generate(3, range(2025, 2027), seed=8)
    for name in ("a", "b"):
        write_corpus(corpus, tmp_path / name, formats="xlsx,docx,xls", layouts="card,list")
    files_a = sorted((tmp_path / "a").rglob("*.*"))
    assert {p.suffix for p in files_a} >= {".docx", ".json"}
    for path in files_a:
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


def test_summary_layouts_are_unchanged_by_the_forms(tmp_path):
    """Adding the forms drew no extra random numbers for packed/long files."""
    corpus = generate(3, range(2025, 2027), seed=8)
    write_corpus(corpus, tmp_path / "x", formats="txt,xlsx", layouts="packed,long")
    for record in load_truth(tmp_path / "x"):
        assert "form_style" not in record and "printed" not in record


def test_vary_knobs_cover_the_forms():
    from synth.style import parse_vary

    assert set(FORM_KNOBS) <= parse_vary("all")
    assert parse_vary("weights,period") == {"weights", "period"}
    with pytest.raises(ValueError, match="unknown style knobs: nope"):
        parse_vary("weights,nope")


def test_unknown_layouts_and_formats_are_refused(table):
    with pytest.raises(ValueError, match="unknown format 'doc'"):
        table_bytes(table, "doc", "card")
    with pytest.raises(ValueError, match="unknown form layout"):
        form_sheets(table, "xlsx", "cards")


def test_cli_writes_cards_and_lists(tmp_path):
    import typer

    app = typer.Typer()
    app.command()(synth)
    out = tmp_path / "synth"
    args = [
        "-n",
        "2",
        "--years",
        "2025-2026",
        "--seed",
        "3",
        "--out",
        str(out),
        "--formats",
        "xlsx,docx",
        "--layouts",
        "card,list",
        "--vary",
        "weights,period",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["meta"]["layouts"] == ["card", "list"]
    assert {r["format"] for r in truth["files"]} <= {"xlsx", "docx"}
    for record in truth["files"]:
        style = record["form_style"]
        assert not style["split_targets"] and not style["extras"], "only the knobs asked for"
        assert Path(out / record["path"]).is_file()
    bad = CliRunner().invoke(app, [*args[:-2], "--layouts", "cards"])
    assert bad.exit_code == 2
