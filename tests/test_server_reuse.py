"""A run reports to the Prefect server `bpw serve` keeps, when it answers, instead of
starting a temporary one; a stale record is never trusted; the temporary server bpw
starts itself answers, and is gone when stopped — also when the run it was started for
is refused (it starts before the run's lock is probed: its start is the long pole)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.api import TemporaryServer, choose_api, recorded_server
from flows.serve import SERVER_RECORD, LocalServer, free_port, is_healthy, record_server
from flows.settings import load_settings
from interface.cli import app
from pipeline.datahome import run_lock
from tests.conftest import SAMPLE

BPW = str(Path(sys.executable).with_name("bpw"))


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real `prefect server start` (its database in its own folder), recorded as
    `bpw serve` records it under another PREFECT_HOME, the one runs will use."""
    server_home = tmp_path_factory.mktemp("server-prefect")
    client_home = tmp_path_factory.mktemp("client-prefect")
    with LocalServer(server_home, port=free_port()) as server:
        assert server.process is not None
        record_server(client_home, server.api_url, server.process.pid)
        yield server.api_url, client_home


def test_a_run_reports_to_the_recorded_server_and_starts_none(served, tmp_path: Path) -> None:
    api_url, client_home = served
    env = {**os.environ, "PREFECT_HOME": str(client_home)}
    env.pop("PREFECT_API_URL", None)
    env.pop("BPW_HOME", None)
    home = tmp_path / "home"
    done = subprocess.run([BPW, "--home", str(home), "ingest", str(SAMPLE)],
                          capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (summary,) = [json.loads(p.read_text("utf-8")) for p in (home / "runs").glob("*.json")]
    import httpx

    reply = httpx.get(f"{api_url}/flow_runs/{summary['flow_run_id']}", timeout=30)
    assert reply.status_code == 200, reply.text  # on the served server's own database
    assert reply.json()["name"] == summary["run_id"]
    assert reply.json()["state"]["type"] == "COMPLETED"
    assert not (client_home / "prefect.db").exists()  # no temporary server ran


def test_the_recorded_server_is_chosen_unless_the_environment_names_one(
    served, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_url, client_home = served
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    api = choose_api(client_home)
    assert (api.source, api.url, api.temporary) == ("bpw serve", api_url, None)
    assert os.environ["PREFECT_API_URL"] == api_url
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert choose_api(client_home).source == "environment"


def test_a_stale_record_is_ignored(served, tmp_path: Path) -> None:
    api_url, _ = served
    record_server(tmp_path, api_url, dead_pid())  # the process that ran it is gone
    assert recorded_server(tmp_path) is None
    record_server(tmp_path, f"http://127.0.0.1:{free_port()}/api", os.getpid())  # no answer
    assert recorded_server(tmp_path) is None
    (tmp_path / SERVER_RECORD).write_text("{torn", encoding="utf-8")
    assert recorded_server(tmp_path) is None
    record_server(tmp_path, api_url, os.getpid())
    assert recorded_server(tmp_path) == api_url


def test_the_temporary_server_answers_until_stopped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    server = TemporaryServer().start()
    try:
        url = server.wait(timeout=300)
        assert url == server.api_url and is_healthy(url)
        process = server.process
    finally:
        server.stop()
    assert process is not None and process.poll() is not None
    assert not is_healthy(url) and server.process is None
    assert (tmp_path / "prefect" / "prefect.db").exists()  # Prefect's own database there


def test_a_refused_run_stops_the_temporary_server_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    started: list[subprocess.Popen] = []
    start = TemporaryServer.start

    def spy(self: TemporaryServer) -> TemporaryServer:
        start(self)
        assert self.process is not None
        started.append(self.process)
        return self

    monkeypatch.setattr(TemporaryServer, "start", spy)
    settings = load_settings(tmp_path / "home").ensure()
    empty = tmp_path / "empty"
    empty.mkdir()
    with run_lock(settings):  # another run holds the data home
        result = CliRunner().invoke(app, ["--home", str(settings.home), "ingest", str(empty)])
    assert result.exit_code == 75, result.output
    assert "another run is using this data home" in result.stderr
    (process,) = started  # a server was started for the run …
    assert process.poll() is not None  # … and is gone before bpw returns
    assert not list(settings.runs.glob("*"))
