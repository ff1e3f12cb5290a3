"""Corpus L (query-only): a province-sized lake written straight in the lake's layout.

Loading ≥ 50 million indicators through the pipeline is not what L measures; its
queries are. So L is made from M's published lake: every M department is copied K times
under another invented jurisdiction's name (甲地 … 癸地, then numbered), with fresh ids,
into one compacted Parquet file per table and year, as `warehouse.compact` writes them;
then a manifest (`warehouse.manifest`) and the generated catalog (`warehouse.catalog`),
exactly as a publish makes them. Values and their distributions are M's own. M's derived
tables (the `v_*` views a publish computed, `warehouse.derived`) are copied the same way,
bucket by bucket (a copy's ids keep their low bits, so its department stays in its
bucket), and sorted as a publish sorts them, so L's views read derived files as M's do.
"""

from __future__ import annotations

import math
import shutil
from datetime import datetime
from pathlib import Path

import polars as pl

from warehouse.catalog import build_catalog
from warehouse.derived import DERIVED, entries
from warehouse.manifest import new_manifest, read_manifest, table_files, write_manifest
from warehouse.schemas import ALL_TABLES, SOURCE_FILES

MIN_INDICATORS = 50_000_000
# invented jurisdictions only: synthetic figures never wear a real place's name
CITIES = tuple(f"{stem}地" for stem in "甲乙丙丁戊己庚辛壬癸")
ID_COLUMNS = (
    "source_file_id", "department_id", "unit_id", "project_id", "superseded_by",
    "old_source_file_id", "new_source_file_id",
)  # fmt: skip
SORT_COLUMNS = ("department_name", "year")  # as warehouse.materialize writes derived files
RUN_ID = "bench-L"


def copies_needed(m_indicators: int) -> int:
    return math.ceil(MIN_INDICATORS / max(m_indicators, 1))


def _prefix(copy: int) -> str:
    """'' for the original; then 甲地·, 乙地·, …, 甲地2·, …"""
    if copy == 0:
        return ""
    city = CITIES[(copy - 1) % len(CITIES)]
    round_ = (copy - 1) // len(CITIES) + 1
    return f"{city}{round_ if round_ > 1 else ''}·"


def _copies(k: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"_copy": list(range(k)), "_prefix": [_prefix(i) for i in range(k)]},
        schema={"_copy": pl.Int64, "_prefix": pl.String},
    )


def replicate(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """`frame` K times: ids moved to a disjoint range per copy (bits 52–59 xor the copy
    number: ids are 60-bit hashes), department names prefixed with the copy's place."""
    out = frame.join(_copies(k), how="cross")
    changes = [
        (pl.col(c) ^ (pl.col("_copy") * (1 << 52))).cast(frame.schema[c]).alias(c)
        for c in ID_COLUMNS
        if c in frame.columns
    ]
    if "department_name" in frame.columns:
        changes.append(pl.concat_str("_prefix", "department_name").alias("department_name"))
    return out.with_columns(changes).drop("_copy", "_prefix")


def build_lake_l(m_lake: Path, home: Path) -> dict[str, int]:
    """Write L under `home` (lake/ + warehouse.duckdb) from M's lake; returns row counts."""
    m_lake = Path(m_lake).resolve()
    manifest = read_manifest(m_lake)
    indicators = sum(
        pl.scan_parquet(m_lake / rel).select(pl.len()).collect().item()
        for rel in table_files(manifest, "indicators")
    )
    k = copies_needed(indicators)
    shutil.rmtree(home, ignore_errors=True)
    lake = (home / "lake").resolve()
    counts: dict[str, int] = {"copies": k}
    tables: dict[str, list[str]] = {}
    for table in ALL_TABLES:
        tables[table] = []
        for rel in table_files(manifest, table):
            frame = replicate(pl.read_parquet(m_lake / rel), k)
            out = lake / rel.replace(rel.rsplit("/", 1)[-1], f"part-{RUN_ID}.parquet")
            out.parent.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(out)
            tables[table].append(out.relative_to(lake).as_posix())
            counts[table] = counts.get(table, 0) + frame.height
            del frame
    written = new_manifest(1, RUN_ID, datetime.now(), tables)
    written[DERIVED] = _derived(m_lake, lake, manifest, k)
    write_manifest(lake, written)
    build_catalog(lake, home / "warehouse.duckdb", written)
    counts["source_files"] = counts.get(SOURCE_FILES, 0)
    return counts


def _derived(m_lake: Path, lake: Path, manifest: dict, k: int) -> dict[str, dict]:
    """M's derived entries copied K times, file by file (one per view and bucket)."""
    copied: dict[str, dict] = {}
    for view, entry in entries(manifest).items():
        files = []
        for rel in entry["files"]:
            frame = replicate(pl.read_parquet(m_lake / rel), k)
            order = [c for c in SORT_COLUMNS if c in frame.columns]
            if order:
                frame = frame.sort(order, maintain_order=True)
            out = lake / rel.replace(rel.rsplit("/", 1)[-1], f"part-{RUN_ID}.parquet")
            out.parent.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(out, compression="zstd")
            files.append(out.relative_to(lake).as_posix())
            del frame
        copied[view] = {**entry, "files": files}
    return copied
