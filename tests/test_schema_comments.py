"""The catalog documents itself: every view, table and column carries a comment, and the
public schema matches a reviewed snapshot (tests/schema_snapshot.txt).

After an intended change of the public schema, rewrite the snapshot with
`.venv/bin/python tests/test_schema_comments.py --update` and review the diff.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest_warehouse import Home, Variant, frames_for  # noqa: E402

from warehouse.aliases import TEMPLATE  # noqa: E402
from warehouse.catalog import ALL_VIEWS, STAGING_VIEWS  # noqa: E402
from warehouse.glossary import COLUMNS, HOMONYMS  # noqa: E402
from warehouse.sqlfiles import SQL_DIR, dependencies, references  # noqa: E402

SNAPSHOT = Path(__file__).with_name("schema_snapshot.txt")
# lake_* follow the lake files, stg_* are the staging layer the public views select from:
# commented (and checked below), but not a contract, so not in the snapshot
INTERNAL_PREFIX = ("lake_", "stg_")


def build(root: Path, alias: bool) -> Home:
    """The sample published for 2025 (under an old name when `alias`) and 2026."""
    home = Home(root / "home")
    home.root.mkdir(parents=True)
    old = "广州互联网法院筹备组" if alias else "广州互联网法院"
    if alias:
        (home.root / "aliases.csv").write_text(f"{TEMPLATE}{old},广州互联网法院\n", "utf-8")
    home.publish(
        frames_for(root / "inbox", Variant(year=2025, department=old, tag="y25"), Variant())
    )
    return home


def objects(home: Home) -> list[tuple[str, str, str | None]]:
    """(name, kind, comment) of every view and table of the catalog."""
    return home.query(
        "select view_name, 'view', comment from duckdb_views() where not internal "
        "union all select table_name, 'table', comment from duckdb_tables() "
        "order by 1"
    )


def columns(home: Home) -> list[tuple[str, str, str, str | None]]:
    return home.query(
        "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where not internal order by table_name, column_index"
    )


def snapshot_text(home: Home) -> str:
    lines = [
        f"{table}.{column} {kind}"
        for table, column, kind, _ in columns(home)
        if not table.startswith(INTERNAL_PREFIX)
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "aliased"])
def home(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Home:
    return build(tmp_path_factory.mktemp("schema"), alias=request.param)


def test_every_view_table_and_column_has_a_comment(home: Home) -> None:
    found = objects(home)
    names = {name for name, _, _ in found}
    assert set(ALL_VIEWS) <= names
    for name, kind, comment in found:
        assert (comment or "").strip(), f"{kind} {name} has no comment"
    for table, column, _, comment in columns(home):
        assert (comment or "").strip(), f"{table}.{column} has no comment"


def test_amount_columns_name_their_unit(home: Home) -> None:
    for table, column, kind, comment in columns(home):
        if kind.startswith("DECIMAL") and not table.startswith(INTERNAL_PREFIX):
            assert "万元" in (comment or ""), f"{table}.{column}"
        if column.endswith("_pct") and not table.startswith(INTERNAL_PREFIX):
            assert "percent" in (comment or ""), f"{table}.{column}"


def test_the_public_schema_matches_the_snapshot(home: Home) -> None:
    assert snapshot_text(home) == SNAPSHOT.read_text(encoding="utf-8"), (
        "the public schema changed: review, then run "
        "`.venv/bin/python tests/test_schema_comments.py --update`"
    )


def test_the_aliased_catalog_merges_the_department(home: Home) -> None:
    departments = home.query("select department_name from dim_department")
    assert departments == [("广州互联网法院",)]
    years = home.query("select year, prev_total_amount is null from v_department_yoy order by 1")
    assert years == [(2025, True), (2026, False)]
    projects = home.scalar("select count(distinct project_id) from fact_project_budget")
    assert projects == home.scalar("select count(*) from dim_project") == 17


def test_a_column_is_described_by_its_one_glossary_entry_wherever_it_is_shown(
    home: Home,
) -> None:
    seen: dict[str, set[str]] = {}
    for table, column, _, comment in columns(home):
        if (table, column) in HOMONYMS:
            assert comment == HOMONYMS[(table, column)]
            continue
        if table.startswith("lake_") and column not in COLUMNS:
            continue  # a lake column the transforms added: the honest fallback
        assert column in COLUMNS, f"{table}.{column}: no entry in warehouse/glossary.py"
        assert (comment or "").startswith(COLUMNS[column]), f"{table}.{column}"
        seen.setdefault(column, set()).add(table)
    fiscal = {
        comment
        for table, column, _, comment in columns(home)
        if column == "fiscal_amount" and not table.startswith(INTERNAL_PREFIX)
    }
    assert len(fiscal) == 1, fiscal  # one 财政拨款, described once
    assert {"fact_project_budget", "v_project_yoy", "v_fund_source_mix"} <= seen["fiscal_amount"]
    for path in SQL_DIR.glob("*.sql"):  # comments come from the glossary, not the files
        assert "comment on column" not in path.read_text(encoding="utf-8"), path.name


def test_the_lake_is_read_only_through_staging() -> None:
    """lake_* views are read by the staging layer alone; staging reads nothing above it."""
    lake_views = {f"lake_{t}" for t in ("units", "projects", "indicators", "findings")}
    lake_views.add("lake_source_files")
    for view in ALL_VIEWS:
        sql = (SQL_DIR / f"{view}.sql").read_text(encoding="utf-8")
        assert not references(sql, lake_views), f"{view} reads a lake view: use stg_*"
    graph = dependencies()
    for view in STAGING_VIEWS:
        assert graph[view] <= set(STAGING_VIEWS), f"{view} selects from a layer above it"
        assert any(view in deps for deps in graph.values()), f"{view} is used by no view"


def test_the_sql_files_keep_the_house_style() -> None:
    from warehouse.sqlfiles import load_sql

    for view in ALL_VIEWS:
        sql = load_sql(view)
        assert sql.startswith("-- "), view
        assert f"create view {view} as\nwith " in sql, view
        assert "select * from final;" in sql, view
        assert f"comment on view {view} is" in sql, view
        code = re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"(?m)^--.*$", "", sql))
        assert code == code.lower(), f"{view}: SQL is lower-case (string literals aside)"


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: {sys.argv[0]} --update")
    with tempfile.TemporaryDirectory() as tmp:
        catalog = build(Path(tmp), alias=False)
        SNAPSHOT.write_text(snapshot_text(catalog), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
