"""With PREFECT_API_URL set, runs go to that Prefect server: state, tasks and artifact."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE

BPW = str(Path(sys.executable).with_name("bpw"))


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `prefect server start` on loopback (a free port, its own PREFECT_HOME)."""
    from flows.serve import LocalServer, free_port

    with LocalServer(tmp_path_factory.mktemp("prefect-server"), port=free_port()) as server:
        yield server.api_url


@pytest.fixture(scope="module")
def ingested(prefect_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`bpw ingest` of the real sample, in a subprocess pointed at the server (its run
    logging at DEBUG)."""
    home = tmp_path_factory.mktemp("home")
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_server,
        "PREFECT_HOME": str(tmp_path_factory.mktemp("client-prefect")),
    }
    env.pop("BPW_HOME", None)
    result = subprocess.run(
        [BPW, "--home", str(home), "--log-level", "debug", "ingest", str(SAMPLE)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (summary_path,) = (home / "runs").glob("*.json")
    return {
        "summary": json.loads(summary_path.read_text(encoding="utf-8")),
        "stderr": result.stderr,
    }


def _client(api_url: str):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    class _Scoped:
        def __enter__(self):
            self._settings = temporary_settings(updates={PREFECT_API_URL: api_url})
            self._settings.__enter__()
            self._client = get_client(sync_client=True)
            return self._client.__enter__()

        def __exit__(self, *exc):
            self._client.__exit__(*exc)
            self._settings.__exit__(*exc)

    return _Scoped()


def _nightly_runs(client) -> list:
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    return client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["nightly"])))


def test_the_run_is_recorded_on_the_external_server_as_completed(prefect_server, ingested):
    with _client(prefect_server) as client:
        (run,) = _nightly_runs(client)
    assert run.state.is_completed(), run.state
    assert run.parameters["paths"] == [str(SAMPLE)]
    assert "Starting temporary server" not in ingested["stderr"]


def test_every_stage_is_a_completed_task_run_on_the_server(prefect_server, ingested):
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with _client(prefect_server) as client:
        (run,) = _nightly_runs(client)
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
        )
    names = {task.name.rsplit("-", 1)[0]: task.state.type.value for task in tasks}
    for stage in ("discover", "read-and-check-chunk", "gate-batch", "archive-and-quarantine",
                  "publish", "build-data-docs"):  # fmt: skip
        assert names.get(stage) == "COMPLETED", names


def test_the_run_publishes_its_summary_as_a_markdown_artifact(prefect_server, ingested):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    summary = ingested["summary"]
    with _client(prefect_server) as client:
        (run,) = _nightly_runs(client)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
    (artifact,) = [a for a in artifacts if a.key == "bpw-run-summary"]
    assert artifact.type == "markdown"
    assert f"# bpw run {summary['run_id']}" in artifact.data
    assert "| 2026 | 广州互联网法院 | 广州互联网法院.txt | 17 | 71 | 5373.55 | 1 |" in artifact.data
    assert "declared_total_rounding" in artifact.data  # the warning, spelled out
    assert summary["reports"]["run_html"] in artifact.data
    assert summary["reports"]["data_docs"] in artifact.data


STAGES = ("discover", "read", "gate", "archive", "publish", "data docs")


def _post(api_url: str, path: str, payload: dict) -> list[dict]:
    import httpx

    reply = httpx.post(f"{api_url.rstrip('/')}/{path}", json=payload, timeout=30)
    reply.raise_for_status()
    return reply.json()


def test_the_console_shows_each_stage_once_and_none_of_prefects_run_chatter(ingested):
    run_id, stderr = ingested["summary"]["run_id"], ingested["stderr"]
    for stage in STAGES:
        shown = re.findall(rf"^\S+ \S+ bpw {run_id} {stage}: .*$", stderr, re.MULTILINE)
        assert len(shown) == 1, (stage, stderr)
    # the run log's own lines (its warning count is a WARNING) stay off the console too
    for chatter in ("Beginning flow run", "Finished in state", "Created task run", "View at",
                    "| INFO", "| DEBUG", "| WARNING", "loaded: ", "in loaded files"):  # fmt: skip
        assert chatter not in stderr


def test_the_flow_runs_log_on_the_server_has_the_stage_lines_at_the_chosen_level(
    prefect_server, ingested
):
    summary = ingested["summary"]
    flow_run_id, run_id = summary["flow_run_id"], summary["run_id"]
    query = {"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "sort": "TIMESTAMP_ASC"}
    logs = _post(prefect_server, "logs/filter", query)
    messages = [log["message"] for log in logs]
    for stage in STAGES:
        assert any(m.startswith(f"{stage}: ") for m in messages), (stage, messages)
    assert any(m.startswith(f"run {run_id}: 1 file(s) loaded, 0 rejected") for m in messages)
    assert "loaded: 2026 广州互联网法院 广州互联网法院.txt: 17 projects, 71 indicators, " \
           "1 warning(s)" in messages  # `--log-level debug`  # fmt: skip
    (tagged,) = _post(prefect_server, "flow_runs/filter",
                      {"flow_runs": {"tags": {"all_": [f"bpw-run:{run_id}"]}}})  # fmt: skip
    assert tagged["id"] == flow_run_id and tagged["name"] == run_id
