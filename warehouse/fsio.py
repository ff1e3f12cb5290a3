"""Durable file steps for publishing: every write, replace and delete goes through here.

Each step first calls `faults.checkpoint`, so a crash test can stop the process
between any two of them; file contents are fsynced before anything points at them.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from warehouse.faults import checkpoint


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename or create in `path` durable (no-op where directories can't be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fresh_path(folder: Path, stem: str, suffix: str = ".parquet") -> Path:
    """`folder/stem.suffix`, or `stem-2`, `stem-3`… if taken: files are never overwritten."""
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def write_parquet(data: pl.DataFrame | pl.LazyFrame, path: Path) -> int:
    """Write a new Parquet file (streaming a LazyFrame), fsync it; returns its row count."""
    checkpoint(f"parquet {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, pl.LazyFrame):
        data.sink_parquet(path)
    else:
        data.write_parquet(path)
    fsync_file(path)
    fsync_dir(path.parent)
    return pl.scan_parquet(path).select(pl.len()).collect().item()


def write_text(path: Path, text: str, label: str) -> None:
    checkpoint(label)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def replace(source: Path, target: Path, label: str) -> None:
    """The atomic switch: rename over `target`, then make the rename durable."""
    checkpoint(label)
    os.replace(source, target)
    fsync_dir(target.parent)


def remove(path: Path, label: str) -> None:
    if not path.exists():
        return
    checkpoint(label)
    path.unlink(missing_ok=True)
