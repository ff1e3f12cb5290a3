"""`warehouse.duckdb`: a generated catalog of views over the lake, rebuilt and swapped whole.

The truth is the lake and its manifest. The catalog is built in a temp file beside the
target and `os.replace`d over it, so readers holding the old file keep their snapshot
and never block a publish.

Views name Parquet files relative to the lake folder beside the database file
(`bpw_lake_dir()`, sql/bpw_lake_dir.sql), so a data home moved or copied whole still
answers, from any working directory, before the next run rebuilds its catalog.

Layers, each selecting only from the one below: `lake_*` (the manifest's files, built
here), `stg_*` (current rows, casts, once), `dim_*` / `fact_*`, then the `v_*` analysis
views; shared expressions are macros (sql/macros.sql). The build order follows from
what each view selects (`sqlfiles.build_order`); every column is commented from the
glossary (`warehouse.glossary`). A `v_*` view whose derived files the manifest lists,
still fresh (`warehouse.derived`), reads them instead of its sql/ definition, which a
publish computed them with (`reference_connection`, `warehouse.materialize`).

Department aliases (`aliases.csv` beside the catalog, see `warehouse.aliases`) are
applied in the first layer: the `lake_*` views re-key the rows of aliased departments,
so every view above them sees one department, and the same projects, across a rename.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from warehouse.aliases import DepartmentAlias, alias_file_for, alias_rows, id_remap, load_aliases
from warehouse.derived import BUCKETS, materialized
from warehouse.faults import checkpoint
from warehouse.fsio import fsync_file, remove, replace
from warehouse.glossary import LAKE_VIEWS, column_comment
from warehouse.manifest import table_files
from warehouse.schemas import ALL_TABLES, LATER_TABLES, SCHEMAS, SOURCE_FILES
from warehouse.sqlfiles import (
    build_order,
    load_sql,
    quote_ident,
    render_sql,
    sql_string_literal,
    view_files,
)

# The views DESIGN.md names as the public contract (dimensions, facts, the first two
# views); every other `dim_`/`fact_`/`v_` file is an analysis view. Build order is not
# this list's: it follows from what each view selects (`sqlfiles.build_order`).
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
STAGING_VIEWS = tuple(v for v in view_files() if v.startswith("stg_"))  # internal
ALL_VIEWS = tuple(v for v in view_files() if not v.startswith("stg_"))  # public
ANALYSIS_VIEWS = tuple(v for v in ALL_VIEWS if v not in PUBLIC_VIEWS)
TMP_MARK = ".tmp-"
AS_OF_RECORDED = "lake_source_files_recorded"  # as-of catalogs: the statuses as recorded now
DERIVED_REFERENCE = "reference.duckdb"  # the name reference catalogs pretend to have
# Id columns the alias mapping re-keys, with the kind of id each holds.
_ID_KINDS = {"department_id": "department", "unit_id": "unit", "project_id": "project"}


def lake_view(table: str) -> str:
    return f"lake_{table}"


def _lake_files(files: list[str]) -> str:
    """The lake files as the views name them: under `bpw_lake_dir()`, wherever the home is
    (one list, the folder prefixed by one lambda: cheaper to bind than a call per path)."""
    rels = ", ".join(sql_string_literal(rel) for rel in files)
    return f"list_transform([{rels}], lambda rel: bpw_lake_dir() || rel)"


def _lake_select(paths: str, table: str, remap: bool) -> str:
    """The lake view's query: the files as they are, or re-keyed through bpw_id_alias."""
    files = f"read_parquet({paths}, union_by_name = true, hive_partitioning = false)"
    columns = [c for c in _ID_KINDS if c in SCHEMAS[table]]
    if not remap or not columns:
        return f"select * from {files}"
    replaced = [f"coalesce(map_{c}.to_id, t.{c}) as {c}" for c in columns]
    if "project_id" in columns and "project_family" in SCHEMAS[table]:
        replaced.append(
            "coalesce(map_project_id.project_family, t.project_family) as project_family"
        )
    joins = " ".join(
        f"left join bpw_id_alias as map_{c} on map_{c}.kind = {sql_string_literal(_ID_KINDS[c])} "
        f"and map_{c}.from_id = t.{c}"
        for c in columns
    )
    return f"select t.* replace ({', '.join(replaced)}) from {files} as t {joins}"


