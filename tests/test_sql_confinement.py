"""`bpw sql` is confined inside DuckDB itself, not only by its statement filter: a SELECT
that reads, lists or sniffs a file outside the data home's lake fails with one line and
exit 2, while every view of the catalog still answers, and the read commands that use
the same connection (yoy, status, report) still work.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from inline_flow import public_views, run_nightly

from warehouse.catalog import ALL_VIEWS
from warehouse.query import confined_connection

BPW = str(Path(sys.executable).with_name("bpw"))
SAMPLE = Path(__file__).parent / "fixtures" / "2026" / "广州互联网法院.txt"
SECRET = "bpw-confinement-secret-4f1c"  # in every file outside the lake


def bpw(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("BPW_HOME", None)
    return subprocess.run(
        [BPW, "--home", str(home), *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`home/` (the real 2026 sample loaded), `outside/` beside it, and files that only
    the lake's neighbours hold: a folder whose name starts like the lake's, the inbox."""
    root = tmp_path_factory.mktemp("confinement")
    home = root / "home"
    (home / "inbox" / "2026").mkdir(parents=True)
    shutil.copy2(SAMPLE, home / "inbox" / "2026" / SAMPLE.name)
    summary = run_nightly(home=str(home))
    assert summary["exit_status"] == 0 and len(summary["loaded"]) == 1, summary
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\n")
    (outside / "data.csv").write_text(f"a,b\n1,{SECRET}\n")
    (outside / "data.json").write_text(json.dumps([{"a": 1, "b": SECRET}]))
    con = duckdb.connect()
    con.execute(f"copy (select 1 as a, '{SECRET}' as b) to '{outside / 'data.parquet'}'")
    con.close()
    (home / "lakeside").mkdir()  # shares the lake's prefix: not inside it
    (home / "lakeside" / "data.csv").write_text(f"a,b\n1,{SECRET}\n")
    (home / "inbox" / "note.csv").write_text(f"a,b\n1,{SECRET}\n")  # in the home, not the lake
    return root


def probes(root: Path) -> dict[str, str]:
    """Each reads something outside the lake; each succeeds in an unconfined DuckDB."""
    out, home = root / "outside", root / "home"
    return {
        "read_text /etc/passwd": "select * from read_text('/etc/passwd')",
        "read_blob /etc/passwd": "select * from read_blob('/etc/passwd')",
        "sniff_csv /etc/passwd": "select * from sniff_csv('/etc/passwd')",
        "glob /etc": "select * from glob('/etc/*')",
        "read_text": f"select * from read_text('{out / 'secret.txt'}')",
        "read_blob": f"select * from read_blob('{out / 'secret.txt'}')",
        "read_csv": f"select * from read_csv('{out / 'data.csv'}')",
        "read_csv_auto": f"select * from read_csv_auto('{out / 'data.csv'}')",
        "read_json": f"select * from read_json('{out / 'data.json'}')",
        "read_parquet": f"select * from read_parquet('{out / 'data.parquet'}')",
        "sniff_csv": f"select * from sniff_csv('{out / 'data.csv'}')",
        "glob": f"select * from glob('{out}/*')",
        "glob recursive": f"select * from glob('{root}/**')",
        "from 'file'": f"select * from '{out / 'data.csv'}'",
        "out by ..": f"select * from read_text('{home}/lake/../../outside/secret.txt')",
        "a folder named like the lake": f"select * from read_csv('{home}/lakeside/data.csv')",
        "the home outside the lake": f"select * from read_csv('{home / 'inbox' / 'note.csv'}')",
    }  # fmt: skip


PROBES = list(probes(Path("/x")))


@pytest.mark.parametrize("name", PROBES)
def test_a_read_outside_the_lake_fails_with_one_line(root: Path, name: str) -> None:
    query = probes(root)[name]
    unconfined = duckdb.connect()  # the probe is real: plain DuckDB answers it
    assert unconfined.execute(query).fetchall()
    unconfined.close()
    result = bpw(root / "home", "sql", query, "--format", "csv")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("bpw sql: refused: cannot read "), result.stderr
    assert "only the warehouse and its lake" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # no traceback
    assert result.stdout == ""
    assert SECRET not in result.stderr and "root:" not in result.stderr


