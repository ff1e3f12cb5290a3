"""Durable file steps: every file bpw writes goes through here — the lake and catalog
(publish), archive/, quarantine/ and runs/ (`pipeline.datahome`), aliases.csv, the
report, the server's pid file.

A whole file is written by `write_text_atomic` / `write_bytes_atomic`: a temp file
beside the target, fsync, rename over it, fsync the folder, so a reader sees the old
file or the new one, never half of it. Each step first calls `faults.checkpoint`, so a
crash test can stop the process between any two of them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse.faults import checkpoint

if TYPE_CHECKING:  # polars only for Parquet: the quick commands write text without it
    import polars as pl

PARTIAL_MARK = ".part-"  # `<name>.part-<pid>`: a write in progress (or left by a crash)
# inside `batched_copies()`: copies not yet synced, and their renames waiting for the sync
_BATCH: ContextVar[dict[Path, tuple[Path, str] | None] | None] = ContextVar("batch", default=None)


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
    import polars as pl

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
    """Write a new file's text and fsync it (the temp-file half of `write_text_atomic`)."""
    write_bytes(path, text.encode("utf-8"), label)


def write_bytes(path: Path, data: bytes, label: str) -> None:
    """Write a new file's bytes and fsync it (the temp-file half of `write_bytes_atomic`)."""
    checkpoint(label)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def copy_file(source: Path, target: Path, label: str) -> None:
    """Copy `source`'s bytes into `target` and fsync it; a symbolic link is never followed.

    Inside `batched_copies()` the fsync is left to the batch's one sync.
    """
    checkpoint(label)
    batch = _BATCH.get()
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as reader, open(target, "wb") as writer:
        _copy_bytes(reader, writer)
        if batch is None:
            os.fsync(writer.fileno())
    if batch is not None:
        batch[Path(target)] = None


def _copy_bytes(reader: Any, writer: Any) -> None:
    """All of `reader` into `writer`: in the kernel (sendfile) as far as it goes, any rest
    in Python (no 1 MiB buffer allocated per small file)."""
    offset = 0
    if hasattr(os, "sendfile"):
        try:
            while sent := os.sendfile(writer.fileno(), reader.fileno(), offset, 1 << 30):
                offset += sent
        except OSError:
            pass  # not supported for these files: Python copies from `offset` on
    reader.seek(offset)
    writer.seek(offset)
    shutil.copyfileobj(reader, writer, 1 << 16)
    writer.flush()


@contextmanager
def batched_copies() -> Iterator[None]:
    """Many `copy_file` + `replace` pairs (archiving a thousand files) made durable with two
    syncs instead of two fsyncs per file, in the same order of effects: inside the block
    each copy is written unsynced and its `replace` is deferred; on leaving, one sync makes
    every copy durable, then the renames happen (each checkpointed), then one more sync
    makes the renames durable. A crash before the renames leaves only `.part-` files.
    """
    if _BATCH.get() is not None:  # already batching: the outer block finishes the work
        yield
        return
    batch: dict[Path, tuple[Path, str] | None] = {}
    token = _BATCH.set(batch)
    try:
        yield
    finally:
        _BATCH.reset(token)
    renames = [(source, job) for source, job in batch.items() if job is not None]
    if not renames:
        return
    os.sync()
    for source, (target, label) in renames:
        checkpoint(label)
        os.replace(source, target)
    os.sync()


def write_text_atomic(path: Path, text: str, label: str) -> None:
    """Write `path` whole or not at all: a temp file beside it, fsync, then rename."""
    write_bytes_atomic(path, text.encode("utf-8"), label)


def write_bytes_atomic(path: Path, data: bytes, label: str) -> None:
    """Write `path` whole or not at all: a temp file beside it, fsync, rename, fsync dir."""
    path = Path(path)
    partial = path.with_name(f"{path.name}{PARTIAL_MARK}{os.getpid()}")
    try:
        write_bytes(partial, data, label)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    replace(partial, path, f"{label} replace")


def replace(source: Path, target: Path, label: str) -> None:
    """The atomic switch: rename over `target`, then make the rename durable.

    Inside `batched_copies()`, the rename of a file copied in the batch waits for the
    batch's sync (the copy must be durable before anything points at it).
    """
    batch = _BATCH.get()
    if batch is not None and Path(source) in batch:
        batch[Path(source)] = (Path(target), label)
        return
    checkpoint(label)
    os.replace(source, target)
    fsync_dir(target.parent)


def remove(path: Path, label: str) -> None:
    if not path.exists():
        return
    checkpoint(label)
    path.unlink(missing_ok=True)
