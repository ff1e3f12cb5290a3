"""A run's scratch parts: each chunk's normalized rows as Parquet files in a run-scoped
folder of the lake (`_run.tmp-<run_id>/<table>/`), until the publish has streamed the
loaded files' rows into the year files (`warehouse.compact`). The run then holds only
the small per-file frames in memory, not the corpus' rows, and a Dask worker hands the
flow paths, not rows.

Parts are never listed by a manifest and never loaded as they are: the publish reads
them filtered to the file versions it loads. A run deletes its folder when it ends,
whatever the outcome; a killed run's folder is deleted by the next run (`clear`, under
the data home's run lock). They are not fsynced: a crash loses them either way.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from warehouse.faults import checkpoint
from warehouse.schemas import conform

SCRATCH_PREFIX = "_run.tmp-"
# the normalized tables the lake stores (the gate's own tables, totals and unread cells,
# are not kept past the chunk's check frames)
PART_TABLES = ("units", "projects", "indicators", "executions", "results")


def scratch_dir(lake: Path, run_id: str) -> Path:
    """The run's scratch folder (not created here)."""
    return Path(lake) / f"{SCRATCH_PREFIX}{run_id}"


@contextmanager
def run_folder(lake: Path, run_id: str) -> Iterator[Path]:
    """The run's scratch folder, deleted when the block ends, however it ends."""
    folder = scratch_dir(lake, run_id)
    try:
        yield folder
    finally:
        remove(folder)


def write_parts(folder: Path, tables: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """Each non-empty table as a new part under `folder/<table>/`, conformed to the lake's
    schema (exact decimals stay decimals); returns table → part path."""
    parts: dict[str, str] = {}
    for table, frame in tables.items():
        if not frame.width or frame.is_empty():
            continue
        path = Path(folder) / table / f"part-{uuid.uuid4().hex}.parquet"
        checkpoint(f"scratch {table}")
        path.parent.mkdir(parents=True, exist_ok=True)
        conform(frame, table).write_parquet(path, compression="lz4")
        parts[table] = str(path)
    return parts


def scan_parts(paths: list[str]) -> pl.LazyFrame | None:
    """The parts of one table, in order, as one lazy frame (None when there are none)."""
    if not paths:
        return None
    scans = [pl.scan_parquet(path) for path in paths]
    return scans[0] if len(scans) == 1 else pl.concat(scans, how="diagonal_relaxed")


def remove(folder: Path) -> None:
    """Delete a run's scratch folder (at the end of the run, whatever its outcome)."""
    shutil.rmtree(folder, ignore_errors=True)


def clear(lake: Path) -> list[Path]:
    """Delete every run's scratch folder: what killed runs left. Call under the data
    home's run lock (no live run is writing one)."""
    folders = sorted(Path(lake).glob(f"{SCRATCH_PREFIX}*"))
    for folder in folders:
        remove(folder)
    return folders
