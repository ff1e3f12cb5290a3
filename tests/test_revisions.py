"""What changed, and what did we know then: a department resubmits a corrected table;
`v_revision_change` and `bpw diff` name exactly what differs, `bpw sql --as-of` still
answers with the first version's figures, and `bpw runs` lists both publishes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipeline import steps
from tests.conftest import SAMPLE
from transforms.discover import discover
from warehouse import lake
from warehouse.retention import Retention

BPW = str(Path(sys.executable).with_name("bpw"))
KEEP_ALL = Retention()
DEPARTMENT = "广州互联网法院"
NEW_PROJECT = "广州互联网法院2026年诉讼服务中心改造项目"
NEW_PROJECT_ROW = (
    f"{NEW_PROJECT}\t100.00\t100.00\t\t\t改造诉讼服务中心，提升群众办事体验。\t"
    "1-产出指标：11-数量指标：改造面积；实施周期指标值：≥500平方米；年度指标值：≥500平方米。"
    "2-3-满意度指标：31-服务对象满意度；当事人满意度；实施周期指标值：≥90%；年度指标值：≥90%。"
)
# the three changes, and the declared total that follows them (5373.54 + 27.10 + 100)
EXPECTED = [
    ("declared_total_changed", None, None, "declared_total_amount", "5373.54", "5500.64"),
    ("project_added", NEW_PROJECT, None, "total_amount", None, "100.00"),
    ("amount_changed", "机构运行辅助经费", None, "total_amount", "572.90", "600.00"),
    ("amount_changed", "机构运行辅助经费", None, "fiscal_amount", "572.90", "600.00"),
    ("target_changed", "业务用房物业管理费", "配套设施完好率", "annual_target_text", "100%", "98%"),
]


def corrected(text: str) -> str:
    """The real table resubmitted: one amount changed (机构运行辅助经费 572.90 → 600.00 in
    总计 and 财政拨款, as the gate requires), one annual target lowered (配套设施完好率
    100% → 98%), one project added (with its own two indicators), the totals updated."""
    changes = [
        ("合计\t5,373.54\t5,373.54", "合计\t5,500.64\t5,500.64"),
        (f"{DEPARTMENT}\t5,373.54\t5,373.54", f"{DEPARTMENT}\t5,500.64\t5,500.64"),
        ("机构运行辅助经费\t572.90\t572.90", "机构运行辅助经费\t600.00\t600.00"),
        ("配套设施完好率；实施周期指标值：100%；年度指标值：100%",
         "配套设施完好率；实施周期指标值：100%；年度指标值：98%"),
    ]  # fmt: skip
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    lines = text.split("\n")
    last = max(i for i, line in enumerate(lines) if line.startswith(f"{DEPARTMENT}2026-2027"))
    lines.insert(last + 1, NEW_PROJECT_ROW)
    return "\n".join(lines)


def write(path: Path, text: str, mtime: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def bpw(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250"}
    env.pop("BPW_HOME", None)
    return subprocess.run(
        [BPW, "--home", str(home), *args], capture_output=True, text=True, env=env, timeout=300
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def as_json(home: Path, *args: str) -> list[dict]:
    return json.loads(ok(bpw(home, *args, "--format", "json")))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real runs: the published table, then the corrected one (a newer file)."""
    root = tmp_path_factory.mktemp("revisions")
    first = write(root / "v1" / "2026" / f"{DEPARTMENT}.txt", SAMPLE.read_text("utf-8"), 1.75e9)
    second = write(root / "v2" / "2026" / f"{DEPARTMENT}.txt",
                   corrected(SAMPLE.read_text("utf-8")), 1.76e9)  # fmt: skip
    home = root / "home"
    assert "17 projects" in ok(bpw(home, "ingest", str(first)))
    assert "18 projects" in ok(bpw(home, "ingest", str(second)))
    return home


