"""`warehouse.duckdb`: a generated catalog of views over the lake, rebuilt and swapped whole.

The truth is the lake and its manifest. The catalog is built in a temp file beside the
target and `os.replace`d over it, so readers holding the old file keep their snapshot
and never block a publish. Views name Parquet files by absolute path.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.faults import checkpoint
from warehouse.fsio import fsync_file, remove, replace
from warehouse.glossary import LAKE_VIEWS, column_comment
from warehouse.manifest import table_files
from warehouse.schemas import ALL_TABLES
from warehouse.sqlfiles import load_sql, quote_ident, sql_string_literal

# Dependency order: dimensions, facts, then views built on them.
PUBLIC_VIEWS = (
    "dim_department",
    "dim_unit",
    "dim_project",
    "dim_indicator_category",
    "dim_source_file",
    "fact_project_budget",
    "fact_indicator_target",
    "v_department_yoy",
    "v_quality_finding",
)
TMP_MARK = ".tmp-"


def lake_view(table: str) -> str:
    return f"lake_{table}"


def _create_lake_view(con: duckdb.DuckDBPyConnection, lake: Path, table: str, files: list[str]):
    """`lake_<table>`: the manifest's files by absolute path, every column commented."""
    paths = ", ".join(sql_string_literal(str(lake / rel)) for rel in files)
    view = quote_ident(lake_view(table))
    con.execute(
        f"create view {view} as select * from read_parquet([{paths}], "
        "union_by_name = true, hive_partitioning = false)"
    )
    columns = con.execute(
        "select column_name from duckdb_columns() where table_name = ?", [lake_view(table)]
    ).fetchall()
    comments = [f"comment on view {view} is {sql_string_literal(LAKE_VIEWS[table])};"] + [
        f"comment on column {view}.{quote_ident(column)} is "
        f"{sql_string_literal(column_comment(column))};"
        for (column,) in columns
    ]
    con.execute("\n".join(comments))


def _populate(con: duckdb.DuckDBPyConnection, lake: Path, manifest: dict, now: datetime):
    for table in ALL_TABLES:
        files = table_files(manifest, table)
        if not files:
            raise ValueError(f"manifest lists no files for {table}")
        _create_lake_view(con, lake, table, files)
    for view in PUBLIC_VIEWS:
        con.execute(load_sql(view))
    con.execute(load_sql("bpw_catalog"))
    con.execute("insert into bpw_catalog values (?, ?, ?)", [manifest["version"], now, str(lake)])


def build_catalog(lake: Path, catalog: Path, manifest: dict) -> None:
    """Build the whole catalog in `<catalog>.tmp-<pid>`, then swap it in atomically."""
    lake = Path(lake).resolve()
    catalog = Path(catalog)
    tmp = catalog.with_name(f"{catalog.name}{TMP_MARK}{os.getpid()}")
    catalog.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        remove(leftover, "catalog temp delete")
    checkpoint("catalog write")
    con = duckdb.connect(str(tmp))
    try:
        con.execute("begin transaction")  # one commit, not one per comment
        _populate(con, lake, manifest, datetime.now())
        con.execute("commit")
    finally:
        con.close()
    fsync_file(tmp)
    # A WAL left by a crashed session of the old file would be replayed against the
    # new one (DuckDB refuses: "WAL does not match database file"); the catalog is
    # generated, so the stale log is dropped.
    remove(catalog.with_name(catalog.name + ".wal"), "catalog wal delete")
    replace(tmp, catalog, "catalog replace")


def catalog_state(catalog: Path) -> tuple[int, str] | None:
    """(manifest_version, lake_path) recorded in the catalog, or None if missing or unreadable."""
    if not Path(catalog).exists():
        return None
    try:
        con = duckdb.connect(str(catalog), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select manifest_version, lake_path from bpw_catalog").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return (int(row[0]), str(row[1])) if row else None


def is_current(lake: Path, catalog: Path, manifest: dict) -> bool:
    """Does the catalog describe this manifest version of this lake?"""
    state = catalog_state(catalog)
    return state == (manifest.get("version"), str(Path(lake).resolve()))
