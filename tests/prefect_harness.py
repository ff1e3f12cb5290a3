"""One Prefect test harness for the whole pytest session (it costs ≈ 11 s to start).

Test modules whose flows need a real task runner (Dask, retries through the task
engine) call `start(request.config)` from a fixture; the first call starts
`prefect.testing.utilities.prefect_test_harness` (a temporary server on a temporary
database), later calls reuse it, and pytest stops it when the session ends. Tests
where a server is not the point run the flow's plain pipeline (`tests/inline_flow.py`).
"""

from __future__ import annotations

from typing import Any

_harness: Any = None


def start(config: Any) -> None:
    """Enter the shared harness once per session; `config.add_cleanup` exits it."""
    global _harness
    if _harness is not None:
        return
    from flows.settings import configure_prefect

    configure_prefect()
    from prefect.testing.utilities import prefect_test_harness

    harness = prefect_test_harness(server_startup_timeout=120)
    harness.__enter__()
    _harness = harness

    def stop() -> None:
        global _harness
        _harness = None
        harness.__exit__(None, None, None)

    config.add_cleanup(stop)
