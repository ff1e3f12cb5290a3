"""Compute the derived tables of a publish (what they are: `warehouse.derived`).

The views are computed by their reference definitions (sql/v_*.sql) in an in-memory
DuckDB over the new manifest's lake (`catalog.reference_connection`), in as few passes
as the memory budget allows (one at corpus M): a pass turns every staging, dimension
and fact view the views select from into a table of its department buckets' rows, once
(the lake files are read once, current rows and first years are found once, not once
per view), computes each view once over all its buckets, and
writes each bucket of each view as one zstd Parquet file sorted by department name and
year (a department lookup reads one row group of each file). A view row's bucket is its
department_id's; a view without department_id files its rows by department name
(sql/bpw_department_bucket.sql). Only the buckets of the departments whose file versions
changed status in this run are recomputed; a view whose definition or aliases changed
is recomputed whole.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
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
from warehouse.sqlfiles import build_order, dependencies, load_sql, quote_ident, sql_string_literal

__all__ = ["materialize", "touched_buckets"]

_SORT_COLUMNS = ("department_name", "year")
# DuckDB's memory for a publish's views: past it the staged tables and joins spill to a
# temporary folder, so the publish's peak stays about the same at any corpus size
# (cold M, in one process: peak 0.49 GiB and 7.2 s unbounded, 0.43 GiB and 7.8 s at 384 MB)
MEMORY_LIMIT = "384MB"
# A pass holds at most about this many indicator rows (the largest table) in memory; a
# single bucket larger than this is a pass of its own.
PASS_ROWS = 4_000_000
_ROWS = "bpw_rows"  # the view being written, with its rows' buckets
_ROW_BUCKET = "bpw_row_bucket"


def touched_buckets(con: duckdb.DuckDBPyConnection, changed: list[int] | None) -> set[int]:
    """The buckets of the (canonical) departments of the file versions that changed
    (None: of every file version recorded: the buckets that can hold rows)."""
    rows = con.execute(
        f"select distinct bpw_bucket(department_id, {BUCKETS}) from lake_source_files "
        "where $ids is null or list_contains($ids, source_file_id)",
        {"ids": None if changed is None else sorted(set(changed))},
    ).fetchall()
    return {int(bucket) for (bucket,) in rows}


def _passes(con: duckdb.DuckDBPyConnection, buckets: set[int]) -> list[list[int]]:
    """The buckets to compute, grouped into passes of at most `PASS_ROWS` indicator rows."""
    sizes = dict(
        con.execute(
            f"select bpw_bucket(department_id, {BUCKETS}), count(*) from lake_indicators "
            "group by all"
        ).fetchall()
    )
    passes: list[list[int]] = [[]]
    held = 0
    for bucket in sorted(buckets):
        size = int(sizes.get(bucket, 0))
        if passes[-1] and held + size > PASS_ROWS:
            passes.append([])
            held = 0
        passes[-1].append(bucket)
        held += size
    return passes


def _selected(views: Iterable[str]) -> list[str]:
    """The staging, dimension and fact views `views` select from, in build order."""
    graph = dependencies()
    seen: set[str] = set()
    todo = list(views)
    while todo:
        for name in graph.get(todo.pop(), ()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return [v for v in build_order() if v in seen and not v.startswith("v_")]


def _stage(con: duckdb.DuckDBPyConnection, buckets: list[int] | None, shared: list[str]) -> None:
    """Each `shared` view as a table of this pass's rows (None: every bucket), so every
    view reads them once: the staging views that read the lake read each table's files
    once, only the columns they use, only the rows of the pass's buckets."""
    con.execute("set variable bpw_buckets = $b", {"b": buckets})
    for view in shared:
        name = quote_ident(view)
        con.execute(f"create table bpw_shared as select * from {name}")
        con.execute(f"drop view {name}")
        con.execute(f"alter table bpw_shared rename to {name}")