def _no_rows(table: str) -> str:
    """A table an older lake lacks (`LATER_TABLES`): its columns, no rows."""
    columns = ", ".join(
        f"cast(null as {_sql_type(kind)}) as {quote_ident(name)}"
        for name, kind in SCHEMAS[table].items()
    )
    return f"select {columns} where false"


def _sql_type(kind: pl.DataType) -> str:
    """The DuckDB type of a lake schema column (for a column older files lack)."""
    if isinstance(kind, pl.Decimal):
        return f"decimal({kind.precision}, {kind.scale})"
    if isinstance(kind, pl.Datetime):
        return "timestamptz" if kind.time_zone else "timestamp"
    return _SQL_TYPES[kind if isinstance(kind, type) else type(kind)]


_SQL_TYPES = {
    pl.Boolean: "boolean", pl.Int32: "integer", pl.Int64: "bigint", pl.Float64: "double",
    pl.String: "varchar",
}  # fmt: skip


def _lake_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return _columns(con, lake_view(table))


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """A view's or table's column names (binding that one view, not every view of the
    catalog as a query on duckdb_columns() would)."""
    cursor = con.execute(f"select * from {quote_ident(name)} limit 0")
    return [column for column, *_ in cursor.description or []]


def _create_lake_view(
    con: duckdb.DuckDBPyConnection,
    table: str,
    files: list[str],
    remap: bool = False,
    reference: bool = False,
) -> None:
    """`lake_<table>`: the manifest's files under `bpw_lake_dir()`, every column commented.

    A schema column that none of the files has yet (written before the column existed)
    is there as NULL, so the views above read old and new lakes alike. A `reference`
    connection's lake views (`reference_connection`) hold only the rows of the department
    buckets the variable `bpw_buckets` lists, when set, and are not commented."""
    paths = _lake_files(files)
    view = quote_ident(lake_view(table))
    query = _lake_select(paths, table, remap) if files else _no_rows(table)
    con.execute(f"create or replace view {view} as {query}")
    present = set(_lake_columns(con, table))
    missing = [
        f"cast(null as {_sql_type(kind)}) as {quote_ident(name)}"
        for name, kind in SCHEMAS[table].items()
        if name not in present
    ]
    if missing:
        query = f"select *, {', '.join(missing)} from ({query}) as lake"
        con.execute(f"create or replace view {view} as {query}")
    if reference:
        query = (
            f"select * from ({query}) as lake where getvariable('bpw_buckets') is null "
            f"or list_contains(getvariable('bpw_buckets'), bpw_bucket(department_id, {BUCKETS}))"
        )
        con.execute(f"create or replace view {view} as {query}")
        return
    con.execute(f"comment on view {view} is {sql_string_literal(LAKE_VIEWS[table])}")
    _comment_columns(con, lake_view(table))


