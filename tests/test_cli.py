"""End to end through the `bpw` console script, as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE

BPW = str(Path(sys.executable).with_name("bpw"))


def bpw(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("BPW_HOME", None)
    return subprocess.run(
        [BPW, "--home", str(home), *args], capture_output=True, text=True, env=env, timeout=300
    )


def csv_of(home: Path, query: str) -> str:
    result = bpw(home, "sql", query, "--format", "csv")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    result = bpw(home, "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "17 projects, 71 indicators" in result.stdout
    assert "5373.55" in result.stdout
    return home


def test_demo_loads_the_real_table(demo_home: Path):
    assert csv_of(demo_home, "select count(*) as n, sum(total_amount) as total "
                  "from fact_project_budget") == "n,total\n17,5373.55\n"
    assert csv_of(demo_home, "select count(*) as n from fact_indicator_target") == "n\n71\n"


def test_the_data_home_has_its_documented_folders(demo_home: Path):
    for folder in ("inbox", "archive", "lake", "quarantine", "runs", "docs"):
        assert (demo_home / folder).is_dir()
    assert (demo_home / "warehouse.duckdb").is_file()
    assert list((demo_home / "runs").glob("*.json"))


def test_a_file_off_by_1000_is_rejected_with_one_clear_line_and_nothing_changes(
    demo_home: Path, tmp_path: Path
):
    before = csv_of(demo_home, "select * from fact_project_budget order by source_row")
    bad = tmp_path / "2026" / "广州互联网法院.txt"
    bad.parent.mkdir()
    bad.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(
            "合计\t5,373.54\t5,373.54", "合计\t6,373.54\t6,373.54"
        ),
        encoding="utf-8",
    )
    result = bpw(demo_home, "ingest", str(bad))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("rejected:")]
    assert len(lines) == 1
    assert "广州互联网法院.txt" in lines[0]
    assert "declared_total_matches" in lines[0]
    assert "row 7" in lines[0] and "6373.54" in lines[0]
    assert csv_of(demo_home, "select * from fact_project_budget order by source_row") == before
    reports = list((demo_home / "quarantine").glob("*/report.json"))
    assert len(reports) == 1


def test_validate_reports_and_writes_nothing(tmp_path: Path):
    home = tmp_path / "home"
    bad = tmp_path / "2026" / "x.txt"
    bad.parent.mkdir()
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace("572.90\t572.90", "-1\t-1"),
                   encoding="utf-8")
    shutil.copy(SAMPLE, tmp_path / "2026" / "good.txt")
    result = bpw(home, "validate", str(tmp_path / "2026"))
    assert result.returncode == 1
    assert "amounts_not_negative" in result.stderr and "row 9" in result.stderr
    assert "1 would load, 1 would be rejected" in result.stdout
    assert not home.exists()


def test_sql_refuses_writes(demo_home: Path):
    result = bpw(demo_home, "sql", "drop view fact_project_budget")
    assert result.returncode == 2
    assert "refused" in result.stderr


def test_a_missing_path_is_bad_usage(demo_home: Path, tmp_path: Path):
    result = bpw(demo_home, "ingest", str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_one_bad_file_in_the_inbox_is_rejected_alone_and_the_rest_loads(tmp_path: Path):
    """A data home under a folder named like a year; in its inbox, besides the real
    table: slides, a folder named like a table, a table with no year below the inbox,
    and the hidden and lock files spreadsheet programs leave (ignored)."""
    home = tmp_path / "2024" / "home"
    inbox = home / "inbox"
    (inbox / "2026").mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / "2026" / "广州互联网法院.txt")
    (inbox / "2026" / "说明.ppt").write_bytes(b"\xd0\xcf\x11\xe0")
    (inbox / "2026" / "坏.csv").mkdir()
    (inbox / "无年份.txt").write_text(
        SAMPLE.read_text(encoding="utf-8") + "\n注：无年份\n", encoding="utf-8"
    )
    (inbox / ".DS_Store").write_bytes(b"\x00\x00")
    (inbox / "2026" / "~$广州互联网法院.xlsx").write_bytes(b"\x00" * 162)

    result = bpw(home, "nightly")
    assert result.returncode == 1, result.stdout + result.stderr
    rejected = sorted(line for line in result.stderr.splitlines() if line.startswith("rejected:"))
    assert [line.split(":")[1].strip() for line in rejected] == ["坏.csv", "无年份.txt", "说明.ppt"]
    assert "坏.csv: unreadable" in rejected[0] and "坏.csv is a folder, not a file" in rejected[0]
    assert "无年份.txt: year" in rejected[1]
    assert "说明.ppt: format" in rejected[2] and "'.ppt'" in rejected[2]
    assert "DS_Store" not in result.stdout + result.stderr and "~$" not in result.stderr
    loaded = csv_of(home, "select count(*) as n, sum(total_amount) as total, min(year) as y0, "
                    "max(year) as y1 from fact_project_budget")  # fmt: skip
    assert loaded == "n,total,y0,y1\n17,5373.55,2026,2026\n"
