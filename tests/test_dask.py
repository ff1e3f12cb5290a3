"""`--task-runner dask`: each chunk read, normalized and gated on a local Dask cluster of
two worker processes (prefect-dask), and a warehouse identical to the default runner's
(threads, one chunk of every file)."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from tests import prefect_harness
from tests.conftest import SAMPLE
from tests.inline_flow import diff, warehouse_state

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CHUNK = 8  # 51 files → 7 read tasks, spread over both workers


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's samples (the real 2026 table and the 50 invented ones of `--history`)
    plus one file the gate rejects (an amount that is not a number)."""
    root = tmp_path_factory.mktemp("inputs")
    for part in ("2026", "synthetic"):
        shutil.copytree(
            SAMPLES / part, root / "samples" / part, ignore=shutil.ignore_patterns("*.md")
        )
    bad = root / "samples" / "2027" / "坏表.txt"
    bad.parent.mkdir()
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace("572.90", "57x.90", 1), "utf-8")
    newer = root / "samples" / "2026" / "广州互联网法院-更正.txt"
    newer.write_text(SAMPLE.read_text(encoding="utf-8") + "\n注：更正\n", "utf-8")
    os.utime(newer, (2_000_000_000, 2_000_000_000))
    return root / "samples"


@pytest.fixture(scope="module")
def runs(request, inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The same inputs ingested twice: default task runner, then Dask (2 processes)."""
    import dask

    from flows.nightly import nightly
    from flows.runners import build_task_runner

    prefect_harness.start(request.config)
    scratch = tmp_path_factory.mktemp("dask-temp")
    homes = {name: tmp_path_factory.mktemp(name) for name in ("default", "dask")}
    summaries = {"default": nightly(home=str(homes["default"]), paths=[str(inputs)])}
    runner = build_task_runner("dask", dashboard_address=":0")
    with dask.config.set({"temporary-directory": str(scratch)}):
        on_dask = nightly.with_options(task_runner=runner)
        summaries["dask"] = on_dask(home=str(homes["dask"]), paths=[str(inputs)], chunk_size=CHUNK)
    yield {"homes": homes, "summaries": summaries, "scratch": scratch}


def test_the_dask_run_builds_the_same_warehouse_as_the_default_runner(runs):
    default = warehouse_state(runs["homes"]["default"], mask_runs=True)
    on_dask = warehouse_state(runs["homes"]["dask"], mask_runs=True)
    assert set(default) == set(on_dask)
    assert any(view.startswith("fact_") for view in default)
    assert default == on_dask, diff(default, on_dask)


def test_both_runs_load_reject_and_warn_alike(runs):
    def essence(summary: dict) -> dict:
        return {
            "loaded": sorted((r["file_name"], r["year"], r["projects"], r["indicators"],
                              r["total_amount"], r["warnings"]) for r in summary["loaded"]),
            "rejected": sorted((r["file_name"], r["rule"], r["row"]) for r in summary["rejected"]),
            "superseded": sorted(r["file_name"] for r in summary["superseded_in_run"]),
            "warnings": sorted(summary["warnings"]),
            "rows": summary["rows"],
        }  # fmt: skip

    default, on_dask = (essence(runs["summaries"][k]) for k in ("default", "dask"))
    assert default == on_dask
    assert len(default["loaded"]) == 51  # 40 invented 目标表, 10 自评表 and the real table
    assert [r[0] for r in default["rejected"]] == ["坏表.txt"]


def test_dask_workers_kept_their_scratch_space_in_the_given_temp_dir(runs):
    assert (runs["scratch"] / "dask-scratch-space").is_dir()


def test_the_dask_run_built_its_reports_and_data_docs(runs):
    home = runs["homes"]["dask"]
    run_id = runs["summaries"]["dask"]["run_id"]
    assert (home / "runs" / f"{run_id}.html").is_file()
    assert (home / "docs" / "index.html").is_file()
    assert list((home / "docs" / "validations" / "projects").glob(f"{run_id}/*/*.html"))


def test_what_a_chunk_task_returns_survives_pickling_between_processes():
    from pipeline import steps
    from tests.conftest_warehouse import source_of

    chunk = steps.check_chunk([source_of(SAMPLE)])
    back = pickle.loads(pickle.dumps(chunk))
    assert back.frames.projects.height == 17
    assert back.frames.projects.equals(chunk.frames.projects)
    assert back.failures == chunk.failures and set(back.checks) == set(chunk.checks)
    assert all(back.checks[name].equals(frame) for name, frame in chunk.checks.items())


def test_what_the_assembly_returns_survives_pickling(sample_frames):
    from expectations.datadocs import compact_result
    from expectations.gate import recording_validations, run_gate
    from pipeline.run import GateRun
    from pipeline.steps import GateOutcome

    with recording_validations() as validations:
        findings = run_gate(sample_frames)
    gated = GateRun(GateOutcome(sample_frames, findings, set()), [],
                    [compact_result(v) for v in validations])  # fmt: skip
    back = pickle.loads(pickle.dumps(gated))
    assert back.outcome.frames.projects.equals(sample_frames.projects)
    assert back.outcome.findings.equals(findings)
    assert [v.suite_name for v in back.validations] == [v.suite_name for v in validations]
    assert isinstance(back.outcome.findings, pl.DataFrame)


def test_an_address_selects_an_existing_cluster_and_needs_dask():
    from prefect_dask import DaskTaskRunner

    from flows.runners import TaskRunnerChoiceError, build_task_runner

    runner = build_task_runner("dask", "tcp://scheduler:8786")
    assert isinstance(runner, DaskTaskRunner) and runner.address == "tcp://scheduler:8786"
    assert build_task_runner("default") is None
    with pytest.raises(TaskRunnerChoiceError):
        build_task_runner("default", "tcp://scheduler:8786")
