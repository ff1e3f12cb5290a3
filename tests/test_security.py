"""Security: `bpw sql` is read-only; data values never become SQL; file names and cell
text never become paths outside the data home.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hostile_corpus import budget_text, total_off_text, write
from inline_flow import run_nightly, warehouse_state

BPW = str(Path(sys.executable).with_name("bpw"))
QUOTED = "广州'; DROP TABLE fact_project_budget; --\"局\""
TRAVERSAL = "../../etc/cron.d/bpw"  # a 部门名称 that looks like a path


def bpw(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("BPW_HOME", None)
    return subprocess.run(
        [BPW, "--home", str(home), *args], capture_output=True, text=True, env=env, timeout=120
    )


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[Path]]:
    """A home loaded from hostile names: (root, home, every file the run created)."""
    root = tmp_path_factory.mktemp("security")
    home = root / "home" / "data"
    inbox = home / "inbox" / "2026"
    names = [  # file names are given as they are (the inbox walk skips dot files)
        write(inbox / "..\\..\\x.txt", budget_text(QUOTED)),  # backslashes: one odd name
        write(inbox / "..%2F..%2Fy.txt", budget_text(TRAVERSAL, extra=Decimal(1))),
        write(inbox / "..\\..\\坏.txt", total_off_text("../../../tmp/evil")),
        write(inbox / "换行\n名字.txt", total_off_text("换行局")),
    ]
    before = files_under(root)
    summary = run_nightly(home=str(home), paths=[str(p) for p in names])
    assert sorted(r["file_name"] for r in summary["loaded"]) == ["..%2F..%2Fy.txt", "..\\..\\x.txt"]
    assert len(summary["rejected"]) == 2
    return root, home, files_under(root) - before


def test_no_file_name_or_cell_text_becomes_a_path_outside_the_home(
    loaded: tuple[Path, Path, set[Path]],
) -> None:
    root, home, created = loaded
    assert created and all(p.is_relative_to(home) for p in created)
    for path in created:
        assert path.resolve().is_relative_to(home.resolve()), path
        assert "\n" not in str(path.relative_to(home)), path
    for folder in (home / "quarantine").iterdir():  # one level: <hash>-<safe name>/
        assert folder.parent == home / "quarantine" and not folder.name.startswith(".")
        assert all(p.parent == folder for p in folder.rglob("*"))
    for archived in (home / "archive").rglob("*.*"):  # <hash[:2]>/<hash>.<suffix>
        stem, suffix = archived.name.split(".", 1)
        assert len(stem) == 64 and suffix == "txt" and archived.parent.name == stem[:2]
    assert not (root / "x.txt").exists() and not (root / "home" / "坏.txt").exists()


def test_a_department_named_with_quotes_and_semicolons_loads_and_queries(
    loaded: tuple[Path, Path, set[Path]],
) -> None:
    _, home, _ = loaded
    state = warehouse_state(home)
    names = {row[1] for row in state["dim_department"][1]}
    assert names == {QUOTED, TRAVERSAL}
    # values are bound, never pasted: the quote in the filter is just a character
    result = bpw(home, "yoy", "--department", "'; DROP TABLE", "--format", "csv")
    assert result.returncode == 0, result.stderr
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["department_name"] == QUOTED and row["total_amount"] == "5373.55"
    assert bpw(home, "status").returncode == 0
    assert warehouse_state(home) == state


REFUSED = [
    "insert into lake_units select * from lake_units",
    "update lake_units set unit_name = 'x'",
    "delete from lake_units",
    "create table mine (a integer)",
    "drop view fact_project_budget",
    "attach '{tmp}/other.duckdb' as other",
    "copy (select * from dim_department) to '{tmp}/leak.csv'",
    "export database '{tmp}/dump'",
    "install httpfs",
    "load httpfs",
    "set threads = 1",
    "pragma enable_profiling",
    "checkpoint",
    "select 1; drop view dim_department",
]


@pytest.mark.parametrize("statement", REFUSED, ids=[s.split()[0] + str(i) for i, s in
                                                    enumerate(REFUSED)])  # fmt: skip
def test_bpw_sql_refuses_writes_and_ddl(
    loaded: tuple[Path, Path, set[Path]], tmp_path: Path, statement: str
) -> None:
    _, home, _ = loaded
    before = warehouse_state(home)
    result = bpw(home, "sql", statement.format(tmp=tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("bpw sql: refused: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one clear line, no trace
    assert list(tmp_path.iterdir()) == []  # nothing attached, copied or exported
    assert warehouse_state(home) == before


def test_a_write_smuggled_inside_a_select_fails_on_the_read_only_catalog(
    loaded: tuple[Path, Path, set[Path]],
) -> None:
    _, home, _ = loaded
    before = warehouse_state(home)
    result = bpw(home, "sql", "select * from query('drop view dim_department')")
    assert result.returncode == 2 and result.stderr.startswith("bpw sql: ")
    assert warehouse_state(home) == before
    reads = bpw(home, "sql", "select count(*) as n from fact_project_budget", "--format", "csv")
    assert (reads.returncode, reads.stdout) == (0, "n\n34\n")
