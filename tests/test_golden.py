"""Golden test on the real 2026 table of 广州互联网法院: every figure checked by hand."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from expectations.gate import run_gate
from transforms.normalize import Frames


def test_it_finds_17_projects_under_the_department_as_its_only_unit(sample_frames: Frames):
    projects = sample_frames.projects
    assert projects.height == 17
    assert projects["unit_name"].unique().to_list() == ["广州互联网法院"]
    assert projects["project_name"][0] == "机构运行辅助经费"
    assert projects["project_name"][-1] == "广州互联网法院2026-2027年信息化运维项目"
    assert projects["source_row"].to_list() == list(range(9, 26))


def test_project_totals_sum_exactly_to_5373_55(sample_frames: Frames):
    total = sample_frames.projects["total_amount"].sum()
    assert Decimal(str(total)) == Decimal("5373.55")
    assert sample_frames.projects["total_amount"].dtype == pl.Decimal(18, 6)


def test_it_reads_the_declared_total_5373_54_and_the_preamble(sample_frames: Frames):
    files = sample_frames.files.row(0, named=True)
    assert Decimal(str(files["declared_total_amount"])) == Decimal("5373.54")
    assert files["declared_total_row"] == 7
    assert files["department_name"] == "广州互联网法院"
    assert files["amount_unit"] == "万元"
    assert files["year"] == 2026


def test_amounts_with_thousands_separators_are_exact(sample_frames: Frames):
    row = sample_frames.projects.filter(pl.col("project_name") == "办公、业务用房租赁经费")
    assert Decimal(str(row["total_amount"][0])) == Decimal("2182.73")
    assert Decimal(str(row["fiscal_amount"][0])) == Decimal("2182.73")
    assert Decimal(str(row["special_account_amount"][0])) == Decimal("0")
    assert row["total_text"][0] == "2,182.73"


def test_it_finds_71_indicators(sample_frames: Frames):
    assert sample_frames.indicators.height == 71
    assert sample_frames.projects["n_indicators"].sum() == 71
    assert not sample_frames.indicators["unstructured"].any()


def _indicator(frames: Frames, project: str, seq: int) -> dict:
    rows = frames.indicators.join(
        frames.projects.select("source_row", "project_name"), on="source_row"
    ).filter((pl.col("project_name") == project) & (pl.col("indicator_seq") == seq))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_first_indicator_without_sequence_number(sample_frames: Frames):
    row = _indicator(sample_frames, "机构运行辅助经费", 1)
    assert row["level1_code_raw"] == "1"
    assert row["level2_code_raw"] == "12"
    assert row["category_code"] == "12"
    assert row["indicator_name"] == "非编人员年度考核合格率"
    assert (row["period_target_op"], row["period_target_value"], row["period_target_unit"]) == (
        ">=", 95.0, "%",
    )


def test_semicolon_after_level2_name(sample_frames: Frames):
    row = _indicator(sample_frames, "机构运行辅助经费", 2)
    assert row["category_code"] == "31"
    assert row["level1_code"] == "3"
    assert row["indicator_name"] == "法官对招录机构运行辅助人员满意度"
    assert row["annual_target_text"] == "≥90%"


def test_full_stop_inside_parentheses_stays_in_the_value(sample_frames: Frames):
    row = _indicator(sample_frames, "诉讼费退费费用金", 2)
    expected = (
        "达标（财务人员收到案件经办人提交符合相关退费规定的材料之日起，"
        "在规定时间内完成退费手续。）"
    )
    assert row["indicator_name"] == "诉讼费退费及时性"
    assert row["category_code"] == "13"
    assert row["period_target_text"] == expected
    assert row["annual_target_text"] == expected
    assert row["annual_target_op"] is None and row["annual_target_value"] is None
    following = _indicator(sample_frames, "诉讼费退费费用金", 3)
    assert following["indicator_name"] == "司法公信力"
    assert following["annual_target_text"] == "增强"


def test_words_and_units_in_targets(sample_frames: Frames):
    row = _indicator(sample_frames, "广州互联网法院2021年信息化运维项目", 1)
    assert row["period_target_text"] == "不低于99%为优"
    assert (row["period_target_op"], row["period_target_value"], row["period_target_unit"]) == (
        ">=", 99.0, "%",
    )
    area = _indicator(sample_frames, "办公、业务用房租赁经费", 1)
    assert (area["annual_target_value"], area["annual_target_unit"]) == (11733.38, "平方米")
    speed = _indicator(sample_frames, "广州互联网法院2020年内网智慧审判平台中台化改造建设项目", 3)
    assert (speed["annual_target_op"], speed["annual_target_value"], speed["annual_target_unit"]) \
        == ("<=", 3.0, "秒")


def test_every_category_is_known_and_level1_agrees(sample_frames: Frames):
    indicators = sample_frames.indicators
    assert indicators["category_code"].null_count() == 0
    assert set(indicators["category_code"]) == {"11", "12", "13", "21", "22", "31"}
    assert not indicators["level1_code_mismatch"].any()


def test_project_family_drops_year_spans(sample_frames: Frames):
    families = sample_frames.projects.filter(
        pl.col("project_family") == "广州互联网法院信息化运维项目"
    )
    assert families.height == 6


def test_the_gate_passes_the_sample_with_one_rounding_warning(sample_frames: Frames):
    findings = run_gate(sample_frames)
    assert findings.filter(pl.col("severity") == "error").is_empty()
    warnings = findings.filter(pl.col("severity") == "warning")
    assert warnings.height == 1
    warning = warnings.row(0, named=True)
    assert warning["rule"] == "declared_total_rounding"
    assert "5373.54" in warning["value"] and "5373.55" in warning["value"]
