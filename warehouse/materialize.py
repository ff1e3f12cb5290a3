"""Compute the derived tables of a publish (what they are: `warehouse.derived`).

The views are computed by their reference definitions (sql/v_*.sql) in an in-memory
DuckDB over the new manifest's lake (`catalog.reference_connection`), one department
bucket at a time (its lake rows copied into memory once, then every view computed from
them), and each bucket of each view is written as one zstd Parquet file
sorted by department name and year (a department lookup reads one row group of each
file). Only the buckets of the departments whose file versions changed status in this
run are recomputed; a view whose definition or aliases changed is recomputed whole.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.aliases import DepartmentAlias, alias_rows
from warehouse.catalog import reference_connection
from warehouse.derived import (
    BUCKETS,
    aliases_fingerprint,
    bucket_folder,
    bucket_of,
    definition_fingerprint,
    derived_views,
    entries,
    is_fresh,
)
from warehouse.faults import checkpoint
from warehouse.fsio import fresh_path, fsync_dir, fsync_file
from warehouse.schemas import ALL_TABLES
from warehouse.sqlfiles import quote_ident, sql_string_literal

__all__ = ["materialize", "touched_buckets"]

_SORT_COLUMNS = ("department_name", "year")


def touched_buckets(con: duckdb.DuckDBPyConnection, changed: list[int] | None) -> set[int]:
    """The buckets of the (canonical) departments of the file versions that changed
    (None: of every file version recorded: the buckets that can hold rows)."""
    rows = con.execute(
        f"select distinct bpw_bucket(department_id, {BUCKETS}) from lake_source_files "
        "where $ids is null or list_contains($ids, source_file_id)",
        {"ids": None if changed is None else sorted(set(changed))},
    ).fetchall()
    return {int(bucket) for (bucket,) in rows}


def _stage(con: duckdb.DuckDBPyConnection, bucket: int) -> None:
    """Copy one bucket's lake rows into memory, under the lake views' names, so the views
    of this bucket read them once, not once per view (`_unstage` first renamed the views)."""
    con.execute(f"set variable bpw_bucket = {int(bucket)}")
    for table in ALL_TABLES:
        con.execute(f"create or replace table lake_{table} as select * from bucketed_{table}")


def _unstage_views(con: duckdb.DuckDBPyConnection) -> None:
    """The reference connection's lake views, renamed `bucketed_<table>` for `_stage`."""
    for table in ALL_TABLES:
        con.execute(f"alter view lake_{table} rename to bucketed_{table}")


def _write(con: duckdb.DuckDBPyConnection, lake: Path, view: str, bucket: int, stem: str) -> str:
    """One bucket of one view as a new Parquet file; returns its path relative to the lake."""
    path = fresh_path(bucket_folder(lake, view, bucket), stem)
    checkpoint(f"parquet {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [d[0] for d in con.execute(f"select * from {quote_ident(view)} limit 0").description]
    order = [quote_ident(c) for c in _SORT_COLUMNS if c in columns]
    sql = f"select * from {quote_ident(view)}"
    if order:
        sql += f" order by {', '.join(order)}"
    con.execute(
        f"copy ({sql}) to {sql_string_literal(str(path))} "
        "(format parquet, compression zstd, preserve_order true)"
    )
    fsync_file(path)
    fsync_dir(path.parent)
    return path.relative_to(lake).as_posix()


def materialize(
    lake: Path,
    manifest: dict,
    old: dict,
    changed: list[int],
    aliases: list[DepartmentAlias],
    stem: str,
) -> dict[str, dict]:
    """The derived entries of `manifest` (the new version, not yet switched in): the old
    entries' files for the untouched buckets, new files for the buckets `changed` (the
    file versions whose status changed) touched, all buckets of a stale or new view. A
    bucket no department falls in has no file (a view keeps one, for its columns)."""
    lake = Path(lake).resolve()
    fingerprint = aliases_fingerprint(alias_rows(aliases))
    previous = entries(old)
    con = reference_connection(lake, manifest, aliases)
    try:
        filled = touched_buckets(con, None) or {0}
        touched = touched_buckets(con, changed)
        files: dict[str, dict[int, str]] = {}
        todo: dict[str, set[int]] = {}
        for view in derived_views():
            entry = previous.get(view)
            if is_fresh(entry, view, fingerprint):
                kept = {bucket_of(rel): rel for rel in entry["files"]}
                files[view] = {b: rel for b, rel in kept.items() if b in filled}
                todo[view] = (touched & filled) | (filled - kept.keys())
            else:
                files[view], todo[view] = {}, set(filled)
        _unstage_views(con)
        for bucket in sorted(set().union(*todo.values())):
            _stage(con, bucket)
            for view, buckets in todo.items():
                if bucket in buckets:
                    files[view][bucket] = _write(con, lake, view, bucket, stem)
    finally:
        con.close()
    return {
        view: {
            "definition": definition_fingerprint(view),
            "aliases": fingerprint,
            "files": [files[view][b] for b in sorted(files[view])],
        }
        for view in derived_views()
    }
