"""The Parquet lake: publish accepted batches atomically, and answer what is loaded.

A publish writes new compacted year files beside the old ones, then swaps
`manifest.json` (the one atomic switch), rebuilds the catalog, and garbage-collects
files no longer listed by the current or previous manifest. A superseded version's
rows stay in the year files until the retention policy (`warehouse.retention`) drops
them, so every retained version stays queryable; each manifest is also kept under
`manifests/` (the history `bpw runs` and `bpw sql --as-of` read). Before the switch the
`v_*` views are computed for the departments the run touched and written as derived
Parquet files the new manifest lists (`warehouse.derived`). A crash at any step leaves
either the old or the new version readable; `rebuild_catalog_if_stale` heals a crash
between the manifest swap and the catalog swap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from warehouse.aliases import alias_file_for, load_aliases
from warehouse.batches import ID, Plan, plan
from warehouse.catalog import build_catalog, is_current
from warehouse.compact import rewrite_table, write_source_files, year_label
from warehouse.derived import DERIVED, collect_derived_garbage, derived_files
from warehouse.fsio import remove
from warehouse.gc import collect_garbage, collect_temp_files
from warehouse.lock import publish_lock
from warehouse.manifest import (
    MANIFEST,
    all_files,
    new_manifest,
    read_manifest,
    table_files,
    write_history,
    write_manifest,
)
from warehouse.materialize import materialize
from warehouse.retention import KEEP_EVERYTHING, Retention, expired_versions, mark_dropped
from warehouse.schemas import SOURCE_FILES, conform, empty
from warehouse.status_summary import keep_after_publish, leftover_partials

if TYPE_CHECKING:  # the warehouse needs only the frames' shape, not the transforms
    from transforms.normalize import Frames

__all__ = [
    "PublishResult",
    "current_batches",
    "loaded_hashes",
    "publish",
    "read_manifest",
    "rebuild_catalog_if_stale",
]

BATCH_COLUMNS = [
    "source_file_id", "sha256", "year", "department_id", "department_name", "file_name",
    "status", "loaded_at",
]  # fmt: skip


@dataclass(frozen=True)
class PublishResult:
    version: int  # manifest version now current (unchanged when nothing changed)
    loaded: list[int]  # source_file_ids whose rows entered the lake
    superseded: list[int]  # newly superseded (replaced current versions, same-run losers)
    rejected: list[int]  # newly recorded as rejected
    files_written: int  # Parquet files written
    expired: list[int] = ()  # superseded versions whose rows the retention policy dropped


def utc(now: datetime) -> datetime:
    """The moment in UTC (the lake's times are UTC); a naive time is taken as local time."""
    return now.astimezone(UTC)


def _source_files(lake: Path, manifest: dict) -> pl.DataFrame:
    """Every recorded file version; each file conformed first (an older lake's naive
    local times become UTC, so files of either age combine)."""
    files = table_files(manifest, SOURCE_FILES)
    if not files:
        return empty(SOURCE_FILES)
    frames = [conform(pl.read_parquet(lake / rel), SOURCE_FILES) for rel in files]
    return pl.concat(frames, how="diagonal_relaxed")


def _findings_rows(findings: pl.DataFrame, ids: list[int], sources: pl.DataFrame):
    """Findings of the recorded files, with their file's year (the partition) and department."""
    if findings.is_empty():
        return conform(findings, "findings")
    own = sources.select(
        ID, pl.col("year").alias("_file_year"), pl.col("department_id").alias("_file_dept")
    )
    return (
        conform(findings, "findings")
        .filter(pl.col(ID).is_in(ids))
        .join(own, on=ID, how="left")
        .with_columns(
            pl.coalesce("_file_year", "year").alias("year"),
            pl.coalesce("_file_dept", "department_id").alias("department_id"),
        )
        .drop("_file_year", "_file_dept")
    )


def _touched_years(p: Plan, dropped: list[int]) -> set[str]:
    """Partitions holding rows that must leave: the years of the dropped file versions."""
    years = p.source_files.filter(pl.col(ID).is_in(dropped))["year"].unique().to_list()
    return {year_label(y) for y in years}


def _write_tables(
    lake: Path,
    old: dict,
    p: Plan,
    accepted: Frames,
    findings: pl.DataFrame,
    stem: str,
    dropped: list[int],
) -> tuple[dict[str, list[str]], int]:
    """Rewrite every touched year of every fact table; returns (table files, files written).

    A table handed over as a LazyFrame (a run's scratch parts) is streamed, year by year,
    filtered to the loaded files: the corpus' rows are never all in memory."""
    loaded = pl.col(ID).is_in(p.loaded)

    def rows_of(frame: pl.DataFrame | pl.LazyFrame, table: str) -> pl.DataFrame | pl.LazyFrame:
        if isinstance(frame, pl.LazyFrame):
            return frame.filter(loaded)
        # a run where no file was readable hands over frames without columns
        return frame.filter(loaded) if frame.width else empty(table)

    new_rows = {
        "units": rows_of(accepted.units, "units"),
        "projects": rows_of(accepted.projects, "projects"),
        "indicators": rows_of(accepted.indicators, "indicators"),
        "executions": rows_of(accepted.executions, "executions"),
        "results": rows_of(accepted.results, "results"),
        "findings": _findings_rows(findings, p.loaded + p.rejected, p.source_files),
    }
    touched = _touched_years(p, dropped)
    tables: dict[str, list[str]] = {}
    written = 0
    for table, rows in new_rows.items():
        result = rewrite_table(lake, table, table_files(old, table), dropped, rows, touched, stem)
        tables[table], written = result.files, written + result.written
    return tables, written


def publish(
    lake: Path,
    catalog: Path,
    accepted: Frames,
    rejected_files: pl.DataFrame,
    findings: pl.DataFrame,
    run_id: str,
    now: datetime,
    retention: Retention = KEEP_EVERYTHING,
) -> PublishResult:
    """Load accepted batches, record rejected files, swap manifest and catalog atomically.

    `accepted`'s fact tables may be LazyFrames (conformed to the lake's schema) holding
    more files' rows than are loaded: only the loaded files' rows are written.

    Replaced versions keep their rows as `retention` says (default: all of them).
    Idempotent: files already current (or superseded) change nothing, and a publish
    that changes nothing writes nothing (the version stays).
    """
    lake, catalog, now = Path(lake).resolve(), Path(catalog), utc(now)
    with publish_lock(lake):
        for partial in leftover_partials(lake):  # a kill while keeping the status summary
            remove(partial, f"gc delete {partial.name}")
        old = read_manifest(lake)
        p = plan(_source_files(lake, old), accepted.files, rejected_files, run_id, now)
        expired = expired_versions(p.source_files, retention, now)
        if old and not p.changed and not expired:
            _heal_catalog(lake, catalog, old)
            return PublishResult(old["version"], [], [], [], 0)
        version = int(old.get("version", 0)) + 1
        tables, written = _write_tables(
            lake, old, p, accepted, findings, f"part-{run_id}-{version}", p.dropped + expired
        )
        sources = mark_dropped(p.source_files, expired, now)
        tables[SOURCE_FILES] = [write_source_files(lake, sources, f"part-{run_id}")]
        manifest = new_manifest(version, run_id, now, tables)
        changed = p.loaded + p.superseded + p.rejected + p.dropped + expired
        aliases = load_aliases(alias_file_for(catalog))
        stem = f"part-{run_id}-{version}"
        manifest[DERIVED] = materialize(lake, manifest, old, changed, aliases, stem)
        write_history(lake, manifest)
        write_manifest(lake, manifest)
        build_catalog(lake, catalog, manifest)
        collect_garbage(lake, catalog, all_files(manifest) | all_files(old))
        collect_derived_garbage(lake, derived_files(manifest) | derived_files(old))
        keep_after_publish(lake, catalog)  # `bpw status` after any run, `bpw serve`'s too
    written += 1 + len(derived_files(manifest) - derived_files(old))
    return PublishResult(version, p.loaded, p.superseded, p.rejected, written, expired)


def _heal_catalog(lake: Path, catalog: Path, manifest: dict) -> bool:
    """Rebuild a stale catalog, and clear the temp files of the crash that left it stale
    (a publish that changes nothing never reaches the garbage collection)."""
    if is_current(lake, catalog, manifest):
        return False
    build_catalog(lake, catalog, manifest)
    collect_temp_files(lake, catalog)
    keep_after_publish(lake, catalog)
    return True


def rebuild_catalog_if_stale(lake: Path, catalog: Path) -> bool:
    """Rebuild the catalog if it is missing, corrupt, or behind the manifest.

    Call at the start of every run: it heals a crash between manifest and catalog swap.
    Returns False when the catalog was fine or nothing was ever published.
    """
    lake = Path(lake).resolve()
    if not (lake / MANIFEST).exists():
        return False
    if is_current(lake, catalog, read_manifest(lake)):
        return False
    with publish_lock(lake):
        return _heal_catalog(lake, Path(catalog), read_manifest(lake))


def current_batches(lake: Path) -> pl.DataFrame:
    """Every file version ever recorded: id, hash, batch key, status, when recorded."""
    lake = Path(lake)
    return conform(_source_files(lake, read_manifest(lake)), SOURCE_FILES).select(BATCH_COLUMNS)


def loaded_hashes(lake: Path) -> set[str]:
    """sha256 of every file already recorded (any status): identical bytes are skipped."""
    return set(current_batches(lake)["sha256"].drop_nulls().to_list())