def test_the_view_names_exactly_the_three_changes_and_the_declared_total(home: Path) -> None:
    rows = as_json(home, "sql",
                   "select * from v_revision_change order by change_kind, field")  # fmt: skip
    found = [
        (r["change_kind"], r["project_name"], r["indicator_name"], r["field"], r["old_value"],
         r["new_value"])
        for r in rows
    ]  # fmt: skip
    assert sorted(found, key=repr) == sorted(EXPECTED, key=repr)
    # a new project's own indicators belong to its project_added row
    assert not [r for r in rows if r["change_kind"] == "indicator_added"]
    versions = as_json(home, "sql", "select source_file_id, status, loaded_at "
                                    "from dim_source_file order by loaded_at")  # fmt: skip
    old, new = (v["source_file_id"] for v in versions)
    assert [v["status"] for v in versions] == ["superseded", "current"]
    assert {(r["year"], r["department_name"], r["old_source_file_id"],
             r["new_source_file_id"], r["changed_at"]) for r in rows} == {
        (2026, DEPARTMENT, old, new, versions[1]["loaded_at"])
    }  # fmt: skip


def test_bpw_diff_prints_old_to_new(home: Path) -> None:
    table = ok(bpw(home, "diff", "--department", "互联网"))
    assert "572.90 → 600.00" in table and "100% → 98%" in table
    assert "— → 100.00" in table and "5373.54 → 5500.64" in table
    assert "(5 changes)" in table
    lines = [line for line in table.splitlines() if "│" in line]
    kinds = [line.split("│")[2].strip() for line in lines]
    assert kinds == ["declared_total_changed", "project_added", "amount_changed",
                     "amount_changed", "target_changed"]  # fmt: skip
    rows = as_json(home, "diff", "--year", "2026")
    assert [r["change_kind"] for r in rows] == kinds
    assert as_json(home, "diff", "--year", "2025") == []
    assert as_json(home, "diff", "--department", "海事") == []
    csv_text = ok(bpw(home, "diff", "--format", "csv"))
    assert csv_text.splitlines()[0].startswith("year,department_name,change_kind,")
    assert len(csv_text.splitlines()) == 6


def test_as_of_a_moment_between_the_runs_answers_with_the_first_version(home: Path) -> None:
    runs = as_json(home, "runs")
    assert [(r["loaded"], r["manifest_version"]) for r in runs] == [(1, 1), (1, 2)]
    first, second = (datetime.fromisoformat(r["published_at"]) for r in runs)
    between = (first + (second - first) / 2).isoformat()
    query = "select count(*) as projects, sum(total_amount) as total from fact_project_budget"
    catalog = home / "warehouse.duckdb"
    live_before = catalog.read_bytes()
    assert as_json(home, "sql", query) == [{"projects": 18, "total": "5500.65"}]
    then = [{"projects": 17, "total": "5373.55"}]
    assert as_json(home, "sql", query, "--as-of", between) == then
    assert as_json(home, "sql", query, "--as-of", runs[0]["run_id"]) == then
    assert as_json(home, "sql", query, "--as-of", runs[1]["run_id"]) == [
        {"projects": 18, "total": "5500.65"}
    ]
    # then, nothing had been revised yet; the as-of catalog says which moment it shows
    assert as_json(home, "diff", "--as-of", between) == []
    moment = as_json(home, "sql", "select manifest_version, run_id from bpw_as_of",
                     "--as-of", between)  # fmt: skip
    assert moment == [{"manifest_version": 1, "run_id": runs[0]["run_id"]}]
    # the live catalog was never touched, and the as-of one is confined to the lake too
    assert catalog.read_bytes() == live_before
    refused = bpw(home, "sql", "select * from read_text('/etc/hostname')", "--as-of", between)
    assert refused.returncode == 2 and "only the warehouse and its lake" in refused.stderr
    report = home / "then.html"
    ok(bpw(home, "report", "--as-of", between, "--out", str(report)))
    assert "5,373.55" in report.read_text("utf-8") or "5373.55" in report.read_text("utf-8")


