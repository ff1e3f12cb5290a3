"""Project cards, golden: the real cards in tests/fixtures/forms (hand counts in its
README and truth.json) and 岳阳县's card in tests/fixtures/realworld load exactly what
was counted by hand, from every form a department posted them in; a card that
disagrees with --department, --year or its folder is rejected naming both values."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from expectations.gate import run_gate
from transforms.card_labels import without_code
from transforms.discover import sha256_of
from transforms.errors import TableError
from transforms.normalize import Frames, normalize
from transforms.table import SourceFile, read_table

FIXTURES = Path(__file__).parent / "fixtures"
FORMS = FIXTURES / "forms"
TRUTH = json.loads((FORMS / "truth.json").read_text(encoding="utf-8"))["files"]
LOADING = sorted(name for name, t in TRUTH.items() if t["expect"] == "load")
YUEYANG = FIXTURES / "realworld" / "2022" / "岳阳县农业农村局-高标准农田"


def load(path: Path, year: int | None = None, department: str | None = None) -> Frames:
    source = SourceFile(
        path, sha256_of(path), path.stat().st_size, 0.0, year=year, department=department
    )
    return normalize([read_table(source)])


def squeezed(text: str | None) -> str | None:
    """Level names compared without the spaces a line break left (`经济效益 指标`)."""
    return None if text is None else re.sub(r"\s+", "", text)


def test_every_form_fixture_that_should_load_is_covered():
    assert len(LOADING) >= 12
    assert {Path(name).suffix for name in LOADING} >= {".xlsx", ".docx"}


@pytest.mark.parametrize("name", LOADING)
def test_a_real_card_loads_what_was_counted_by_hand(name: str):
    truth = TRUTH[name]
    frames = load(FORMS / name)
    files = frames.files.row(0, named=True)
    assert (files["department_name"], files["year"]) == (truth["department"], truth["year"])
    projects = frames.projects.sort("source_row").to_dicts()
    assert [p["project_name"] for p in projects] == [p["name"] for p in truth["projects"]]
    for project, counted in zip(projects, truth["projects"], strict=True):
        assert project["unit_name"] == without_code(counted["unit"])
        assert squeezed(project["performance_goal"]) == squeezed(counted["goal"])
        for key in ("total", "fiscal", "other"):
            if counted.get(key) is not None:
                assert project[f"{key}_amount"] == Decimal(counted[key]), key
        indicators = frames.indicators.filter(pl.col("source_row") == project["source_row"])
        assert project["n_indicators"] == counted["n_indicators"] == indicators.height
        got = [
            [squeezed(i["level1_name_raw"]), squeezed(i["level2_name_raw"]),
             i["indicator_name"], i["annual_target_text"]]
            for i in indicators.sort("indicator_pos").to_dicts()
        ]  # fmt: skip
        want = [[squeezed(a), squeezed(b), c, d] for a, b, c, d in counted["indicators"]]
        assert got == want
    findings = run_gate(frames)
    errors = findings.filter(pl.col("severity") == "error")
    assert errors.is_empty(), errors.select("rule", "source_row", "value").to_dicts()
    # the conservation law: no cell of a real card is left unread
    assert findings.filter(pl.col("rule") == "cell_not_read").is_empty()


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_the_yueyang_card_loads_the_same_from_every_form_it_was_posted_in(suffix: str):
    frames = load(YUEYANG.with_suffix(suffix))
    project = frames.projects.row(0, named=True)
    assert frames.projects.height == 1
    assert frames.files["department_name"].to_list() == ["岳阳县农业农村局"]
    assert frames.files["year"].to_list() == [2022]
    assert project["unit_name"] == "农田建设服务中心"
    assert project["total_amount"] == project["fiscal_amount"] == Decimal("854")
    assert project["performance_goal"] == "完成项目主体工程70%"
    indicators = frames.indicators.sort("indicator_pos")
    assert indicators.height == project["n_indicators"] == 12
    assert indicators["category_code"].to_list() == [
        "11", "11", "12", "13", "14", "21", "22", "22", "23", "23", "24", "31",
    ]  # fmt: skip
    cost = indicators.row(4, named=True)
    assert (cost["indicator_name"], cost["annual_target_value"], cost["annual_target_unit"]) == (
        "财政资金补助", 1600.0, "元/亩",
    )  # fmt: skip
    details = json.loads(project["details"])
    assert details["项目负责人及电话"] == "彭兵"
    assert details["注"].startswith("注:各地请根据实际情况")
    rules = run_gate(frames).select("rule", "severity").rows()
    assert rules == [("amount_as_typed", "warning")]  # 854万(…), kept as typed


def test_two_cards_spelling_one_department_two_ways_are_one_batch():
    frames = load(FORMS / "湖北-武汉市青山区教育局-2020年两张卡片.sheets.xlsx")
    assert frames.files["department_name"].to_list() == ["武汉市青山区教育局"]
    assert frames.projects["total_amount"].sum() == Decimal("10016")
    assert frames.indicators.height == 16
    places = [json.loads(d)["位置"] for d in frames.projects.sort("source_row")["details"]]
    assert [p.split()[0] for p in places] == ["表1", "表2"]


def test_a_department_given_on_the_command_line_must_match_the_card():
    with pytest.raises(TableError) as caught:
        load(YUEYANG.with_suffix(".xlsx"), department="岳阳县财政局")
    assert caught.value.rule == "department_mismatch"
    assert "岳阳县财政局" in str(caught.value) and "岳阳县农业农村局" in str(caught.value)
    loose = load(YUEYANG.with_suffix(".xlsx"), department="岳阳县 农业农村局")
    assert loose.projects.height == 1


def test_a_year_folder_that_disagrees_with_the_title_is_rejected_naming_both(tmp_path: Path):
    folder = tmp_path / "2023"
    folder.mkdir()
    path = folder / "岳阳县农业农村局.xlsx"
    path.write_bytes(YUEYANG.with_suffix(".xlsx").read_bytes())
    source = SourceFile(path, sha256_of(path), path.stat().st_size, 0.0, root=tmp_path)
    with pytest.raises(TableError) as caught:
        read_table(source)
    assert caught.value.rule == "year_mismatch"
    assert "2023" in str(caught.value) and "2022" in str(caught.value)
    with pytest.raises(TableError, match="--year says 2021"):
        load(YUEYANG.with_suffix(".xlsx"), year=2021)


def _edited(tmp_path: Path, edits: dict[str, str], name: str = "card.xlsx") -> Path:
    """岳阳县's card with some cells rewritten (cell address → text)."""
    workbook = openpyxl.load_workbook(YUEYANG.with_suffix(".xlsx"))
    sheet = workbook.active
    for address, text in edits.items():
        sheet[address] = text
    path = tmp_path / name
    workbook.save(path)
    return path


