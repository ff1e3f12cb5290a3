"""`bpw serve`: the nightly deployment on its cron schedule, on a Prefect server that schedules.

Prefect's temporary (ephemeral) server never schedules anything. So without
`$PREFECT_API_URL`, `bpw serve` starts `prefect server start` on loopback as a
subprocess, waits until it answers, serves the deployment there and stops the server
on exit; with `$PREFECT_API_URL` it serves on that server. While its own server runs,
its API URL is recorded in `$PREFECT_HOME/bpw-server.json`: a `bpw ingest` or
`bpw nightly` started meanwhile reports there instead of starting a temporary server
(`flows.api`). The deployment itself is
built by `nightly_deployment` (a test checks its name, schedule and time zone without
any server), and `prefect.yaml` describes the same deployment for a work pool.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.settings import (
    DEPLOYMENT_NAME,
    LOCAL_SERVER_HOST,
    LOCAL_SERVER_PORT,
    NIGHTLY_CRON,
    NIGHTLY_TIMEZONE,
    SCHEDULED_LOCK_WAIT_SECONDS,
    Settings,
    configure_prefect,
    prefect_api_url,
    use_prefect_api,
)
from warehouse.fsio import write_text_atomic

READY_TIMEOUT_SECONDS = 180.0  # a new PREFECT_HOME runs migrations first (20+ s)
# while `bpw serve` runs its own server: its API URL, for runs to reuse (`flows.api`)
SERVER_RECORD = "bpw-server.json"


def record_server(prefect_home: Path, api_url: str, pid: int) -> Path:
    """Say (for runs started meanwhile) that the server at `api_url` serves this
    PREFECT_HOME, run by process `pid`."""
    path = Path(prefect_home) / SERVER_RECORD
    write_text_atomic(path, json.dumps({"api_url": api_url, "pid": pid}), "server record")
    return path


def forget_server(prefect_home: Path, pid: int) -> None:
    """Remove the record of server `pid` (a record another server wrote since stays)."""
    path = Path(prefect_home) / SERVER_RECORD
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
            path.unlink()


class ServerFailed(RuntimeError):
    """The local Prefect server exited or never answered."""


def port_is_free(port: int, host: str = LOCAL_SERVER_HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(preferred: int | None = None, host: str = LOCAL_SERVER_HOST) -> int:
    """`preferred` if nothing listens there, else a port the OS picks."""
    if preferred and port_is_free(preferred, host):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when the Prefect API at `api_url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class LocalServer:
    """`prefect server start` on loopback, as a child process with its own session.

    Its database lives in `prefect_home`; its output goes to `log_path`. Used as a
    context manager: started and healthy inside, stopped (TERM, then KILL) on exit.
    """

    prefect_home: Path
    port: int = LOCAL_SERVER_PORT
    host: str = LOCAL_SERVER_HOST
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def log_path(self) -> Path:
        return self.prefect_home / "bpw-server.log"

    @property
    def pid_path(self) -> Path:
        return self.prefect_home / "bpw-server.pid"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "prefect", "server", "start",
            "--host", self.host, "--port", str(self.port), "--analytics-off",
        ]  # fmt: skip

    def start(self, timeout: float = READY_TIMEOUT_SECONDS) -> LocalServer:
        self.prefect_home.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._environment(),
                start_new_session=True,  # Ctrl-C reaches bpw, which stops the server itself
            )
        write_text_atomic(self.pid_path, f"{self.process.pid}\n", "server pid")
        try:
            self.wait_until_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ, PREFECT_HOME=str(self.prefect_home))
        env.pop("PREFECT_API_URL", None)  # the server is the API; it must not look for one
        return env

    def wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerFailed(
                    f"prefect server exited with status {self.process.returncode}: "
                    f"{self.log_tail()}"
                )
            if is_healthy(self.api_url, timeout=1.0):
                return
            time.sleep(0.25)
        raise ServerFailed(f"prefect server not ready after {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:]) or "(empty log)"

    def stop(self, timeout: float = 15.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.pid_path.unlink(missing_ok=True)

    def __enter__(self) -> LocalServer:
        return self if self.process else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def deployment_options(home: Path, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """What defines the `nightly` deployment: its name, cron 02:00 Asia/Shanghai, the data
    home (and runner parameters) every scheduled run gets."""
    from prefect.schedules import Cron

    return {
        "name": DEPLOYMENT_NAME,
        "schedule": Cron(NIGHTLY_CRON, timezone=NIGHTLY_TIMEZONE),
        "parameters": {
            "home": str(home),
            "wait_for_lock_seconds": SCHEDULED_LOCK_WAIT_SECONDS,
            **(parameters or {}),
        },
        "description": "bpw nightly: ingest what is new or changed in the inbox, gate, publish.",
        "tags": ["bpw"],
    }


def nightly_deployment(flow: Any, home: Path, parameters: dict[str, Any] | None = None) -> Any:
    """The `nightly` deployment as `bpw serve` registers it: never two runs at once."""
    return flow.to_deployment(**deployment_options(home, parameters), concurrency_limit=1)


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM unwinds (and so stops the local server) like Ctrl-C, not a silent death."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def prefect_api(
    port: int, echo: Callable[[str], None], log_level: str | None = None
) -> Iterator[str]:
    """The API runs go to: $PREFECT_API_URL, else a local server started (and stopped) here.

    The served runs log at `log_level` (they inherit this process's environment)."""
    prefect_home = configure_prefect(log_level)
    external = prefect_api_url()
    if external:
        echo(f"bpw serve: using the Prefect server at {external}")
        yield external
        return
    with LocalServer(prefect_home, free_port(port)) as server:
        use_prefect_api(server.api_url)
        assert server.process is not None
        pid = server.process.pid
        record_server(prefect_home, server.api_url, pid)  # runs started meanwhile reuse it
        echo(
            f"bpw serve: started a local Prefect server; UI at {server.url} "
            f"(log {server.log_path}; stopped when bpw serve exits)"
        )
        try:
            yield server.api_url
        finally:
            forget_server(prefect_home, pid)


def serve_nightly(
    settings: Settings,
    task_runner: str = "default",
    dask_address: str | None = None,
    port: int = LOCAL_SERVER_PORT,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the nightly deployment until interrupted (Ctrl-C or SIGTERM)."""
    settings.ensure()
    with _terminate_as_exit(), prefect_api(port, echo, settings.log_level) as api_url:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from flows.nightly import nightly
        from flows.runners import flow_parameters, with_task_runner

        flow = with_task_runner(nightly, task_runner, dask_address)
        options = deployment_options(settings.home, flow_parameters(task_runner, dask_address))
        echo(
            f"bpw serve: deployment nightly/{DEPLOYMENT_NAME}, cron '{NIGHTLY_CRON}' "
            f"({NIGHTLY_TIMEZONE}), data home {settings.home}, task runner {task_runner}"
        )
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            # `Flow.serve` runs this very flow object (task runner included) for each
            # scheduled run; the deployment is `nightly_deployment`'s, limited to 1 run
            flow.serve(**options, global_limit=1, limit=1)
