"""Fault injection for crash tests: SIGKILL this process at the N-th publish write.

`BPW_FAULT_AFTER_WRITES=N` acts only together with the test-only switch
`BPW_FAULTS_I_AM_A_TEST=1`: set alone (a stray export, a copied environment) it is
ignored, with one warning line on stderr, and the run completes normally. Both are read
once, on the first checkpoint. This is the one environment read outside
`flows.settings`: the hook must work in any process that publishes, without threading a
test-only knob through every call.
"""

from __future__ import annotations

import os
import signal
import sys

ENV_VAR = "BPW_FAULT_AFTER_WRITES"
TEST_SWITCH = "BPW_FAULTS_I_AM_A_TEST"

_limit: int | None = None
_loaded = False
_count = 0


def _read_limit() -> int | None:
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    if os.environ.get(TEST_SWITCH, "").strip() != "1":
        print(
            f"bpw: warning: {ENV_VAR} is set but ignored: fault injection is a test hook "
            f"and acts only with {TEST_SWITCH}=1",
            file=sys.stderr,
            flush=True,
        )
        return None
    return int(value)


def armed() -> bool:
    """Will a checkpoint count (and, at the limit, kill)? Reads the env on first use."""
    global _limit, _loaded
    if not _loaded:
        _limit, _loaded = _read_limit(), True
    return _limit is not None


def checkpoint(label: str) -> None:
    """Call before every write, rename, replace or delete a publish makes.

    Unless armed (`BPW_FAULT_AFTER_WRITES=N` and `BPW_FAULTS_I_AM_A_TEST=1`) this is a
    no-op; armed, it kills the process (no cleanup, no `finally`) just before the N-th
    such step, leaving the disk as a crash would.
    """
    global _count
    if not armed():
        return
    _count += 1
    if _limit is not None and _count >= _limit:
        os.kill(os.getpid(), signal.SIGKILL)


def reset() -> None:
    """Forget the env values and the count (tests that change the env in-process)."""
    global _limit, _loaded, _count
    _limit, _loaded, _count = None, False, 0