def test_as_of_refuses_a_moment_it_cannot_show(home: Path) -> None:
    before = bpw(home, "sql", "select 1", "--as-of", "2001-01-01")
    assert before.returncode == 2 and "nothing was published by 2001-01-01" in before.stderr
    garbage = bpw(home, "sql", "select 1", "--as-of", "yesterday")
    assert garbage.returncode == 2 and "neither a run id" in garbage.stderr


# --- directly on the lake: matching by name, and what retention leaves ----------------


def publish_file(home: Path, folder: Path, run: int, policy: Retention = KEEP_ALL) -> None:
    sources, _ = discover([folder], 50 * 1024 * 1024)
    chunk = steps.read_chunk(sources)
    outcome = steps.gate_tables(chunk.tables, chunk.failures)
    assert not outcome.rejected_ids, outcome.findings.rows()
    accepted, rejected, findings = steps.publish_inputs(outcome, chunk.failures, {}, f"r{run}")
    lake.publish(home / "lake", home / "warehouse.duckdb", accepted, rejected, findings,
                 f"r{run}", datetime(2026, 11, 28, run), retention=policy)  # fmt: skip


def revisions(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select change_kind, project_name, field, old_value, new_value "
            "from v_revision_change order by all"
        ).fetchall()


def test_projects_and_indicators_are_matched_by_name_not_by_position(tmp_path: Path) -> None:
    text = SAMPLE.read_text("utf-8")
    lines = text.split("\n")
    names = ("业务用房物业管理费", "司法救助金")
    a, b = [i for i, line in enumerate(lines) if line.startswith(names)]
    # the two project rows change places; a name gains a space
    lines[a], lines[b] = lines[b], lines[a]
    moved = "\n".join(lines).replace("国家赔偿金\t", "国家 赔偿金\t", 1)
    home = tmp_path / "home"
    publish_file(home, write(tmp_path / "a" / "2026" / "t.txt", text, 1.75e9).parent, 1)
    publish_file(home, write(tmp_path / "b" / "2026" / "t.txt", moved, 1.76e9).parent, 2)
    assert revisions(home) == []
    # a third version changes one project's goal: that, and nothing else
    goal = moved.replace("依法、依规及时进行诉讼费退费工作。", "依法及时退费。", 1)
    publish_file(home, write(tmp_path / "c" / "2026" / "t.txt", goal, 1.77e9).parent, 3)
    assert revisions(home) == [("goal_changed", "诉讼费退费费用金", "performance_goal",
                                "通过实施诉讼费退费费用金项目，依法、依规及时进行诉讼费退费工作。",
                                "通过实施诉讼费退费费用金项目，依法及时退费。")]  # fmt: skip


def test_a_version_whose_rows_retention_dropped_is_neither_compared_nor_shown(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    text = SAMPLE.read_text("utf-8")
    publish_file(home, write(tmp_path / "a" / "2026" / "t.txt", text, 1.75e9).parent, 1)
    fixed = corrected(text)
    publish_file(home, write(tmp_path / "b" / "2026" / "t.txt", fixed, 1.76e9).parent, 2)
    assert len(revisions(home)) == len(EXPECTED)
    removed = fixed.replace("\n" + NEW_PROJECT_ROW, "").replace("5,500.64", "5,400.64")
    publish_file(home, write(tmp_path / "c" / "2026" / "t.txt", removed, 1.77e9).parent, 3,
                 Retention(keep_versions=0))  # fmt: skip
    # v1 and v2 lost their rows: the v2 → v3 change cannot be shown either
    assert revisions(home) == []
    refused = bpw(home, "sql", "select 1", "--as-of", "r1")
    assert refused.returncode == 2 and "retention policy" in refused.stderr
    # the current version is whole, and still answers as of its own run
    current = as_json(home, "sql", "select count(*) as n, sum(total_amount) as total "
                                   "from fact_project_budget", "--as-of", "r3")  # fmt: skip
    assert current == [{"n": 17, "total": str(Decimal("5400.65"))}]
