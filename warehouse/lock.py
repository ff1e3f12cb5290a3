"""One publisher at a time: an exclusive `flock` on `lake/.publish.lock`.

Readers never take it; only publish and catalog repair do, so garbage collection
never deletes a file another run is still writing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".publish.lock"


@contextmanager
def publish_lock(lake: Path) -> Iterator[None]:
    """Block until this process is the only publisher of `lake`."""
    lake.mkdir(parents=True, exist_ok=True)
    with open(lake / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