def _unstage(con: duckdb.DuckDBPyConnection, shared: list[str]) -> None:
    """The reference views again in place of a pass's tables."""
    for view in shared:
        con.execute(f"drop table {quote_ident(view)}")
        con.execute(load_sql(view))


def _compute(con: duckdb.DuckDBPyConnection, view: str) -> bool:
    """The view's rows with their buckets, as `bpw_rows`; False when some row's bucket
    is unknown (a view without department_id whose department name maps to none)."""
    columns = [d[0] for d in con.execute(f"select * from {quote_ident(view)} limit 0").description]
    if "department_id" in columns:
        con.execute(
            f"create or replace temp table {_ROWS} as select *, "
            f"bpw_bucket(department_id, {BUCKETS}) as {_ROW_BUCKET} from {quote_ident(view)}"
        )
        return True
    con.execute(
        f"create or replace temp table {_ROWS} as select v.*, b.bucket as {_ROW_BUCKET} "
        f"from {quote_ident(view)} as v left join bpw_department_bucket as b "
        "on b.department_name = v.department_name and b.n_buckets = 1"
    )
    unknown = con.execute(f"select count(*) from {_ROWS} where {_ROW_BUCKET} is null").fetchone()
    return unknown is not None and unknown[0] == 0


def _write(con: duckdb.DuckDBPyConnection, lake: Path, view: str, bucket: int, stem: str) -> str:
    """One bucket of the computed view as a new Parquet file; returns its path relative
    to the lake."""
    path = fresh_path(bucket_folder(lake, view, bucket), stem)
    checkpoint(f"parquet {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [d[0] for d in con.execute(f"select * from {_ROWS} limit 0").description]
    order = [quote_ident(c) for c in _SORT_COLUMNS if c in columns]
    sql = f"select * exclude ({_ROW_BUCKET}) from {_ROWS} where {_ROW_BUCKET} = {int(bucket)}"
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
    bucket no department falls in has no file (a view keeps one, for its columns). A view
    some of whose rows cannot be filed in a bucket gets no files: the catalog computes it."""
    lake = Path(lake).resolve()
    fingerprint = aliases_fingerprint(alias_rows(aliases))
    previous = entries(old)
    con = reference_connection(lake, manifest, aliases)
    spill = tempfile.TemporaryDirectory(prefix="bpw-publish-")
    try:
        con.execute(f"set memory_limit = {sql_string_literal(MEMORY_LIMIT)}")
        con.execute(f"set temp_directory = {sql_string_literal(spill.name)}")
        filled = touched_buckets(con, None) or {0}
        touched = touched_buckets(con, changed)
        files: dict[str, dict[int, str] | None] = {}
        todo: dict[str, set[int]] = {}
        for view in derived_views():
            entry = previous.get(view)
            if is_fresh(entry, view, fingerprint):
                kept = {bucket_of(rel): rel for rel in entry["files"]}
                files[view] = {b: rel for b, rel in kept.items() if b in filled}
                todo[view] = (touched & filled) | (filled - kept.keys())
            else:
                files[view], todo[view] = {}, set(filled)
        wanted = set().union(*todo.values())
        passes = _passes(con, wanted) if wanted else []
        for buckets in passes:
            views = [v for v in derived_views() if todo[v] & set(buckets)]
            shared = _selected(views)
            _stage(con, None if set(buckets) == filled else buckets, shared)
            con.execute(load_sql("bpw_department_bucket"), {"buckets": BUCKETS})
            for view in views:
                if files[view] is None:
                    continue
                if not _compute(con, view):
                    files[view] = None
                    continue
                for bucket in sorted(todo[view] & set(buckets)):
                    files[view][bucket] = _write(con, lake, view, bucket, stem)
            _unstage(con, shared)
    finally:
        con.close()
        spill.cleanup()
    return {
        view: {
            "definition": definition_fingerprint(view),
            "aliases": fingerprint,
            "files": [] if files[view] is None else [files[view][b] for b in sorted(files[view])],
        }
        for view in derived_views()
    }
