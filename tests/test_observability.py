"""What a run leaves for people to read — run json and html, the Prefect artifact, progress
lines — and how runs survive trouble: I/O retries, a publish that fails half-way."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import duckdb
import pytest

from tests import prefect_harness
from tests.conftest import SAMPLE
from tests.inline_flow import run_nightly, warehouse_state

BAD_AMOUNT = ("572.90", "57x.90")  # the first project's 总计 is no longer a number


def _inputs(root: Path, *, bad: bool = True, extra: str = "") -> Path:
    """A folder with the real sample (changed by `extra`) and, if asked, a rejected copy."""
    good = root / "2026" / "广州互联网法院.txt"
    good.parent.mkdir(parents=True, exist_ok=True)
    good.write_text(SAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    if bad:
        rejected = root / "2027" / "坏表.txt"
        rejected.parent.mkdir(parents=True, exist_ok=True)
        rejected.write_text(SAMPLE.read_text(encoding="utf-8").replace(*BAD_AMOUNT, 1), "utf-8")
    return root


def _total(home: Path) -> str:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        ((total,),) = con.sql(
            "select sum(total_amount)::varchar from fact_project_budget"
        ).fetchall()
    return total


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One run (inline, no server) that loads the sample and rejects a bad copy of it."""
    home = tmp_path_factory.mktemp("home")
    inputs = _inputs(tmp_path_factory.mktemp("inputs"))
    return {"home": home, "summary": run_nightly(home=str(home), paths=[str(inputs)])}


# --- runs/<run>.json and runs/<run>.html --------------------------------------------


def test_every_run_writes_its_summary_as_json_and_as_html(run):
    summary, runs = run["summary"], run["home"] / "runs"
    stored = json.loads((runs / f"{summary['run_id']}.json").read_text(encoding="utf-8"))
    assert stored["run_id"] == summary["run_id"]
    assert stored["reports"]["run_html"] == str(runs / f"{summary['run_id']}.html")
    assert (runs / f"{summary['run_id']}.html").is_file()


def test_the_html_summary_reads_offline_and_says_what_happened(run):
    summary = run["summary"]
    page = Path(summary["reports"]["run_html"]).read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=|<script|<link|@import|url\(", page, re.IGNORECASE)
    assert "<style>" in page and "<meta charset='utf-8'>" in page
    for text in ("广州互联网法院", "5373.55", "坏表.txt", "declared_total_rounding",
                 summary["reports"]["data_docs"]):  # fmt: skip
        assert text in page


def test_status_lists_the_run(run):
    from flows.settings import load_settings
    from interface.status import last_runs

    (line,) = last_runs(load_settings(run["home"]))
    assert line.startswith(f"{run['summary']['run_id']}: 1 loaded, 1 rejected")


# --- the Prefect artifact -------------------------------------------------------------


def test_the_artifact_has_files_loaded_rejected_rows_warnings_and_where_reports_are(run):
    from pipeline.summary import RunSummary

    summary = run["summary"]
    markdown = RunSummary.from_dict(summary).to_markdown()
    assert "| 1 | 1 | 0 | 17 | 71 | 1 |" in markdown  # loaded, rejected, unchanged, rows, warnings
    assert "| 2026 | 广州互联网法院 | 广州互联网法院.txt | 17 | 71 | 5373.55 | 1 |" in markdown
    assert "## Rejected" in markdown and "| 坏表.txt |" in markdown
    assert "## Warnings" in markdown and "declared_total_rounding" in markdown
    (report,) = summary["reports"]["rejected"].values()
    for path in (summary["reports"]["run_json"], summary["reports"]["run_html"],
                 summary["reports"]["data_docs"], report):  # fmt: skip
        assert f"`{path}`" in markdown
        assert Path(path).exists()


# --- progress ---------------------------------------------------------------------------


def test_off_a_terminal_each_stage_ends_with_one_plain_timestamped_line():
    from flows.progress import RunProgress

    stream = io.StringIO()
    with RunProgress("run-1", stream=stream) as progress:
        with progress.stage("read", total=3) as stage:
            for _ in range(3):
                stage.advance()
            stage.note = "40 file(s)"
        with progress.stage("publish") as stage:
            stage.note = "manifest version 2"
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d bpw run-1 read: 3/3, 40 file\(s\) "
                        r"\(\d+\.\d s\)", lines[0])  # fmt: skip
    assert "\x1b" not in stream.getvalue()