def _comment_columns(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Comment every column of a view or table from the glossary (one entry per column)."""
    con.execute(
        "\n".join(
            f"comment on column {quote_ident(name)}.{quote_ident(column)} is "
            f"{sql_string_literal(column_comment(column, name))};"
            for column in _columns(con, name)
        )
    )


def _create(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Run a view's or table's .sql file (create + its own comment), then comment its columns."""
    con.execute(load_sql(name))
    _comment_columns(con, name)


def _create_materialized(con: duckdb.DuckDBPyConnection, view: str, files: list[str]) -> None:
    """A `v_*` view over its derived files (`warehouse.derived`): the same name, columns
    and comments as its reference definition in sql/, whose rows the files hold."""
    source = f"read_parquet({_lake_files(files)}, hive_partitioning = false)"
    con.execute(f"create view {quote_ident(view)} as select * from {source}")
    con.execute("comment on " + load_sql(view).split("\ncomment on ", 1)[1])
    _comment_columns(con, view)


def _create_alias_tables(
    con: duckdb.DuckDBPyConnection, aliases: list[DepartmentAlias]
) -> list[tuple]:
    """bpw_department_alias (the file as applied) and bpw_id_alias (lake id → canonical)."""
    _create(con, "bpw_department_alias")
    _create(con, "bpw_id_alias")
    rows = alias_rows(aliases)
    if rows:
        con.executemany("insert into bpw_department_alias values (?, ?, ?, ?)", rows)
    remap = id_remap(con, aliases)
    if remap:
        con.executemany("insert into bpw_id_alias values (?, ?, ?, ?)", remap)
    return remap


def _create_macros(con: duckdb.DuckDBPyConnection, lake: Path, catalog: Path) -> None:
    """The shared macros, and `bpw_lake_dir()`: the lake beside the database file when the
    lake is the data home's (`<home>/lake` beside `<home>/warehouse.duckdb`), else (an
    as-of catalog in a temporary folder) the lake where it is."""
    con.execute(load_sql("macros"))
    con.execute(load_sql("bpw_bucket"))
    beside = catalog.resolve().parent / "lake" == lake
    con.execute(
        render_sql(
            "bpw_lake_dir",
            catalog_tmp=f"{catalog.name}.tmp" if beside else None,
            built_lake=f"{lake}/",
        )
    )


def _populate(
    con: duckdb.DuckDBPyConnection,
    lake: Path,
    catalog: Path,
    manifest: dict,
    aliases: list[DepartmentAlias],
    as_of: AsOfMoment | None = None,
) -> None:
    _create_lake_views(con, lake, catalog, manifest, aliases)
    if as_of is not None:
        _restate_as_of(con, as_of)
    # the derived tables describe the current version: an as-of catalog computes
    derived = materialized(manifest, alias_rows(aliases)) if as_of is None else {}
    for view in build_order():
        if view in derived:
            _create_materialized(con, view, derived[view])
        else:
            _create(con, view)
    _create(con, "bpw_catalog")
    version = manifest["version"] if as_of is None else as_of.version
    built = datetime.now(UTC)
    con.execute("insert into bpw_catalog values (?, ?, ?)", [version, built, str(lake)])


def _create_lake_views(
    con: duckdb.DuckDBPyConnection,
    lake: Path,
    catalog: Path,
    manifest: dict,
    aliases: list[DepartmentAlias],
    reference: bool = False,
) -> None:
    """The macros, the alias tables and a `lake_*` view per table of the manifest."""
    _create_macros(con, lake, catalog)
    tables = {table: table_files(manifest, table) for table in ALL_TABLES}
    for table, files in tables.items():
        if not files and table not in LATER_TABLES:
            raise ValueError(f"manifest lists no files for {table}")
        _create_lake_view(con, table, files, reference=reference)
    if _create_alias_tables(con, aliases):  # an aliased name is loaded: re-key its rows
        for table, files in tables.items():
            _create_lake_view(con, table, files, remap=True, reference=reference)


def reference_connection(
    lake: Path, manifest: dict, aliases: list[DepartmentAlias]
) -> duckdb.DuckDBPyConnection:
    """An in-memory catalog of the reference definitions (every view computed from the
    lake, as sql/ defines it) over `manifest`'s files, uncommented: what a publish
    computes the derived tables with. `set variable bpw_buckets = [n, …]` restricts the
    lake to those department buckets; unset (NULL), the lake is whole."""
    lake = Path(lake).resolve()
    con = duckdb.connect()
    try:
        con.execute("set variable bpw_buckets = null")
        # a catalog path not beside the lake: bpw_lake_dir() is the lake where it is
        _create_lake_views(con, lake, lake / DERIVED_REFERENCE, manifest, aliases, True)
        for view in build_order():
            con.execute(load_sql(view))
    except BaseException:
        con.close()
        raise
    return con


@dataclass(frozen=True)
class AsOfMoment:
    """A published manifest an as-of catalog shows: its version, run and time."""

    version: int
    run_id: str
    published_at: datetime  # aware (UTC)


def _restate_as_of(con: duckdb.DuckDBPyConnection, as_of: AsOfMoment) -> None:
    """Every view above `lake_source_files` sees the file versions as they were then: the
    lake keeps superseded versions' rows, so the statuses are all that differ."""
    con.execute(f"alter view {lake_view(SOURCE_FILES)} rename to {AS_OF_RECORDED}")
    con.execute(
        f"comment on view {AS_OF_RECORDED} is "
        f"{sql_string_literal(LAKE_VIEWS[SOURCE_FILES] + ' (as recorded now)')}"
    )
    _create(con, "bpw_as_of")
    con.execute(
        "insert into bpw_as_of values (?, ?, ?)", [as_of.version, as_of.run_id, as_of.published_at]
    )
    con.execute(load_sql("lake_source_files_as_of"))
    _comment_columns(con, lake_view(SOURCE_FILES))


def build_catalog(
    lake: Path,
    catalog: Path,
    manifest: dict,
    aliases_file: Path | None = None,
    as_of: AsOfMoment | None = None,
) -> None:
    """Build the whole catalog in `<catalog>.tmp-<pid>`, then swap it in atomically.

    `aliases_file` defaults to `aliases.csv` beside the catalog; a malformed file raises
    AliasError before anything is written. With `as_of`, the catalog shows the warehouse
    as it was when that manifest was published (over `manifest`'s files: the current
    lake, which keeps the superseded versions' rows).
    """
    lake = Path(lake).resolve()
    catalog = Path(catalog)
    aliases = load_aliases(aliases_file or alias_file_for(catalog))
    tmp = catalog.with_name(f"{catalog.name}{TMP_MARK}{os.getpid()}")
    catalog.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        remove(leftover, "catalog temp delete")
    checkpoint("catalog write")
    con = duckdb.connect(str(tmp))
    try:
        con.execute("begin transaction")  # one commit, not one per comment
        _populate(con, lake, catalog, manifest, aliases, as_of)
        con.execute("commit")
    finally:
        con.close()
    fsync_file(tmp)
    # A WAL left by a crashed session of the old file would be replayed against the
    # new one (DuckDB refuses: "WAL does not match database file"); the catalog is
    # generated, so the stale log is dropped.
    remove(catalog.with_name(catalog.name + ".wal"), "catalog wal delete")
    replace(tmp, catalog, "catalog replace")


def _read_catalog(catalog: Path, sql: str) -> list[tuple] | None:
    """Rows of a query on the catalog, or None if it is missing, unreadable or older."""
    if not Path(catalog).exists():
        return None
    try:
        con = duckdb.connect(str(catalog), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def catalog_state(catalog: Path) -> tuple[int, str] | None:
    """(manifest_version, lake_path) recorded in the catalog, or None if missing or unreadable."""
    rows = _read_catalog(catalog, "select manifest_version, lake_path from bpw_catalog")
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def applied_aliases(catalog: Path) -> list[tuple] | None:
    """The alias rows the catalog applies, or None if missing, unreadable or older."""
    return _read_catalog(
        catalog,
        "select alias_name, canonical_name, alias_department_id, department_id "
        "from bpw_department_alias order by all",
    )


def is_current(lake: Path, catalog: Path, manifest: dict) -> bool:
    """Does the catalog describe this manifest version of this lake, with today's aliases?"""
    state = catalog_state(catalog)
    if state != (manifest.get("version"), str(Path(lake).resolve())):
        return False
    return applied_aliases(catalog) == alias_rows(load_aliases(alias_file_for(catalog)))
