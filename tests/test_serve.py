"""`bpw serve`: the nightly deployment, its schedule, and the local server it brings along."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from flows.settings import DEPLOYMENT_NAME, NIGHTLY_CRON, NIGHTLY_TIMEZONE

REPO = Path(__file__).resolve().parent.parent
BPW = str(Path(sys.executable).with_name("bpw"))


def test_the_deployment_runs_at_two_in_the_morning_shanghai_time_one_at_a_time(tmp_path):
    from flows.nightly import nightly
    from flows.serve import nightly_deployment

    deployment = nightly_deployment(nightly, tmp_path)

    assert deployment.name == DEPLOYMENT_NAME == "bpw-nightly"
    assert deployment.flow_name == "nightly"
    (schedule,) = deployment.schedules
    assert schedule.active
    assert schedule.schedule.cron == NIGHTLY_CRON == "0 2 * * *"
    assert schedule.schedule.timezone == NIGHTLY_TIMEZONE == "Asia/Shanghai"
    assert deployment.concurrency_limit == 1
    assert deployment.parameters == {"home": str(tmp_path), "wait_for_lock_seconds": 21600}


def test_the_scheduler_fires_it_at_six_in_the_evening_utc(tmp_path):
    """The server's own schedule arithmetic: 02:00 Shanghai is 18:00 UTC the day before."""
    import asyncio

    from prefect.server.schemas.schedules import CronSchedule

    from flows.nightly import nightly
    from flows.serve import nightly_deployment

    client_side = nightly_deployment(nightly, tmp_path).schedules[0].schedule
    schedule = CronSchedule(cron=client_side.cron, timezone=client_side.timezone)
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    dates = asyncio.run(schedule.get_dates(n=2, start=start))
    assert [d.astimezone(UTC) for d in dates] == [
        datetime(2026, 11, 28, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 18, 0, tzinfo=UTC),
    ]
    assert {d.astimezone(ZoneInfo(NIGHTLY_TIMEZONE)).hour for d in dates} == {2}


def test_served_with_dask_the_deployment_reads_in_small_chunks_on_a_dask_runner(tmp_path):
    from prefect_dask import DaskTaskRunner

    from flows.nightly import nightly
    from flows.runners import DASK_CHUNK_SIZE, flow_parameters, with_task_runner
    from flows.serve import nightly_deployment

    flow = with_task_runner(nightly, "dask")
    deployment = nightly_deployment(flow, tmp_path, flow_parameters("dask"))

    assert isinstance(flow.task_runner, DaskTaskRunner)
    assert deployment.parameters == {
        "home": str(tmp_path),
        "wait_for_lock_seconds": 21600,
        "chunk_size": DASK_CHUNK_SIZE,
    }
    assert with_task_runner(nightly, "default") is nightly


def test_prefect_yaml_describes_the_same_deployment_for_a_work_pool():
    from prefect.cli.deploy._models import PrefectYamlModel

    config = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    PrefectYamlModel.model_validate(config)  # what `prefect deploy` accepts
    (deployment,) = config["deployments"]
    assert deployment["name"] == DEPLOYMENT_NAME
    assert deployment["entrypoint"] == "flows/nightly.py:nightly"
    assert deployment["schedules"] == [
        {"cron": NIGHTLY_CRON, "timezone": NIGHTLY_TIMEZONE, "active": True}
    ]
    assert deployment["concurrency_limit"] == 1
    assert deployment["work_pool"]["name"] == "bpw"


def test_the_prefect_yaml_entrypoint_is_the_nightly_flow(monkeypatch):
    from prefect.flows import load_flow_from_entrypoint

    monkeypatch.chdir(REPO)
    assert load_flow_from_entrypoint("flows/nightly.py:nightly").name == "nightly"


def test_a_local_server_that_cannot_start_says_why(tmp_path):
    from flows.serve import LocalServer, ServerFailed, free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        server = LocalServer(tmp_path / "prefect", port=taken.getsockname()[1])
        try:
            with pytest.raises(ServerFailed, match="exited"):
                server.start(timeout=60)
        finally:
            server.stop()
    assert server.process is None


def _read_until(process: subprocess.Popen, needle: str, timeout: float) -> str:
    """stdout of `process` up to the first line holding `needle`."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"no {needle!r} within {timeout} s:\n{''.join(seen)}")


def test_bpw_serve_starts_a_local_server_serves_the_deployment_and_stops_the_server(tmp_path):
    """Without PREFECT_API_URL: a `prefect server start` of its own, stopped on exit."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.serve import free_port, is_healthy

    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)
    serving = subprocess.Popen(
        [BPW, "--home", str(tmp_path / "home"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    api = f"http://127.0.0.1:{port}/api"
    try:
        shown = _read_until(serving, f"UI at http://127.0.0.1:{port}", timeout=90)
        shown += _read_until(serving, "nightly/bpw-nightly", timeout=60)
        deadline = time.monotonic() + 30
        with (
            temporary_settings(updates={PREFECT_API_URL: api}),
            get_client(sync_client=True) as client,
        ):
            while True:
                try:
                    deployment = client.read_deployment_by_name(f"nightly/{DEPLOYMENT_NAME}")
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        assert deployment.schedules[0].schedule.cron == NIGHTLY_CRON
        assert deployment.schedules[0].schedule.timezone == NIGHTLY_TIMEZONE
        assert deployment.parameters == {
            "home": str(tmp_path / "home"),
            "wait_for_lock_seconds": 21600,
        }
        assert deployment.global_concurrency_limit.limit == 1
        from flows.api import recorded_server

        assert recorded_server(tmp_path / "prefect") == api  # a run now would report there
    finally:
        serving.send_signal(signal.SIGINT)
        try:
            serving.wait(timeout=45)
        except subprocess.TimeoutExpired:
            serving.kill()
            raise
        finally:
            leftover = _stop_leftover_server(tmp_path / "prefect" / "bpw-server.pid")
    assert not leftover, "the local Prefect server outlived bpw serve"
    assert not is_healthy(api)
    assert (tmp_path / "prefect" / "bpw-server.log").exists(), shown
    assert not (tmp_path / "prefect" / "bpw-server.json").exists()  # the record went with it


def _stop_leftover_server(pid_file: Path) -> bool:
    """Kill the server a failed test left running (by the pid bpw serve recorded)."""
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text(encoding="utf-8"))
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True
