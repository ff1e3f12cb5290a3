"""Which Prefect server a run reports to, settled before Prefect is imported (start-up).

In order:
1. `$PREFECT_API_URL`: that server.
2. The server `bpw serve` keeps, when it answers: `bpw serve` records its API URL and
   pid in `$PREFECT_HOME/bpw-server.json` while it runs (`record_server`), so a run
   reuses it and starts nothing (start-up is then bpw's and Prefect's imports only).
3. Else a temporary server, as Prefect would start one — the same `uvicorn … create_app`
   command and environment as `prefect.server.api.server.SubprocessASGIServer` (UI off,
   ephemeral services), on the same `$PREFECT_HOME` database, stopped when the run ends —
   but started here, first thing. Prefect would start it only when the flow is called,
   after this process imported Prefect and bpw (≈ 3 s) and Prefect's whole server package
   (≈ 4 s, only to find the class that starts it); started first, the server's own
   start-up (≈ 7–8 s of CPU: importing Prefect and its server, then the app) runs on the
   other core while this process imports, and the client never imports the server.

Prefect's floor (CPU seconds, 2 cores; `benchmarks/startup.py` measures each phase): a
temporary server needs ≈ 7.3 s to answer — import prefect 1.9–2.1, its server package
3.3–3.7, `create_app` 0.7, the database (migrations) check 0.25, the app's lifespan
(the check again, block types, docket, services) 0.7 — so a run that starts one cannot
start in under ≈ 7 s however little bpw does. With a server answering (1. or 2.) a run
over an empty folder takes ≈ 4.2 s of CPU in one process: Prefect's import 1.7–1.8,
its parameter encoder (FastAPI, imported at the flow call) 0.3, the flow run (its API
calls, the task runner) ≈ 0.4; bpw's share is the command line with typer 0.2, the
pipeline's modules (polars, transforms, report templates) 0.7 and the flow module's
other imports 0.5.

Not done: keeping a temporary server alive between commands (detached, stopped after
some idle minutes). It would make a second plain `bpw ingest` start like one beside
`bpw serve`, but a command would leave a process behind that outlives it, holds a port
and the `$PREFECT_HOME` database, and must be leased by every run so that it is not
stopped under a long one — for what `bpw serve` (or `$PREFECT_API_URL`) already gives.

Everything here is stdlib: importing it costs nothing.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.serve import SERVER_RECORD, free_port, is_healthy
from flows.settings import prefect_api_url, use_prefect_api

HEALTH_TIMEOUT_SECONDS = 1.0  # a recorded server that does not answer within this is gone
DEFAULT_STARTUP_TIMEOUT_SECONDS = 120.0  # a new PREFECT_HOME migrates its database first
# what Prefect's SubprocessASGIServer sets for its temporary server
TEMPORARY_SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def recorded_server(prefect_home: Path, timeout: float = HEALTH_TIMEOUT_SECONDS) -> str | None:
    """The API URL `bpw serve` recorded under `prefect_home`, if its process lives and the
    server answers its health check; else None (a stale record is ignored, not trusted)."""
    try:
        record = json.loads((Path(prefect_home) / SERVER_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = record.get("api_url") if isinstance(record, dict) else None
    if not isinstance(url, str) or not _alive(record.get("pid")):
        return None
    return url if is_healthy(url, timeout=timeout) else None


def startup_timeout() -> float:
    """$PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, as Prefect reads it."""
    text = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "")
    try:
        return max(float(text), 1.0)
    except ValueError:
        return DEFAULT_STARTUP_TIMEOUT_SECONDS


class TemporaryServerFailed(RuntimeError):
    """The temporary Prefect server exited or never answered."""


@dataclass
class TemporaryServer:
    """Prefect's temporary server, started by bpw at once (see the module's docstring)."""

    port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def command(self) -> list[str]:
        import importlib.util

        spec = importlib.util.find_spec("prefect")  # finds, does not import
        if spec is None or spec.origin is None:
            raise TemporaryServerFailed("prefect is not installed")
        app_dir = Path(spec.origin).parent.parent
        return [
            sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir),
            "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "error", "--lifespan", "on",
        ]  # fmt: skip

    def start(self) -> TemporaryServer:
        self.port = self.port or free_port()
        env = {**os.environ, **TEMPORARY_SERVER_ENV}
        env.pop("PREFECT_API_URL", None)  # the server is the API
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, env=env)
        atexit.register(self.stop)  # whatever ends the run, the server goes with it
        return self

    def wait(self, timeout: float | None = None) -> str:
        """Block until the server answers; its API URL."""
        limit = timeout or startup_timeout()
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise TemporaryServerFailed(f"the temporary Prefect server exited ({code})")
            if is_healthy(self.api_url, timeout=1.0):
                return self.api_url
            time.sleep(0.05)
        raise TemporaryServerFailed(
            f"the temporary Prefect server did not answer within {limit:.0f} s"
        )

    def stop(self) -> None:
        """As Prefect stops its own: TERM, up to 5 s, then KILL."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class RunApi:
    """The server a run reports to: `url` now, or `temporary` (whose URL is set in the
    environment already; `ready()` waits until it answers)."""

    url: str
    source: str  # "environment", "bpw serve" or "temporary"
    temporary: TemporaryServer | None = None

    def ready(self) -> str:
        if self.temporary is not None:
            return self.temporary.wait()
        return self.url

    def close(self) -> None:
        if self.temporary is not None:
            self.temporary.stop()


def choose_api(prefect_home: Path) -> RunApi:
    """$PREFECT_API_URL, else the answering server of `bpw serve`, else a temporary server
    started now. Sets $PREFECT_API_URL for this process (and the processes it starts):
    call before `prefect` is imported."""
    external = prefect_api_url()
    if external:
        return RunApi(external, "environment")
    served = recorded_server(prefect_home)
    if served:
        use_prefect_api(served)
        return RunApi(served, "bpw serve")
    server = TemporaryServer().start()
    use_prefect_api(server.api_url)
    return RunApi(server.api_url, "temporary", server)