def test_two_cards_of_different_departments_are_not_one_batch(tmp_path: Path):
    workbook = openpyxl.load_workbook(YUEYANG.with_suffix(".xlsx"))
    second = workbook.copy_worksheet(workbook.active)
    second["B6"] = "岳阳县水利局"
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    with pytest.raises(TableError) as caught:
        load(path, year=2022)
    assert caught.value.rule == "department_mismatch"
    assert "岳阳县水利局" in str(caught.value) and "岳阳县农业农村局" in str(caught.value)


def test_a_cell_no_field_holds_is_recorded_not_dropped(tmp_path: Path):
    frames = load(_edited(tmp_path, {"F6": "见附件三"}))
    unread = run_gate(frames).filter(pl.col("rule") == "cell_not_read")
    assert unread["value"].to_list() == ["第6列: 见附件三"]
    assert unread["source_row"].to_list() == [6]


def test_an_amount_typed_two_ways_is_an_error_naming_the_cell(tmp_path: Path):
    frames = load(_edited(tmp_path, {"C7": "854万300万"}))
    errors = run_gate(frames).filter(pl.col("severity") == "error")
    assert "amount_is_number" in errors["rule"].to_list()
    assert any("854万300万" in value for value in errors["value"].to_list())


def test_a_card_with_a_split_target_a_weight_and_a_mid_term_column(tmp_path: Path):
    """A provincial variant built from the 岳阳 card: 中期 beside 年度 funds, a target
    split into 指标性质 + 指标值 + 度量单位, 权重 kept with the record."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    rows = [
        ["2024年项目支出绩效目标申报表"],
        ["项目名称", "测试项目", "", "主管部门", "虚构市测试局"],
        ["项目资金(万元)", "中期资金总额", "300", "年度资金总额", "100"],
        ["", "其中:财政拨款", "250", "其中:财政拨款", "80"],
        ["", "其他资金", "50", "其他资金", "20"],
        ["总体目标", "中期目标", "", "年度目标"],
        ["", "三年建成", "", "当年完成一期"],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重"],
        ["产出指标(50分)", "数量指标", "完成面积", "≥", "95", "%", "30"],
        ["", "质量 指标", "验收合格率", "=", "100", "%", "20"],
        ["满意度指标", "", "群众满意度", "≥", "90", "%", "10"],
    ]
    for row in rows:
        sheet.append(row)
    path = tmp_path / "variant.xlsx"
    workbook.save(path)
    frames = load(path)
    project = frames.projects.row(0, named=True)
    assert (project["total_amount"], project["fiscal_amount"], project["other_amount"]) == (
        Decimal("100"), Decimal("80"), Decimal("20"),
    )  # fmt: skip
    assert project["performance_goal"] == "当年完成一期"
    details = json.loads(project["details"])
    assert (details["中期资金总额"], details["中期财政拨款"], details["中期目标"]) == (
        "300", "250", "三年建成",
    )  # fmt: skip
    indicators = frames.indicators.sort("indicator_pos")
    assert indicators["annual_target_text"].to_list() == ["≥95%", "=100%", "≥90%"]
    assert indicators["weight_text"].to_list() == ["30", "20", "10"]
    assert indicators["category_code"].to_list() == ["11", "12", "31"]
    assert run_gate(frames).filter(pl.col("severity") == "error").is_empty()


def test_a_level_row_with_no_indicator_under_it_is_kept_in_the_details(tmp_path: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [
        ["2024年项目支出绩效目标申报表"],
        ["项目名称", "测试项目", "主管部门", "虚构市测试局"],
        ["年度资金总额", "10", "其中:财政拨款", "10"],
        ["年度目标", "完成"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "完成面积", "≥95%"],
        ["效益指标", "", "", ""],  # a template's level-1 row left empty
    ]:
        sheet.append(row)
    path = tmp_path / "empty-level.xlsx"
    workbook.save(path)
    frames = load(path)
    assert frames.indicators.height == 1
    assert "效益指标" in json.loads(frames.projects["details"][0])["空二级指标"]