def test_a_failing_stage_says_so():
    from flows.progress import RunProgress

    stream = io.StringIO()
    with (
        pytest.raises(OSError),
        RunProgress("run-1", stream=stream) as progress,
        progress.stage("publish"),
    ):
        raise OSError("disk gone")
    assert "publish: failed" in stream.getvalue()


def test_on_a_terminal_the_stages_are_a_live_progress_display():
    from flows.progress import RunProgress

    stream = io.StringIO()
    with (
        RunProgress("run-1", stream=stream, live=True) as progress,
        progress.stage("read", total=2) as stage,
    ):
        stage.advance(2)
    shown = stream.getvalue()
    assert "read" in shown and "2/2" in shown
    assert "bpw run-1 read:" not in shown  # no plain log lines on a terminal


# --- resilience -------------------------------------------------------------------------


def test_a_publish_that_fails_half_way_leaves_the_previous_warehouse_serving(tmp_path, monkeypatch):
    import warehouse.lake

    home = tmp_path / "home"
    run_nightly(home=str(home), paths=[str(_inputs(tmp_path / "v1", bad=False))])
    before, total = warehouse_state(home), _total(home)

    def disk_died(*args, **kwargs):  # after the new Parquet files, before the manifest swap
        raise RuntimeError("the disk died mid-publish")

    monkeypatch.setattr(warehouse.lake, "write_manifest", disk_died)
    changed = _inputs(tmp_path / "v2", bad=False, extra="\n注：修订版\n")
    with pytest.raises(RuntimeError, match="mid-publish"):
        run_nightly(home=str(home), paths=[str(changed)])

    assert warehouse_state(home) == before
    assert _total(home) == total == "5373.550000"
    (failed,) = [json.loads(p.read_text("utf-8")) for p in (home / "runs").glob("*.json")
                 if json.loads(p.read_text("utf-8")).get("status") == "failed"]  # fmt: skip
    assert "mid-publish" in failed["error"]
    assert Path(failed["reports"]["run_html"]).is_file()

    monkeypatch.undo()
    again = run_nightly(home=str(home), paths=[str(changed)])
    assert [r["file_name"] for r in again["loaded"]] == ["广州互联网法院.txt"]


def test_disk_tasks_retry_on_os_error_only():
    from prefect.states import Failed

    from flows import nightly as module

    for task in (module.discover_files, module.check_chunk, module.archive_and_quarantine,
                 module.publish):  # fmt: skip
        assert task.retries == 2 and task.retry_condition_fn is module.on_os_error, task.name
    assert module.on_os_error(None, None, Failed(data=PermissionError("EACCES")))
    assert not module.on_os_error(None, None, Failed(data=ValueError("not a number")))


def test_a_read_that_failed_on_the_disk_raises_but_one_files_fault_does_not(monkeypatch):
    import zipfile

    from pipeline import steps
    from tests.conftest_warehouse import source_of

    source = source_of(SAMPLE)
    disk = OSError(5, "Input/output error", str(SAMPLE))
    monkeypatch.setattr(steps, "read_tables", lambda sources, limits: [disk])
    with pytest.raises(OSError, match="Input/output"):
        steps.read_chunk([source])
    denied = PermissionError(13, "Permission denied", str(SAMPLE))
    monkeypatch.setattr(steps, "read_tables", lambda sources, limits: [denied])
    (failure,) = steps.read_chunk([source]).failures
    assert (failure.rule, failure.bytes_unread) == ("unreadable", True)
    assert failure.message == "广州互联网法院.txt could not be read: Permission denied"
    monkeypatch.setattr(
        steps, "read_tables", lambda sources, limits: [zipfile.BadZipFile("not a zip")]
    )
    failures = steps.read_chunk([source]).failures
    assert [f.rule for f in failures] == ["unreadable"]
    assert "BadZipFile" in failures[0].message


