"""The list form, golden: 井研县马踏镇's real 部门预算项目绩效目标申报表 (one row per
indicator, a unit column, targets split into 指标性质 + 指标值 + 度量单位, 权重 and
指标方向性, a department row with its subtotal, amounts in 元). The stored copy was cut
off, so its subtotal is not met: it must be rejected naming both values; with the
subtotal its two kept projects add up to, it loads exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from expectations.gate import run_gate
from transforms.discover import sha256_of
from transforms.normalize import Frames, normalize
from transforms.table import SourceFile, read_table

FORMS = Path(__file__).parent / "fixtures" / "forms"
NAME = "四川-井研县马踏镇-部门预算项目绩效目标申报表"
TRUTH = json.loads((FORMS / "truth.json").read_text(encoding="utf-8"))["files"]


def load(path: Path) -> Frames:
    return normalize([read_table(SourceFile(path, sha256_of(path), path.stat().st_size, 0.0))])


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_the_list_form_reads_as_counted_and_its_cut_subtotal_is_rejected(suffix: str):
    truth = TRUTH[NAME + suffix]
    frames = load(FORMS / (NAME + suffix))
    files = frames.files.row(0, named=True)
    assert (files["department_name"], files["year"], files["amount_unit"]) == (
        "马踏镇部门", 2023, "元",
    )  # fmt: skip
    projects = frames.projects.sort("source_row").to_dicts()
    assert [p["project_name"] for p in projects] == [p["name"] for p in truth["projects"]]
    for project, counted in zip(projects, truth["projects"], strict=True):
        assert project["unit_name"] == counted["unit"]
        assert project["total_amount"] == Decimal(counted["total"])
        assert project["fiscal_amount"] is None and project["other_amount"] is None  # unknown
        assert project["performance_goal"] == counted["goal"]
        rows = frames.indicators.filter(pl.col("source_row") == project["source_row"])
        rows = rows.sort("indicator_pos")
        assert rows.height == project["n_indicators"] == counted["n_indicators"]
        assert [(a, b, c) for a, b, c, _ in counted["indicators"]] == rows.select(
            "level1_name_raw", "level2_name_raw", "indicator_name"
        ).rows()
        assert rows["annual_target_text"].to_list() == ["".join(t) for t in counted["target_parts"]]
        assert rows["weight_text"].to_list() == counted["extra_columns"]["权重"]
        assert set(rows["direction_text"]) == {"正向指标"}
    findings = run_gate(frames)
    errors = findings.filter(pl.col("severity") == "error")
    assert errors.select("rule", "source_row").rows() == [("declared_total_matches", 4)]
    assert "882.762053" in errors["value"][0] + errors["message"][0]
    assert "396.984" in errors["value"][0] + errors["message"][0]
    assert findings.filter(pl.col("rule") == "cell_not_read").is_empty()


def test_with_a_subtotal_its_projects_meet_the_list_form_loads(tmp_path: Path):
    workbook = openpyxl.load_workbook(FORMS / f"{NAME}.xlsx")
    sheet = workbook.active
    row = next(r for r in sheet.iter_rows() if r[0].value == "820-马踏镇部门")
    row[2].value = "3,969,840.00"
    path = tmp_path / "fixed.xlsx"
    workbook.save(path)
    frames = load(path)
    assert run_gate(frames).filter(pl.col("severity") == "error").is_empty()
    assert frames.projects["total_amount"].sum() == Decimal("396.984")
    assert frames.indicators.height == 12


def test_indicator_cells_on_the_department_row_are_noted_not_dropped(tmp_path: Path):
    workbook = openpyxl.load_workbook(FORMS / f"{NAME}.xlsx")
    sheet = workbook.active
    row = next(r for r in sheet.iter_rows() if r[0].value == "820-马踏镇部门")
    row[6].value = "无主指标"  # 三级指标 and 指标值 on the department's subtotal row
    row[8].value = "99"
    path = tmp_path / "orphan.xlsx"
    workbook.save(path)
    unread = run_gate(load(path)).filter(pl.col("rule") == "cell_not_read")
    assert any("无主指标" in value for value in unread["value"].to_list())
    assert any("99" in value for value in unread["value"].to_list())


def test_an_indicator_row_above_every_project_is_noted_not_dropped(tmp_path: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["部门预算项目绩效目标申报表(2023年度)"])
    sheet.append(["单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标",
                  "三级指标", "指标性质", "指标值", "度量单位"])  # fmt: skip
    sheet.append(["", "", "", "", "产出指标", "数量指标", "孤立指标", "≥", "5", "个"])
    sheet.append(["甲单位", "甲项目", "10", "完成", "产出指标", "数量指标", "面积", "≥", "9", "亩"])
    path = tmp_path / "orphan-row.xlsx"
    workbook.save(path)
    frames = load(path)
    assert frames.indicators.height == 1  # the project's own indicator only
    unread = run_gate(frames).filter(pl.col("rule") == "cell_not_read")
    assert unread.filter(pl.col("source_row") == 3)["value"].to_list() != []
    assert any("孤立指标" in value for value in unread["value"].to_list())
