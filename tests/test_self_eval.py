"""Year-end results (项目支出绩效自评表): read, gated, kept apart from the 目标表, and
set against the targets."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tests.inline_flow import run_nightly
from tests.self_eval_forms import (
    DEPARTMENT,
    INDICATORS,
    PROJECT,
    self_eval_rows,
    target_card_rows,
    write_rows,
)
from tests.test_cli import bpw
from transforms.attainment import attainment
from transforms.normalize import normalize
from transforms.table import SourceFile, read_table
from transforms.targets import split_target

QINGSHEN = FIXTURES / "realworld" / "2023" / "青神县发展和改革局-自评"


def load(path: Path, year: int | None = None):
    source = SourceFile(path, "0" * 64, path.stat().st_size, 0.0, year=year)
    return normalize([read_table(source)])


# the real form, half filled ----------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_the_real_qingshen_form_loads_its_hand_count(suffix: str) -> None:
    frames = load(QINGSHEN.with_suffix(suffix))
    files = frames.files.row(0, named=True)
    assert (files["batch_kind"], files["year"], files["department_name"]) == (
        "self_evaluation", 2023, DEPARTMENT,
    )  # fmt: skip
    assert frames.projects.is_empty() and frames.indicators.is_empty()
    (project,) = frames.executions.iter_rows(named=True)
    assert project["project_name"] == "工资性支出"  # the code 51000021R…- kept in details
    assert "51000021R000000019951" in project["details"]
    assert (
        project["initial_budget_amount"], project["adjusted_budget_amount"],
        project["executed_amount"], project["execution_rate"], project["execution_weight"],
    ) == (Decimal("238.93"), Decimal("251.89"), Decimal("251.89"), 100.0, 10.0)  # fmt: skip
    assert project["execution_score"] is None
    assert project["weight_sum"] == 90 and project["n_indicators"] == 2
    # the 合计 row's 100 is the weights' total, not money; the template prompts are noted
    details = json.loads(project["details"])
    assert details["权重合计"] == "100"
    assert {"评价结论", "存在问题", "改进措施"} <= set(project["template_prompts"].split("、"))
    results = frames.results.sort("indicator_seq")
    assert results.select(
        "indicator_name", "category_code", "annual_target_text", "annual_target_op",
        "annual_target_value", "annual_target_unit", "weight", "score", "attainment",
    ).rows() == [
        ("发放(缴纳)覆盖率", "11", "=100%", "=", 100.0, "%", 60.0, None, "not_reported"),
        ("足额保障率(参保率)", "22", "=100%", "=", 100.0, "%", 30.0, None, "not_reported"),
    ]  # fmt: skip
    assert frames.unread.is_empty()  # every non-empty cell in a field or the details


def test_the_year_of_the_title_must_agree_with_the_folder(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "2024" / "青神.xlsx", self_eval_rows(year=2023))
    with pytest.raises(Exception, match="year_mismatch|2024.*2023"):
        read_table(SourceFile(path, "0" * 64, 1, 0.0, root=tmp_path))


def test_many_cards_stacked_on_a_sheet_are_one_batch(tmp_path: Path) -> None:
    second = self_eval_rows(project="社保缴纳")
    path = write_rows(tmp_path / "2023" / "青神.xlsx", [*self_eval_rows(), [""], *second])
    frames = load(path)
    assert frames.executions["project_name"].to_list() == [PROJECT, "社保缴纳"]
    assert frames.executions["source_row"].to_list() == [3, 3 + len(second) + 1]
    assert frames.results.group_by("source_row").len()["len"].to_list() == [3, 3]
    assert frames.unread.is_empty()


NATIONAL = [
    ["项目支出绩效自评表"],
    ["（2024年度）"],
    ["项目名称", "智慧城市运维"],
    ["主管部门", "某市大数据局", "", "实施单位", "某市大数据中心"],
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "500", "480", "470.4", "10", "98%", "9.8"],
    ["", "其中：当年财政拨款", "500", "480", "470.4", "—", "—", "—"],
    ["", "上年结转资金", "", "", "", "—", "—", "—"],
    ["年度总体目标", "预期目标", "", "", "实际完成情况"],
    ["", "完成系统运维", "", "", "全年运维无重大故障"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
     "偏差原因分析及改进措施"],
    ["", "产出指标", "数量指标", "运维系统数", "≥20个", "22个", "20", "20", ""],
    ["", "", "时效指标", "故障响应时间", "≤2小时", "3小时", "20", "15", "夜间值守不足"],
    ["", "效益指标", "社会效益指标", "群众办事便利度", "明显提升", "明显提升", "30", "30", ""],
    ["", "满意度指标", "服务对象满意度指标", "用户满意度", "≥90%", "", "20", "", ""],
    ["总分", "", "", "", "", "", "100", "74.8", ""],
]  # fmt: skip


def test_the_national_template_reads_with_its_own_words(tmp_path: Path) -> None:
    """财政部's layout: 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分, 年度指标值 beside
    实际完成值, a 总分 row, 年度总体目标 with 预期目标 and 实际完成情况 below."""
    frames = load(write_rows(tmp_path / "2024" / "某市大数据局.xlsx", NATIONAL))
    (project,) = frames.executions.iter_rows(named=True)
    assert (
        project["adjusted_budget_amount"], project["executed_amount"], project["execution_rate"],
        project["execution_score"], project["total_score"], project["weight_total"],
        project["performance_goal"],
    ) == (Decimal("480"), Decimal("470.4"), 98.0, 9.8, 74.8, 100.0, "完成系统运维")  # fmt: skip
    assert json.loads(project["details"])["实际完成情况"] == "全年运维无重大故障"
    assert frames.results.select("indicator_name", "attainment", "deviation_reason").rows() == [
        ("运维系统数", "met", None),
        ("故障响应时间", "missed", "夜间值守不足"),
        ("群众办事便利度", "qualitative", None),
        ("用户满意度", "not_reported", None),
    ]
    assert frames.unread.is_empty()


# attainment rules --------------------------------------------------------------------

CASES = [
    # target, actual, 指标方向, expected
    ("≥95%", "97%", None, "met"),
    ("≥95%", "90%", None, "missed"),
    ("≤3秒", "2.1秒", None, "met"),
    ("0起", "1起", None, "missed"),
    ("0起", "0起", None, "met"),
    ("100%", "98%", None, "missed"),
    ("=100%", "100", None, "met"),
    ("20", "15", "反向", "met"),
    ("20", "15", None, "missed"),
    ("5万元", "50000元", None, "met"),
    ("5万元", "3个", None, "unit_mismatch"),
    ("95%", "96百分比", None, "met"),
    ("达标", "达标", None, "qualitative"),
    ("优", "良", None, "qualitative"),
    ("≥90%", "已完成", None, "qualitative"),
    ("≥90%", None, None, "not_reported"),
    ("≥90%", "  ", None, "not_reported"),
]


def attain(frame: pl.DataFrame) -> list[str]:
    target = split_target(pl.col("target"))
    actual = split_target(pl.col("actual"))
    return frame.select(
        attainment(
            target.struct.field("kind"), target.struct.field("op"),
            target.struct.field("value"), target.struct.field("unit"),
            pl.col("actual"), actual.struct.field("value"), actual.struct.field("unit"),
            pl.col("direction"),
        )
    ).to_series().to_list()  # fmt: skip


@pytest.mark.parametrize(("target", "actual", "direction", "expected"), CASES)
def test_attainment_follows_each_rule(target, actual, direction, expected) -> None:
    frame = pl.DataFrame(
        {"target": [target], "actual": [actual], "direction": [direction]},
        schema={"target": pl.String, "actual": pl.String, "direction": pl.String},
    )
    assert attain(frame) == [expected]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["≥", "≤", ">", "<", "="]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["%", "个", "万元"]),
)
def test_met_is_the_comparison_itself(op: str, target: int, actual: int, unit: str) -> None:
    frame = pl.DataFrame(
        {"target": [f"{op}{target}{unit}"], "actual": [f"{actual}{unit}"], "direction": [None]},
        schema={"target": pl.String, "actual": pl.String, "direction": pl.String},
    )
    holds = {
        "≥": actual >= target, "≤": actual <= target, ">": actual > target,
        "<": actual < target, "=": actual == target,
    }[op]  # fmt: skip
    assert attain(frame) == ["met" if holds else "missed"]


# the gate ----------------------------------------------------------------------------


def test_the_gate_rejects_a_score_over_its_weight_and_warns_on_a_rate_off(
    tmp_path: Path,
) -> None:
    from pipeline.steps import gate_tables

    over = [list(row) for row in INDICATORS]
    over[0][9] = "45"  # 得分 45 > 分值 40
    path = write_rows(
        tmp_path / "2023" / "青神.xlsx",
        self_eval_rows(executed="240.00", rate="100.00%", indicators=[tuple(r) for r in over]),
    )
    table = read_table(SourceFile(path, "1" * 64, 1, 0.0))
    outcome = gate_tables([table], [])
    findings = {(f["rule"], f["severity"]) for f in outcome.findings.iter_rows(named=True)}
    assert ("score_within_weight", "error") in findings
    assert ("execution_rate_consistent", "warning") in findings
    assert ("template_prompt_left", "warning") in findings
    assert outcome.rejected_ids  # the error rejects the file


def test_a_consistent_filled_form_passes_the_gate(tmp_path: Path) -> None:
    from pipeline.steps import gate_tables

    path = write_rows(tmp_path / "2023" / "青神.xlsx", self_eval_rows())
    outcome = gate_tables([read_table(SourceFile(path, "2" * 64, 1, 0.0))], [])
    rules = set(outcome.findings["rule"].to_list())
    assert not outcome.rejected_ids, outcome.findings
    assert "execution_rate_consistent" not in rules and "weight_total_is_sum" not in rules


def test_an_execution_rate_from_a_percent_formatted_cell_is_read_as_percent(
    tmp_path: Path,
) -> None:
    path = write_rows(
        tmp_path / "2023" / "青神.xlsx", self_eval_rows(executed="250.91", rate="0.9961")
    )
    (project,) = load(path).executions.iter_rows(named=True)
    assert project["execution_rate"] == pytest.approx(99.61)


# batch kind --------------------------------------------------------------------------


def test_a_self_evaluation_never_replaces_the_target_table_of_its_department_year() -> None:
    from datetime import UTC, datetime

    from warehouse.batches import plan

    def files(ids: list[int], kinds: list[str | None], mtimes: list[float]) -> pl.DataFrame:
        return pl.DataFrame(
            {"source_file_id": ids, "year": [2023] * len(ids), "department_id": [7] * len(ids),
             "batch_kind": kinds, "file_mtime": mtimes, "file_path": [f"{i}" for i in ids],
             "sha256": [f"{i}" for i in ids]},
        )  # fmt: skip

    now = datetime(2026, 1, 1, tzinfo=UTC)
    # an older lake's 目标表 (no kind recorded) is current
    first = plan(pl.DataFrame(), files([1], [None], [1.0]), pl.DataFrame(), "r1", now)
    second = plan(
        first.source_files,
        files([2, 3], ["self_evaluation", "self_evaluation"], [2.0, 3.0]),
        pl.DataFrame(), "r2", now,
    )  # fmt: skip
    status = dict(second.source_files.select("source_file_id", "status").iter_rows())
    assert status == {1: "current", 2: "superseded", 3: "current"}
    third = plan(second.source_files, files([4], ["targets"], [4.0]), pl.DataFrame(), "r3", now)
    status = dict(third.source_files.select("source_file_id", "status").iter_rows())
    assert status == {1: "superseded", 2: "superseded", 3: "current", 4: "current"}


# end to end through the command line -------------------------------------------------


@pytest.fixture(scope="module")
def results_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("attainment")
    inbox = root / "files" / "2023"
    write_rows(inbox / f"{DEPARTMENT}.xlsx", target_card_rows())
    write_rows(inbox / f"{DEPARTMENT}-自评.xlsx", self_eval_rows())
    home = root / "home"
    result = bpw(home, "ingest", str(root / "files"))
    assert result.returncode == 0, result.stdout + result.stderr
    return home


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_attainment_sets_each_result_beside_the_target_table(results_home: Path) -> None:
    result = bpw(results_home, "attainment", "--year", "2023", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = rows_of(result.stdout)
    assert [
        (r["project_name"], r["indicator_name"], r["target_text"], r["reported_target_text"],
         r["target_restated"], r["actual_text"], r["attainment"], r["weight"], r["score"])
        for r in rows
    ] == [
        (PROJECT, "发放(缴纳)覆盖率", "=100%", "=100%", "false", "100%", "met", "40.0", "40.0"),
        (PROJECT, "足额保障率(参保率)", "≥98%", "=100%", "true", "98%", "missed", "30.0", "25.0"),
        (PROJECT, "职工满意度", "达标", "达标", "false", "达标", "qualitative", "20.0", "20.0"),
    ]  # fmt: skip
    assert {r["department_name"] for r in rows} == {DEPARTMENT}


def test_attainment_missed_lists_the_missed_target_and_why(results_home: Path) -> None:
    result = bpw(results_home, "attainment", "--missed", "--department", "青神", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = rows_of(result.stdout)
    assert [(r["indicator_name"], r["deviation_reason"]) for r in rows] == [
        ("足额保障率(参保率)", "两名职工社保关系转移未完成")
    ]


def test_both_kinds_stay_current_and_the_budget_is_the_target_tables(results_home: Path) -> None:
    result = bpw(
        results_home, "sql", "--format", "csv",
        "select batch_kind, status from stg_source_files order by batch_kind",
    )  # fmt: skip
    assert rows_of(result.stdout) == [
        {"batch_kind": "self_evaluation", "status": "current"},
        {"batch_kind": "targets", "status": "current"},
    ]
    result = bpw(
        results_home, "sql", "--format", "csv",
        "select b.total_amount, e.adjusted_budget_amount, e.executed_amount, e.execution_rate "
        "from fact_project_budget b join fact_project_execution e using (year, project_id)",
    )  # fmt: skip
    assert rows_of(result.stdout) == [
        {"total_amount": "251.89", "adjusted_budget_amount": "251.89",
         "executed_amount": "251.89", "execution_rate": "100.0"}
    ]  # fmt: skip


def test_the_department_attainment_counts_met_and_missed(results_home: Path) -> None:
    result = bpw(
        results_home, "sql", "--format", "csv",
        "select department_name, year, n_indicators, n_met, n_missed, met_pct, prev_met_pct, "
        "execution_rate, prev_execution_rate from v_department_attainment_yoy",
    )  # fmt: skip
    assert rows_of(result.stdout) == [
        {"department_name": DEPARTMENT, "year": "2023", "n_indicators": "3", "n_met": "1",
         "n_missed": "1", "met_pct": "50.0", "prev_met_pct": "", "execution_rate": "100.0",
         "prev_execution_rate": ""}
    ]  # fmt: skip


def test_a_self_evaluation_of_the_guangzhou_projects_links_every_indicator(
    tmp_path: Path,
) -> None:
    from tests.conftest import SAMPLE
    from tests.self_eval_forms import self_eval_for

    frames = load(SAMPLE, year=2026)
    projects = frames.projects.to_dicts()
    rows = self_eval_for(projects, frames.indicators.to_dicts(), 2026)
    inbox = tmp_path / "files" / "2026"
    inbox.mkdir(parents=True)
    (inbox / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    write_rows(inbox / "广州互联网法院-自评.xlsx", rows)
    # the pipeline in this process: the command line's ingest is results_home's test
    home = tmp_path / "home"
    summary = run_nightly(home=str(home), paths=[str(tmp_path / "files")])
    assert summary["exit_status"] == 0 and not summary["rejected"], summary
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        counts = con.sql(
            "select count(*) as n, count(target_text) as linked, "
            "count(*) filter (where target_restated) as restated, "
            "count(*) filter (where attainment not in ('met', 'qualitative')) as other, "
            "count(distinct project_name) as n_projects from v_target_attainment"
        ).fetchall()
    n = frames.indicators.height
    assert counts == [(n, n, 0, 0, len(projects))]


_TEXT = st.text(alphabet="服务覆盖率满意度工程质量达标完成数量培训人次", min_size=2, max_size=8)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            _TEXT,  # indicator name
            st.sampled_from(["≥", "≤", "="]),
            st.integers(min_value=1, max_value=999),
            st.sampled_from(["%", "个", "人次"]),
            st.one_of(st.none(), st.integers(min_value=0, max_value=999)),  # actual
            st.integers(min_value=1, max_value=30),  # weight
            st.one_of(st.just(""), _TEXT),  # deviation reason
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_a_filled_form_reads_back_exactly(tmp_path_factory, indicators) -> None:
    """Whatever the department writes in the indicator block comes back field by field,
    and no cell is left unread."""
    rows = [
        ("产出指标", "数量指标", name, "", op, str(value), unit,
         "" if actual is None else str(actual), str(weight), "", reason)
        for name, op, value, unit, actual, weight, reason in indicators
    ]  # fmt: skip
    path = write_rows(
        tmp_path_factory.mktemp("prop") / "2023" / "青神.xlsx", self_eval_rows(indicators=rows)
    )
    frames = load(path)
    assert frames.unread.is_empty()
    results = frames.results.sort("indicator_seq")
    assert results.select(
        "indicator_name", "annual_target_text", "actual_text", "weight", "deviation_reason"
    ).rows() == [
        (name, f"{op}{value}{unit}", None if actual is None else f"{actual}{unit}",
         float(weight), reason or None)
        for name, op, value, unit, actual, weight, reason in indicators
    ]  # fmt: skip
    expected = [
        "not_reported" if actual is None
        else "met" if {"≥": actual >= value, "≤": actual <= value, "=": actual == value}[op]
        else "missed"
        for _, op, value, _, actual, _, _ in indicators
    ]  # fmt: skip
    assert results["attainment"].to_list() == expected