def test_every_view_of_the_catalog_still_answers(root: Path) -> None:
    home = root / "home"
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        views = public_views(con)
        expected = {v: con.execute(f'select count(*) from "{v}"').fetchone()[0] for v in views}
    finally:
        con.close()
    assert set(ALL_VIEWS) <= set(views)
    assert expected["fact_project_budget"] == 17 and expected["fact_indicator_target"] == 71
    # one `bpw sql` reads every view through the confined connection (not a process each)
    query = " union all ".join(
        f"select '{view}' as view_name, count(*) as n from {view}" for view in views
    )
    result = bpw(home, "sql", f"{query} order by view_name", "--format", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "view_name,n"
    assert dict(line.split(",") for line in lines[1:]) == {v: str(n) for v, n in expected.items()}


def test_the_lake_itself_stays_readable(root: Path) -> None:
    home = root / "home"
    result = bpw(home, "sql", f"select count(*) > 0 as any from glob('{home}/lake/**/*.parquet')")
    assert result.returncode == 0, result.stderr
    assert "true" in result.stdout


def test_the_read_commands_still_work(root: Path) -> None:
    home = root / "home"
    yoy = bpw(home, "yoy", "--format", "csv")
    assert yoy.returncode == 0, yoy.stderr
    assert "广州互联网法院,2026,5373.55" in yoy.stdout
    status = bpw(home, "status")
    assert status.returncode == 0, status.stderr
    assert "5373.55" in status.stdout
    report = root / "report.html"
    written = bpw(home, "report", "--out", str(report))
    assert written.returncode == 0, written.stderr
    assert "广州互联网法院" in report.read_text(encoding="utf-8")


def test_the_confinement_holds_without_the_statement_filter(root: Path, tmp_path: Path) -> None:
    """The connection bpw sql uses refuses, by itself, what the filter also refuses."""
    con = confined_connection(root / "home" / "warehouse.duckdb")
    try:
        assert con.execute("select count(*) from fact_project_budget").fetchone() == (17,)
        for statement in (
            f"attach '{tmp_path / 'other.duckdb'}' as other",
            f"copy (select 1) to '{tmp_path / 'leak.csv'}'",
            f"export database '{tmp_path / 'dump'}'",
            "install httpfs",
            "load httpfs",
            f"select * from read_text('{root / 'outside' / 'secret.txt'}')",
        ):
            with pytest.raises(duckdb.PermissionException):
                con.execute(statement)
        for statement in (
            "set enable_external_access = true",
            "set allowed_directories = ['/']",
            "reset allowed_directories",
            "set lock_configuration = false",
            "set autoload_known_extensions = true",
        ):
            with pytest.raises(duckdb.InvalidInputException, match="locked"):
                con.execute(statement)
        assert con.execute("select current_setting('enable_external_access')").fetchone() == (
            False,
        )
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "statement",
    [
        "attach '{tmp}/other.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "copy (select 1) to '{home}/lake/leak.csv'",  # inside the lake: the filter stops it
        "set enable_external_access = true",
    ],
    ids=["attach", "install", "load", "copy", "set"],
)
def test_bpw_sql_still_refuses_attach_install_load_copy_set(
    root: Path, tmp_path: Path, statement: str
) -> None:
    home = root / "home"
    result = bpw(home, "sql", statement.format(tmp=tmp_path, home=home))
    assert result.returncode == 2
    assert result.stderr.startswith("bpw sql: refused: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [] and not (home / "lake" / "leak.csv").exists()


def test_a_copied_data_home_reads_its_own_lake(root: Path, tmp_path: Path) -> None:
    """A copied data home answers at once, confined to the copy: its catalog finds the
    lake beside itself, not the original's (changed in the copy, the copy's answer
    changes; the original's stays)."""
    copy = tmp_path / "copy"
    shutil.copytree(root / "home", copy, symlinks=True)
    query = "select count(*) as n from fact_project_budget"
    result = bpw(copy, "sql", query, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "n\n17\n"
    for parquet in (copy / "lake" / "projects").rglob("*.parquet"):
        parquet.unlink()  # the copy's project rows are gone: only the copy notices
    broken = bpw(copy, "sql", query, "--format", "csv")
    assert broken.returncode != 0 and str(copy / "lake") in broken.stderr
    assert bpw(root / "home", "sql", query, "--format", "csv").stdout == "n\n17\n"
