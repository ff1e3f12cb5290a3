"""bpw's one lock: an exclusive `flock` on a file, held for a block of work.

Two locks use it. The run lock (`$BPW_HOME/.bpw.lock`, `pipeline.datahome.run_lock`)
keeps a second run off a data home; it does not wait (or waits a bounded time) and
names its holder. The publish lock (`lake/.publish.lock`, `publish_lock`) keeps one
publisher at a time on a lake; it waits. Readers never take either, and garbage
collection runs under the publish lock, so it never deletes a file another run is
still writing. An OS file lock: the kernel drops it when its holder dies, so a lock
left by a killed process never blocks the next one.
"""

from __future__ import annotations

import errno
import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK_FILE = ".publish.lock"
POLL_SECONDS = 0.2


class LockHeld(RuntimeError):
    """Another process holds the lock; `holder` is the note it left (may be empty)."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path}: held by {holder or 'another process'}")
        self.path = path
        self.holder = holder


def _try(handle: IO[str]) -> bool:
    """Take the exclusive lock without waiting; False when another process holds it."""
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return False
    return True


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read().strip()


@contextmanager
def file_lock(
    path: Path, wait_seconds: float | None = None, note: str | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) for the block.

    `wait_seconds=None` blocks until the lock is free; a number tries until that many
    seconds have passed (0: once), then raises LockHeld naming the holder's note. With
    `note`, the holder writes it into the file for the next one to read.
    """
    path = Path(path)
    with path.open("a+", encoding="utf-8") as handle:
        if wait_seconds is None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + wait_seconds
            while not _try(handle):
                if time.monotonic() >= deadline:
                    raise LockHeld(path, _holder(handle))
                time.sleep(POLL_SECONDS)
        try:
            if note is not None:
                handle.seek(0)
                handle.truncate()
                handle.write(note)
                handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def holder(path: Path) -> str | None:
    """The note of the process holding the lock on `path` now ('' if it left none), or
    None when nobody holds it (a quick probe: the lock is not kept)."""
    path = Path(path)
    if not path.is_file():
        return None
    with path.open("r", encoding="utf-8") as handle:
        if not _try(handle):
            return _holder(handle)
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return None


@contextmanager
def publish_lock(lake: Path) -> Iterator[None]:
    """Block until this process is the only publisher of `lake`."""
    lake.mkdir(parents=True, exist_ok=True)
    with file_lock(lake / LOCK_FILE):
        yield
