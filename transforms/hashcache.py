"""A stat cache for discovery: a file whose stat is unchanged keeps its sha256.

Discovery hashes every candidate file to tell new bytes from loaded ones; on a nightly
run over a large inbox that is a read of the whole inbox for nothing. The cache keys a
hash by (path, size, mtime_ns, ctime_ns, inode, device): any write to a file changes its
ctime, which no program can set back, so an unchanged key means unchanged bytes. As in
git's index, an entry is only kept when the file was last changed more than
`RACY_SECONDS` before it was hashed, so a coarse filesystem clock cannot hide a write
made in the same tick.

The cache is a small Parquet file (one row per file seen by the last run); a missing
or unreadable cache only costs the hashing it would have saved.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl

RACY_SECONDS = 2
_KEY = ("size", "mtime_ns", "ctime_ns", "inode", "device")
_SCHEMA = {
    "path": pl.String,
    **{column: pl.Int64 for column in _KEY},
    "sha256": pl.String,
}


def stat_key(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


class HashCache:
    """Hashes known from the last run (`lookup`), and those of this run (`record`, `save`)."""

    def __init__(self, path: Path | None, racy_seconds: float = RACY_SECONDS) -> None:
        self.path = path
        self.racy_ns = int(racy_seconds * 1_000_000_000)
        self.known: dict[str, tuple[tuple[int, ...], str]] = {}
        self.seen: dict[str, tuple[tuple[int, ...], str]] = {}
        self.hits = 0
        if path is not None and path.is_file():
            try:
                frame = pl.read_parquet(path)
            except Exception:  # a damaged cache is no cache
                frame = pl.DataFrame(schema=_SCHEMA)
            for row in frame.iter_rows():
                self.known[row[0]] = (tuple(row[1:6]), row[6])

    def lookup(self, path: Path, stat: os.stat_result) -> str | None:
        """The cached sha256 of `path` if its stat is exactly as when it was hashed."""
        entry = self.known.get(str(path))
        if entry is None or entry[0] != stat_key(stat):
            return None
        self.hits += 1
        self.seen[str(path)] = entry
        return entry[1]

    def record(self, path: Path, stat: os.stat_result, sha256: str) -> None:
        """Remember a hash just computed, unless the file changed too recently to trust."""
        changed = max(stat.st_mtime_ns, stat.st_ctime_ns)
        if time.time_ns() - changed > self.racy_ns:
            self.seen[str(path)] = (stat_key(stat), sha256)

    def save(self) -> None:
        """Write this run's entries (files gone since are dropped), whole or not at all."""
        if self.path is None:
            return
        frame = pl.DataFrame(
            [(path, *key, sha) for path, (key, sha) in self.seen.items()],
            schema=_SCHEMA,
            orient="row",
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
        frame.write_parquet(partial)
        os.replace(partial, self.path)
