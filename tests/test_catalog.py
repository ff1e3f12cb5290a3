"""The generated catalog: contract views, comments, snapshots, YoY, read-only queries."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest_warehouse import SAMPLE_PROJECTS, SAMPLE_TOTAL, Home, Variant, frames_for

from warehouse.catalog import ANALYSIS_VIEWS, PUBLIC_VIEWS, catalog_state
from warehouse.lake import read_manifest, rebuild_catalog_if_stale
from warehouse.query import QueryRefused, check_readonly, format_value, run_readonly
from warehouse.sqlfiles import load_sql, quote_ident, sql_string_literal

CONTRACT = {
    "dim_department": ["department_id", "department_name"],
    "dim_unit": ["unit_id", "department_id", "unit_name"],
    "dim_project": ["project_id", "department_id", "project_name", "project_family"],
    "dim_indicator_category": ["category_code", "level1_code", "level1_name", "level2_name"],
    "dim_source_file": [
        "source_file_id", "file_name", "sha256", "year", "department_id", "status",
        "loaded_at", "declared_total_amount",
    ],
    "fact_project_budget": [
        "year", "department_id", "unit_id", "project_id", "total_amount", "fiscal_amount",
        "special_account_amount", "other_amount", "performance_goal", "source_file_id",
        "source_row",
    ],
    "fact_indicator_target": [
        "year", "department_id", "unit_id", "project_id", "indicator_seq", "category_code",
        "indicator_name", "period_target_text", "period_target_op", "period_target_value",
        "period_target_unit", "annual_target_text", "annual_target_op", "annual_target_value",
        "annual_target_unit", "source_file_id", "source_row",
    ],
    "v_department_yoy": [
        "department_name", "year", "total_amount", "prev_total_amount", "yoy_change", "yoy_pct",
        "n_projects", "n_indicators",
    ],
    "v_quality_finding": [
        "file_name", "year", "department_name", "rule", "severity", "source_row", "column",
        "value", "message",
    ],
}  # fmt: skip
AMOUNTS = ("total_amount", "fiscal_amount", "special_account_amount", "other_amount")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """One published sample, shared by the read-only tests of this module."""
    root = tmp_path_factory.mktemp("catalog")
    home = Home(root / "home")
    home.publish(frames_for(root / "inbox", Variant()))
    return home


def columns_of(home: Home, view: str) -> list[tuple[str, str, str | None]]:
    return home.query(
        "select column_name, data_type, comment from duckdb_columns() "
        "where table_name = ? order by column_index",
        [view],
    )


def test_public_views_have_the_contract_columns(loaded: Home) -> None:
    assert set(PUBLIC_VIEWS) == set(CONTRACT)
    for view, expected in CONTRACT.items():
        names = [name for name, _, _ in columns_of(loaded, view)]
        assert names[: len(expected)] == expected, view
        if not view.startswith("dim_source_file"):
            assert names == expected, view


def test_every_view_and_column_has_a_comment(loaded: Home) -> None:
    views = dict(loaded.query("select view_name, comment from duckdb_views() where not internal"))
    lake_views = [f"lake_{t}" for t in ("units", "projects", "indicators", "findings")]
    for view in [*PUBLIC_VIEWS, *lake_views, "lake_source_files"]:
        assert (views.get(view) or "").strip(), view
        for name, _, comment in columns_of(loaded, view):
            assert (comment or "").strip(), f"{view}.{name}"
    assert (
        "万元"
        in dict((n, c) for n, _, c in columns_of(loaded, "fact_project_budget"))["total_amount"]
    )


def test_amounts_are_exact_decimals_and_years_integers(loaded: Home) -> None:
    for view in ("fact_project_budget", "v_department_yoy", "dim_source_file"):
        types = {name: kind for name, kind, _ in columns_of(loaded, view)}
        assert types["year"] == "INTEGER", view
        for name in (*AMOUNTS, "prev_total_amount", "yoy_change", "declared_total_amount"):
            if name in types:
                assert types[name] == "DECIMAL(18,6)", f"{view}.{name}"
    total = loaded.scalar("select sum(total_amount) from fact_project_budget")
    assert isinstance(total, Decimal) and total == SAMPLE_TOTAL


def test_dimensions(loaded: Home) -> None:
    assert loaded.query("select department_name from dim_department") == [("广州互联网法院",)]
    categories = loaded.query("select category_code, level2_name from dim_indicator_category")
    assert len(categories) == 9 and ("31", "服务对象满意度指标") in categories
    assert loaded.scalar("select count(*) from dim_project") == SAMPLE_PROJECTS
    assert loaded.scalar("select count(*) - count(distinct project_id) from dim_project") == 0
    assert loaded.scalar("select count(*) from dim_unit") >= 1
    orphans = loaded.scalar(
        "select count(*) from fact_indicator_target f "
        "left join dim_indicator_category c using (category_code) where c.level1_code is null"
    )
    assert orphans == 0


def test_views_find_the_lake_beside_the_database_file(loaded: Home) -> None:
    sql = loaded.scalar("select sql from duckdb_views() where view_name = 'lake_projects'")
    assert str(loaded.lake.resolve()) not in sql and "bpw_lake_dir()" in sql
    assert loaded.scalar("select bpw_lake_dir()") == f"{loaded.lake.resolve()}/"
    assert catalog_state(loaded.catalog) == (1, str(loaded.lake.resolve()))


def every_view(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    views = [*PUBLIC_VIEWS, *ANALYSIS_VIEWS]
    return {v: sorted(con.execute(f"select * from {v}").fetchall(), key=repr) for v in views}


def test_a_moved_data_home_answers_the_same_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Home(tmp_path / "home")
    inbox = tmp_path / "inbox"
    home.publish(frames_for(inbox, Variant(year=2025, tag="y25"), Variant()))
    home.publish(frames_for(inbox, Variant(extra=Decimal(3), tag="v2")))  # a revision
    with duckdb.connect(str(home.catalog), read_only=True) as con:
        before = every_view(con)
    assert before["v_revision_change"] and before["v_department_yoy"]
    moved = tmp_path / "elsewhere" / "moved-home"
    moved.parent.mkdir()
    shutil.move(home.root, moved)
    assert not home.root.exists()
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    with duckdb.connect(str(moved / "warehouse.duckdb"), read_only=True) as con:
        assert every_view(con) == before
        assert con.execute("select bpw_lake_dir()").fetchone() == (f"{moved}/lake/",)
    monkeypatch.chdir(moved.parent)  # a relative path to the file works as well
    with duckdb.connect("moved-home/warehouse.duckdb", read_only=True) as con:
        assert every_view(con) == before
    _, rows = run_readonly(moved / "warehouse.duckdb", "select count(*) from fact_project_budget")
    assert rows == [(SAMPLE_PROJECTS * 2,)]


def test_an_open_reader_keeps_its_snapshot_and_never_blocks_publish(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path / "home")
    home.publish(frames_for(tmp_path / "inbox", Variant()))
    reader = duckdb.connect(str(home.catalog), read_only=True)
    try:
        before = reader.execute("select sum(total_amount) from fact_project_budget").fetchone()
        # a replacing publish: the reader's catalog still lists the previous generation's
        # files, which garbage collection keeps
        home.publish(frames_for(tmp_path / "inbox", Variant(extra=Decimal(10), tag="v2")))
        after = reader.execute("select sum(total_amount) from fact_project_budget").fetchone()
        assert before == after == (SAMPLE_TOTAL,)
        assert reader.execute("select manifest_version from bpw_catalog").fetchone() == (1,)
    finally:
        reader.close()
    assert home.scalar("select sum(total_amount) from fact_project_budget") == SAMPLE_TOTAL + 10
    assert home.scalar("select manifest_version from bpw_catalog") == 2


def test_department_yoy(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    inbox = tmp_path / "inbox"
    home.publish(
        frames_for(
            inbox,
            Variant(year=2024, tag="y24"),
            Variant(year=2025, extra=Decimal("-72.90"), tag="y25"),
            Variant(year=2026, department="广州海事法院", tag="other"),
        )
    )
    rows = home.query(
        "select department_name, year, total_amount, prev_total_amount, yoy_change, yoy_pct, "
        "n_projects, n_indicators from v_department_yoy order by department_name, year"
    )
    first, second, other = sorted(rows, key=lambda r: (r[0] != "广州互联网法院", r[1]))
    assert first[1:6] == (2024, SAMPLE_TOTAL, None, None, None)
    assert first[6:] == (SAMPLE_PROJECTS, 71)
    assert second[1:5] == (2025, SAMPLE_TOTAL - Decimal("72.90"), SAMPLE_TOTAL, Decimal("-72.90"))
    assert second[5] == pytest.approx(-72.90 / 5373.55 * 100)
    assert other[:2] == ("广州海事法院", 2026) and other[3:6] == (None, None, None)
    home.publish(frames_for(inbox, Variant(year=2027, tag="y27")))  # a gap: no 2026 data
    gap = home.query(
        "select prev_total_amount, yoy_pct from v_department_yoy "
        "where department_name = '广州互联网法院' and year = 2027"
    )
    assert gap == [(None, None)]


def test_rebuild_catalog_if_stale_heals_missing_corrupt_and_old_catalogs(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    assert rebuild_catalog_if_stale(home.lake, home.catalog) is False  # nothing published
    home.publish(frames_for(tmp_path / "inbox", Variant()))
    assert rebuild_catalog_if_stale(home.lake, home.catalog) is False
    old_catalog = tmp_path / "v1.duckdb"
    shutil.copy(home.catalog, old_catalog)
    home.publish(frames_for(tmp_path / "inbox", Variant(extra=Decimal(1), tag="v2")))
    shutil.copy(old_catalog, home.catalog)  # as if the run died between the two swaps
    assert rebuild_catalog_if_stale(home.lake, home.catalog) is True
    assert catalog_state(home.catalog) == (read_manifest(home.lake)["version"], str(home.lake))
    home.catalog.write_bytes(b"not a database")
    assert rebuild_catalog_if_stale(home.lake, home.catalog) is True
    home.catalog.unlink()
    assert rebuild_catalog_if_stale(home.lake, home.catalog) is True
    home.catalog.with_name("warehouse.duckdb.wal").write_bytes(b"stale wal of an old file")
    home.catalog.write_bytes(b"")
    assert rebuild_catalog_if_stale(home.lake, home.catalog) is True
    assert home.scalar("select sum(total_amount) from fact_project_budget") == SAMPLE_TOTAL + 1


@pytest.mark.parametrize(
    "sql",
    [
        "select count(*) from fact_project_budget",
        "with t as (select 1 as a) select * from t",
        "from dim_department",
        "describe fact_project_budget",
        "show tables",
        "summarize dim_indicator_category",
        "explain select * from dim_project",
        "pragma table_info('dim_project')",
    ],
)
def test_run_readonly_allows_reads(loaded: Home, sql: str) -> None:
    columns, rows = run_readonly(loaded.catalog, sql)
    assert columns and rows


@pytest.mark.parametrize(
    "sql",
    [
        "insert into bpw_catalog values (1, now(), 'x')",
        "create table t as select 1",
        "attach 'other.duckdb' as other",
        "copy fact_project_budget to 'out.csv'",
        "set threads = 1",
        "drop view dim_project",
        "install httpfs",
        "load httpfs",
        "update bpw_catalog set manifest_version = 9",
        "delete from bpw_catalog",
        "alter view dim_project rename to x",
        "export database 'out'",
        "pragma enable_profiling",
        "explain analyze create table t as select 1",
        "select 1; drop view dim_project",
        "",
    ],
)
def test_run_readonly_refuses_everything_else(loaded: Home, sql: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        run_readonly(loaded.catalog, sql)
    assert refused.value.reason
    assert loaded.scalar("select count(*) from dim_project") == SAMPLE_PROJECTS


def test_a_write_hidden_in_a_select_fails_on_the_read_only_connection(loaded: Home) -> None:
    check_readonly("select current_setting('threads')")
    with pytest.raises(duckdb.Error):
        run_readonly(loaded.catalog, "select * from query('create table t as select 1')")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("5373.550000"), "5373.55"),
        (Decimal("0.123456"), "0.123456"),
        (Decimal("5373.000000"), "5373.00"),
        (Decimal("-72.900000"), "-72.90"),
        (Decimal("12"), "12"),
        (None, ""),
        (17, "17"),
        ("文本", "文本"),
    ],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text


def test_sql_helpers() -> None:
    assert quote_ident('a"b') == '"a""b"'
    assert sql_string_literal("it's") == "'it''s'"
    for view in PUBLIC_VIEWS:
        sql = load_sql(view)
        assert f"create view {view} as" in sql and "select * from final;" in sql
        code = re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"(?m)^--.*$", "", sql))
        assert code == code.lower(), view  # lower-case SQL (string literals aside)
        assert code.count("create view") == 1, view


def test_run_readonly_on_a_missing_catalog_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no warehouse yet"):
        run_readonly(tmp_path / "warehouse.duckdb", "select 1")


def test_the_warehouse_imports_neither_prefect_nor_great_expectations() -> None:
    code = (
        "import sys, warehouse.query; quick = set(sys.modules); import warehouse.lake; "
        "assert 'polars' not in quick, 'query.py must start fast'; "
        "assert not {m.split('.')[0] for m in sys.modules} & {'prefect', 'great_expectations'}"
    )
    root = Path(__file__).parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