@pytest.fixture(scope="module")
def prefect_api(request) -> None:
    prefect_harness.start(request.config)


def test_the_task_engine_retries_an_os_error_but_not_a_data_error(prefect_api):
    from prefect import flow, task

    from flows.nightly import IO_RETRIES

    calls: list[str] = []

    @task(**{**IO_RETRIES, "retry_delay_seconds": 0})
    def flaky(error: type[Exception]) -> str:
        calls.append(error.__name__)
        if len(calls) == 1:
            raise error("first attempt fails")
        return "ok"

    @flow
    def attempt(error: type[Exception]) -> str:
        return flaky(error)

    assert attempt(OSError) == "ok" and calls == ["OSError", "OSError"]
    calls.clear()
    with pytest.raises(ValueError):
        attempt(ValueError)
    assert calls == ["ValueError"]


def test_a_transient_publish_error_is_retried_and_the_run_completes(
    prefect_api, tmp_path, monkeypatch
):
    import warehouse.lake
    from flows.nightly import nightly

    real_publish, attempts = warehouse.lake.publish, []

    def flaky_publish(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError(5, "Input/output error")
        return real_publish(*args, **kwargs)

    monkeypatch.setattr(warehouse.lake, "publish", flaky_publish)
    home = tmp_path / "home"
    summary = nightly(home=str(home), paths=[str(SAMPLE)])

    assert len(attempts) == 2
    assert summary["rows"]["projects"] == 17 and summary["exit_status"] == 0
    assert _total(home) == "5373.550000"


# --- the flow run's log and its link to bpw's run (a real Prefect server) ---------------


def _api(path: str, payload: dict | None = None) -> object:
    """The test server's REST API, as any Prefect client (or the UI) reads it."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    url = f"{PREFECT_API_URL.value().rstrip('/')}/{path}"
    reply = httpx.post(url, json=payload) if payload is not None else httpx.get(url)
    reply.raise_for_status()
    return reply.json()


def _run_log(flow_run_id: str, last: str, seconds: float = 20.0) -> list[dict]:
    """The flow run's log lines, oldest first, once the line starting `last` arrived
    (Prefect sends them in batches, in the background)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        logs = _api("logs/filter", {"logs": {"flow_run_id": {"any_": [flow_run_id]}},
                                    "sort": "TIMESTAMP_ASC"})  # fmt: skip
        if any(log["message"].startswith(last) for log in logs) or time.monotonic() > deadline:
            return logs
        time.sleep(0.5)


@pytest.fixture(scope="module")
def served_runs(prefect_api, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The nightly flow on the test server, twice: at DEBUG, then at the default level
    (INFO); each loads the sample and rejects a bad copy of it."""
    from flows.nightly import nightly

    runs = {}
    for level in ("DEBUG", "INFO"):
        home = tmp_path_factory.mktemp(f"home-{level}")
        inputs = _inputs(tmp_path_factory.mktemp(f"inputs-{level}"))
        with pytest.MonkeyPatch.context() as patch:
            if level != "INFO":
                patch.setenv("BPW_LOG_LEVEL", level)
            else:
                patch.delenv("BPW_LOG_LEVEL", raising=False)
            summary = nightly(home=str(home), paths=[str(inputs)])
        record = json.loads(Path(summary["reports"]["run_json"]).read_text(encoding="utf-8"))
        log = _run_log(record["flow_run_id"], f"run {summary['run_id']}:")
        runs[level] = {"summary": summary, "record": record, "log": log}
    return runs


STAGES = ("discover", "read", "gate", "archive", "publish", "data docs")


def test_the_flow_runs_log_on_the_server_has_each_stage_the_findings_and_the_summary(
    served_runs,
):
    run = served_runs["INFO"]
    summary, lines = run["summary"], run["log"]
    messages = [log["message"] for log in lines]
    levels = {log["message"]: log["level"] for log in lines}
    for stage in STAGES:  # in order, one line each
        assert sum(m.startswith(f"{stage}: ") for m in messages) == 1, (stage, messages)
    starts = [next(i for i, m in enumerate(messages) if m.startswith(f"{s}: ")) for s in STAGES]
    assert starts == sorted(starts)
    discover = next(m for m in messages if m.startswith("discover: "))
    assert re.fullmatch(r"discover: 2 new, 0 unchanged, 0 refused \(\d+\.\d s\)", discover)
    (rejected,) = [m for m in messages if m.startswith("rejected: ")]
    assert rejected.startswith("rejected: 坏表.txt: declared_total_matches (error) at row ")
    assert levels[rejected] == logging.WARNING
    assert "1 warning(s) in loaded files" in " ".join(messages)
    (total,) = [m for m in messages if m.startswith(f"run {summary['run_id']}: ")]
    assert total.startswith(f"run {summary['run_id']}: 1 file(s) loaded, 1 rejected, "
                            "0 unchanged; 17 projects, 71 indicators")  # fmt: skip
    assert levels[total] == logging.INFO
    assert not [m for m in messages if m.startswith(("loaded: ", "warning: "))]  # DEBUG only


def test_at_debug_the_log_also_names_each_loaded_file_and_warning(served_runs):
    lines = served_runs["DEBUG"]["log"]
    debug = [log["message"] for log in lines if log["level"] == logging.DEBUG]
    assert "loaded: 2026 广州互联网法院 广州互联网法院.txt: 17 projects, 71 indicators, " \
           "1 warning(s)" in debug  # fmt: skip
    assert any(m.startswith("warning: 广州互联网法院.txt: declared_total_rounding") for m in debug)
    info = served_runs["INFO"]["log"]
    assert len(lines) > len(info)
    # the DEBUG run's level ended with it: the next run's log holds nothing below INFO
    assert min(log["level"] for log in info) == logging.INFO
    assert logging.getLogger("prefect.flow_runs").level == logging.NOTSET


def test_the_flow_run_carries_bpws_run_id_and_the_run_record_names_the_flow_run(served_runs):
    for run in served_runs.values():
        run_id, flow_run_id = run["summary"]["run_id"], run["record"]["flow_run_id"]
        flow_run = _api(f"flow_runs/{flow_run_id}")
        assert flow_run["name"] == run_id
        assert f"bpw-run:{run_id}" in flow_run["tags"]
        (found,) = _api("flow_runs/filter",
                        {"flow_runs": {"tags": {"all_": [f"bpw-run:{run_id}"]}}})  # fmt: skip
        assert found["id"] == flow_run_id
        assert run["summary"]["flow_run_id"] == flow_run_id


def test_a_failed_run_says_where_and_why_in_its_flow_runs_log(prefect_api, tmp_path, monkeypatch):
    import warehouse.lake
    from flows.nightly import nightly

    def disk_died(*args, **kwargs):
        raise RuntimeError("the disk died mid-publish")

    monkeypatch.setattr(warehouse.lake, "write_manifest", disk_died)
    home = tmp_path / "home"
    with pytest.raises(RuntimeError, match="mid-publish"):
        nightly(home=str(home), paths=[str(SAMPLE)])
    (record,) = [json.loads(p.read_text("utf-8")) for p in (home / "runs").glob("*.json")]
    assert record["status"] == "failed" and record["flow_run_id"]
    lines = _run_log(record["flow_run_id"], f"run {record['run_id']} failed")
    errors = [log["message"] for log in lines if log["level"] == logging.ERROR]
    assert any(re.match(r"publish: failed \(\d+\.\d s\): RuntimeError: the disk died", m)
               for m in errors), errors  # fmt: skip
    assert any(m.startswith(f"run {record['run_id']} failed: RuntimeError: the disk died")
               for m in errors), errors  # fmt: skip
