"""Process-level start-up and exit costs of a pipeline run, hidden where the process waits.

- `warm_gate()`: Great Expectations takes ≈ 3.7 s to import. Prefect's temporary server
  takes ≈ 7 s to start, mostly in a subprocess while this process only polls it. So GX
  is imported on a thread once Prefect has imported its own server module (that import
  holds the GIL too: racing it would only slow both); the gate then finds GX loaded.
  With an external server (PREFECT_API_URL) there is no wait to hide behind: the
  thread imports at once, beside the flow's first tasks.
- The heap then holds ≈ 400k objects of GX, pandas, Prefect and pydantic that live as
  long as the process. Every full garbage collection would scan them again while the
  run allocates millions of cells (reading M took 4.1 s instead of 3.0 s), so once GX is
  loaded the heap is frozen (`gc.freeze`: those objects are never scanned again).
- `freeze_at_exit()`: likewise the interpreter's final collection at exit (seconds over
  such a heap) skips frozen objects; everything is still released by the OS.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import sys
import threading
import time

WAIT_FOR_SERVER_SECONDS = 15.0
_SERVER_MODULE = "prefect.server.api.server"


def _server_imported() -> bool:
    module = sys.modules.get(_SERVER_MODULE)
    return module is not None and hasattr(module, "SubprocessASGIServer")


def _external_server() -> bool:
    with contextlib.suppress(Exception):
        from prefect.settings import PREFECT_API_URL

        return bool(PREFECT_API_URL.value())
    return False


def _warm() -> None:
    if not _external_server():
        deadline = time.monotonic() + WAIT_FOR_SERVER_SECONDS
        while not _server_imported() and time.monotonic() < deadline:
            time.sleep(0.05)
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
