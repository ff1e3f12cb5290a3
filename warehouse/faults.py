"""Fault injection for crash tests: SIGKILL this process at the N-th publish write.

`BPW_FAULT_AFTER_WRITES=N` is read once, on the first checkpoint. This is the one
environment read outside `flows.settings`: the hook must work in any process that
publishes, without threading a test-only knob through every call.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "BPW_FAULT_AFTER_WRITES"

_limit: int | None = None
_loaded = False
_count = 0


def _read_limit() -> int | None:
    value = os.environ.get(ENV_VAR, "").strip()
    return int(value) if value else None


def checkpoint(label: str) -> None:
    """Call before every write, rename, replace or delete a publish makes.

    With the env var unset this is a no-op; with N it kills the process (no cleanup,
    no `finally`) just before the N-th such step, leaving the disk as a crash would.
    """
    global _limit, _loaded, _count
    if not _loaded:
        _limit, _loaded = _read_limit(), True
    if _limit is None:
        return
    _count += 1
    if _count >= _limit:
        os.kill(os.getpid(), signal.SIGKILL)


def reset() -> None:
    """Forget the env value and the count (tests that change the env in-process)."""
    global _limit, _loaded, _count
    _limit, _loaded, _count = None, False, 0
