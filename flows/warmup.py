"""Process-level start-up and exit costs of a pipeline run, hidden where the process waits.

- `warm_gate()`: Great Expectations takes ≈ 3.7 s to import. While a temporary Prefect
  server starts (≈ 7 s, in its own process: `flows.api`), this process only imports and
  then waits; GX is imported on a thread meanwhile, so the gate finds it loaded (with a
  server already answering, beside the flow run's first API calls). The command line
  warms it only when the run's folders hold a file at all: a run over an empty inbox
  never imports it (warming takes longer than the temporary server's start).
- The heap then holds ≈ 400k objects of GX, pandas, Prefect and pydantic that live as
  long as the process. Every full garbage collection would scan them again while the
  run allocates millions of cells (reading M took 4.1 s instead of 3.0 s), so once the
  imports are done the heap is frozen (`gc.freeze`: those objects are never scanned
  again): after GX on the warming thread, else by `freeze_heap()` before the run.
- `freeze_at_exit()`: likewise the interpreter's final collection at exit (seconds over
  such a heap) skips frozen objects; everything is still released by the OS.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import threading


def _warm() -> None:
    with contextlib.suppress(Exception):  # the gate's own import raises it, if it must
        import great_expectations  # noqa: F401
    gc.freeze()  # the imports' objects (Prefect, GX, pandas) leave the collector's scans


def warm_gate() -> threading.Thread:
    """Start importing Great Expectations in the background; join the thread before exit."""
    thread = threading.Thread(target=_warm, name="bpw-warm-gate", daemon=True)
    thread.start()
    return thread


def freeze_at_exit() -> None:
    """At exit, freeze the heap: the final garbage collection then skips it."""
    atexit.register(gc.freeze)


def freeze_heap() -> None:
    """Freeze what is imported so far (a run that does not warm the gate)."""
    gc.freeze()
