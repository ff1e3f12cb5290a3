"""Reloads are idempotent: the same bytes again change nothing; a new file for a
(year, department) replaces the old one in one step; a rejected new version leaves the
good one in place until a fixed file loads; every file's bytes stay in archive/.

Runs are the nightly flow's own body (tests/inline_flow.py), in this process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hostile_corpus import SAMPLE_DEPARTMENT, budget_text, total_off_text, write
from inline_flow import diff, run_nightly, warehouse_state
from rich.console import Console

from interface.render import print_summary
from warehouse.manifest import read_manifest

BPW = str(Path(sys.executable).with_name("bpw"))
T0 = 1_750_000_000.0
FILE = Path("2026") / f"{SAMPLE_DEPARTMENT}.txt"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def drop(home: Path, text: str, name: Path = FILE, mtime: float = T0) -> Path:
    """Put a table into the inbox, as a user or a nightly copy job would."""
    return write(home / "inbox" / name, text, mtime)


def run(home: Path, **parameters) -> dict:
    return run_nightly(home=str(home), **parameters)


def rows(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def lake_files(home: Path) -> set[str]:
    return {p.relative_to(home).as_posix() for p in (home / "lake").rglob("*.parquet")}


def versions(home: Path) -> list[tuple]:
    """(file_name, status, has superseded_at, superseded_by is set), by load order."""
    return rows(
        home,
        "select file_name, status, superseded_at is not null, superseded_by is not null "
        "from dim_source_file order by loaded_at, status",
    )


def department_total(home: Path) -> Decimal:
    return rows(home, "select sum(total_amount) from fact_project_budget")[0][0]


def test_the_same_bytes_again_change_nothing(home: Path, tmp_path: Path) -> None:
    drop(home, budget_text())
    first = run(home)
    assert len(first["loaded"]) == 1 and first["manifest_version"] == 1
    state, manifest, files = warehouse_state(home), read_manifest(home / "lake"), lake_files(home)
    archive = sorted((home / "archive").rglob("*"))

    again = run(home)  # the nightly sees the same inbox
    copy = tmp_path / "elsewhere" / "2026" / "另存为.txt"  # the same bytes, another name
    copy.parent.mkdir(parents=True)
    shutil.copy(home / "inbox" / FILE, copy)
    by_path = run(home, paths=[str(copy)])

    for summary in (again, by_path):
        assert (summary["files_new"], summary["files_unchanged"]) == (0, 1)
        assert summary["loaded"] == [] and summary["rejected"] == []
        assert summary["manifest_version"] is None  # nothing was published
    assert warehouse_state(home) == state, diff(warehouse_state(home), state)
    assert read_manifest(home / "lake") == manifest and lake_files(home) == files
    assert sorted((home / "archive").rglob("*")) == archive
    assert rows(home, "select count(*) from dim_source_file") == [(1,)]


def test_a_new_file_for_a_batch_replaces_the_old_one_in_one_step(home: Path) -> None:
    drop(home, budget_text())
    run(home)
    old_total = department_total(home)
    drop(home, budget_text(extra=Decimal(100)), mtime=T0 + 60)  # the same file, new bytes
    summary = run(home)
    assert [r["file_name"] for r in summary["loaded"]] == [FILE.name]
    assert summary["manifest_version"] == 2  # one switch
    assert department_total(home) == old_total + 100
    assert rows(home, "select count(*), count(distinct source_file_id) "
                "from fact_project_budget") == [(17, 1)]  # fmt: skip
    current = rows(home, "select source_file_id from dim_source_file where status = 'current'")
    assert rows(home, "select distinct source_file_id from fact_project_budget") == current
    assert versions(home) == [
        (FILE.name, "superseded", True, True),  # when, and by which file
        (FILE.name, "current", False, False),
    ]
    superseded_by = rows(
        home, "select superseded_by from dim_source_file where status = 'superseded'"
    )
    assert superseded_by == current


def test_a_rejected_new_version_leaves_the_good_one_until_a_fixed_file_loads(
    home: Path,
) -> None:
    drop(home, budget_text())
    run(home)
    facts = {v: s for v, s in warehouse_state(home).items() if v.startswith(("fact_", "dim_p"))}

    drop(home, total_off_text(), mtime=T0 + 60)  # a bad new version of the same file
    rejected = run(home)
    assert rejected["exit_status"] == 1 and rejected["loaded"] == []
    assert [(r["file_name"], r["rule"]) for r in rejected["rejected"]] == [
        (FILE.name, "declared_total_matches")
    ]
    after = warehouse_state(home)
    assert {v: after[v] for v in facts} == facts  # the good version still serves
    assert [v[:2] for v in versions(home)] == [(FILE.name, "current"), (FILE.name, "rejected")]
    status = bpw_status(home)
    assert f"{FILE.name}: declared_total_matches at row 7" in status

    drop(home, budget_text(extra=Decimal(1)), mtime=T0 + 120)  # the fixed file
    fixed = run(home)
    assert [r["file_name"] for r in fixed["loaded"]] == [FILE.name] and fixed["exit_status"] == 0
    assert department_total(home) == Decimal("5374.55")
    assert [v[:2] for v in versions(home)] == [
        (FILE.name, "superseded"), (FILE.name, "rejected"), (FILE.name, "current"),
    ]  # fmt: skip
    assert "declared_total_matches" not in bpw_status(home)


def bpw_status(home: Path) -> str:
    env = {**os.environ}
    env.pop("BPW_HOME", None)
    result = subprocess.run(
        [BPW, "--home", str(home), "status"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("Rejected files", 1)[1]


def test_two_files_for_one_batch_in_one_run_the_newest_wins(home: Path) -> None:
    drop(home, budget_text(extra=Decimal(7)), name=Path("2026") / "法院-终稿.txt", mtime=T0 + 60)
    drop(home, budget_text(extra=Decimal(3)), name=Path("2026") / "法院-初稿.txt", mtime=T0)
    summary = run(home)
    assert [r["file_name"] for r in summary["loaded"]] == ["法院-终稿.txt"]
    assert [r["file_name"] for r in summary["superseded_in_run"]] == ["法院-初稿.txt"]
    assert department_total(home) == Decimal("5380.55")  # 17 projects + 7
    by_name = {v[0]: v[1:] for v in versions(home)}
    assert by_name == {"法院-终稿.txt": ("current", False, False),
                       "法院-初稿.txt": ("superseded", True, True)}  # fmt: skip
    recorded = json.loads((home / "runs" / f"{summary['run_id']}.json").read_text("utf-8"))
    assert [r["file_name"] for r in recorded["superseded_in_run"]] == ["法院-初稿.txt"]
    printed = io.StringIO()
    print_summary(Console(file=printed, width=200), Console(file=io.StringIO()), summary)
    assert "superseded in this run by a newer file: 法院-初稿.txt" in printed.getvalue()


def test_every_ingested_file_is_archived_by_its_content_hash(home: Path) -> None:
    drop(home, budget_text())
    run(home)
    drop(home, budget_text(extra=Decimal(5)), mtime=T0 + 60)
    drop(home, total_off_text("越秀区财政局"), name=Path("2026") / "越秀区财政局.txt")
    run(home)
    recorded = rows(home, "select sha256, status, archive_path from dim_source_file")
    assert sorted(status for _, status, _ in recorded) == ["current", "rejected", "superseded"]
    for sha256, _, archive_path in recorded:
        archived = Path(archive_path)
        assert archived.is_relative_to(home / "archive")
        assert archived.name == f"{sha256}.txt"
        assert hashlib.sha256(archived.read_bytes()).hexdigest() == sha256
    assert len(list((home / "archive").rglob("*.txt"))) == 3
