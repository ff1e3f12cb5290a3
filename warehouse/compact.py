"""Compaction: one Parquet file per table and year, rewritten whole when the year changes.

The new file is the old year file minus the replaced batches plus the new rows, under a
new name; the old file stays until garbage collection (readers may still hold it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from warehouse.fsio import fresh_path, write_parquet
from warehouse.manifest import partition_of
from warehouse.schemas import conform, empty

EMPTY_STEM = "_empty"
NULL_YEAR = "unknown"


@dataclass(frozen=True)
class Rewrite:
    files: list[str]  # the table's relative paths after this publish
    written: int  # Parquet files written


def year_label(year: int | None) -> str:
    return NULL_YEAR if year is None else str(year)


def _rows_by_year(rows: pl.DataFrame | pl.LazyFrame, table: str) -> dict[str, pl.LazyFrame]:
    """The new rows per year label, lazily. A LazyFrame (already conformed) is only
    scanned for its years here; each year's rows are read when that year is written."""
    if isinstance(rows, pl.LazyFrame):
        years = rows.select(pl.col("year").unique()).collect()["year"].to_list()
        return {
            year_label(year): rows.filter(
                pl.col("year").is_null() if year is None else pl.col("year") == year
            )
            for year in sorted(years, key=lambda y: (y is None, y))
        }
    rows = conform(rows, table)
    if rows.is_empty():
        return {}
    return {
        year_label(key[0]): part.lazy()
        for key, part in rows.partition_by("year", as_dict=True, maintain_order=True).items()
    }


def _year_frame(lake: Path, old: list[str], drop: list[int], new: pl.LazyFrame | None):
    """Lazily: the surviving old rows of a year followed by its new rows."""
    parts = [
        pl.scan_parquet(lake / rel).filter(~pl.col("source_file_id").is_in(drop)) for rel in old
    ]
    if new is not None:
        parts.append(new)
    return pl.concat(parts, how="diagonal_relaxed")


def rewrite_table(
    lake: Path,
    table: str,
    files: list[str],
    drop: list[int],
    rows: pl.DataFrame | pl.LazyFrame,
    touched_years: set[str],
    stem: str,
) -> Rewrite:
    """Rewrite the touched years of one table; untouched years keep their files. Each
    year is written by streaming its old and new rows (`fsio.write_parquet`)."""
    by_year = _rows_by_year(rows, table)
    years = touched_years | set(by_year)
    kept = [rel for rel in files if partition_of(rel) not in years and partition_of(rel)]
    written = 0
    for year in sorted(years):
        old = [rel for rel in files if partition_of(rel) == year]
        if not old and year not in by_year:
            continue
        path = fresh_path(lake / table / f"year={year}", stem)
        n_rows = write_parquet(_year_frame(lake, old, drop, by_year.get(year)), path)
        written += 1
        if n_rows:
            kept.append(path.relative_to(lake).as_posix())
    if not kept:
        empty_file, n = _empty_file(lake, table, files, stem)
        kept, written = [empty_file], written + n
    return Rewrite(files=sorted(kept), written=written)


def _empty_file(lake: Path, table: str, files: list[str], stem: str) -> tuple[str, int]:
    """A zero-row file with the table's schema, so its view exists before any data.

    Reuses the one the current manifest lists; never trusts an unlisted one (it may be
    the torn remains of a crashed run).
    """
    listed = [rel for rel in files if partition_of(rel) is None]
    if listed:
        return listed[0], 0
    path = fresh_path(lake / table, f"{EMPTY_STEM}-{stem}")
    write_parquet(empty(table), path)
    return path.relative_to(lake).as_posix(), 1


def write_source_files(lake: Path, frame: pl.DataFrame, stem: str) -> str:
    """The small all-versions table: one new file per publish."""
    path = fresh_path(lake / "source_files", stem)
    write_parquet(conform(frame, "source_files").sort("source_file_id"), path)
    return path.relative_to(lake).as_posix()
