"""Atomic runs: SIGKILL a real ingest at every write it makes; the warehouse a reader
sees is always exactly the state before the run or after it, and the next run
completes it. Readers holding the catalog open — read-only or writable — keep their
snapshot and never block a run.

The run under test (on a warehouse of three batches, manifest version 2) loads a new
version of one batch, supersedes an older draft of the same batch sent in the same
run, rejects a bad file, and garbage-collects the oldest lake files: it passes every
kind of write a run makes (archive, quarantine, lake, manifest, catalog, GC, runs/).
Each kill runs in its own process on its own copy of the warehouse
(`tests/inline_flow.py`: the flow's plain pipeline, no Prefect server); kills
run a few at a time while this process checks and recovers the ones that ended.
"""

from __future__ import annotations

import json
import os
import pickle
import queue
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from crash_points import kill_points, record_checkpoints
from hostile_corpus import budget_text, total_off_text, write
from inline_flow import (
    ForkServer,
    State,
    diff,
    masked,
    run_nightly,
    state_of,
    warehouse_state,
)

from warehouse import faults, lake
from warehouse.manifest import all_files, read_manifest

PARALLEL = 3  # runs at a time (2 cores; a forked run waits on its disk writes too)
MIN_KILL_POINTS = 20
T0 = 1_750_000_000.0  # file mtimes: the newest file of a batch wins
OTHER = "越秀区财政局"
BAD = "海珠区教育局"


@dataclass(frozen=True)
class Scenario:
    root: Path
    before_home: Path  # the warehouse before the run, with the run's files in its inbox
    before: State  # exact
    after: State  # RUN_COLUMNS masked (the run's id and clock differ from home to home)
    labels: list[str]  # the run's checkpoints, in order: kill point N stops before labels[N-1]


def _child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1", **extra}
    env.pop("BPW_HOME", None)
    return env


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a data home; its catalog is rebuilt to name the copy's own lake files."""
    shutil.copytree(source, target, symlinks=True)
    lake.rebuild_catalog_if_stale(target / "lake", target / "warehouse.duckdb")
    return target


def count_checkpoints(home: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run once in this process, recording every checkpoint label instead of counting."""
    labels = record_checkpoints(monkeypatch)
    run_nightly(home=str(home))
    monkeypatch.undo()
    return labels


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("faults")
    home = root / "before"
    inbox = home / "inbox"
    write(inbox / "2026" / "广州互联网法院.txt", budget_text(), T0)
    write(inbox / "2025" / "广州互联网法院.txt", budget_text(extra=Decimal(-20)), T0)
    assert run_nightly(home=str(home))["manifest_version"] == 1
    write(inbox / "2026" / f"{OTHER}.txt", budget_text(OTHER), T0)
    assert run_nightly(home=str(home))["manifest_version"] == 2
    before = warehouse_state(home)
    # the run under test: a new version, an older draft of the same batch, a bad table
    write(inbox / "2026" / "广州互联网法院.txt", budget_text(extra=Decimal(100)), T0 + 2000)
    write(inbox / "2026" / "广州互联网法院（初稿）.txt", budget_text(extra=Decimal(7)), T0 + 1000)
    write(inbox / "2026" / f"{BAD}.txt", total_off_text(BAD), T0 + 1000)
    probe = copy_home(home, root / "probe")
    with pytest.MonkeyPatch.context() as monkeypatch:
        labels = count_checkpoints(probe, monkeypatch)
    after = warehouse_state(probe, [home], mask_runs=True)
    return Scenario(root, home, before, after, labels)


def test_the_run_under_test_does_what_the_scenario_says(scenario: Scenario) -> None:
    columns, rows = scenario.after["dim_source_file"]
    name, status = columns.index("file_name"), columns.index("status")
    files = {(row[name], row[status]) for row in rows}
    assert {
        ("广州互联网法院.txt", "current"),  # 2026 v2, and 2025
        ("广州互联网法院.txt", "superseded"),  # 2026 v1
        ("广州互联网法院（初稿）.txt", "superseded"),  # older mtime, same run
        (f"{BAD}.txt", "rejected"),
        (f"{OTHER}.txt", "current"),
    } == files
    kinds = {label.split()[0] for label in scenario.labels}
    assert {"archive", "quarantine", "parquet", "manifest", "catalog", "gc", "run"} <= kinds
    assert len(scenario.labels) >= MIN_KILL_POINTS


@pytest.fixture(scope="module")
def forks(scenario: Scenario) -> Iterator[queue.Queue[ForkServer]]:
    """PARALLEL fork servers (tests/inline_flow.py), handed out one per worker thread."""
    pool: queue.Queue[ForkServer] = queue.Queue()
    servers = [ForkServer(scenario.root / f"forks{i}.log", _child_env()) for i in range(PARALLEL)]
    for server in servers:
        pool.put(server)
    yield pool
    for server in servers:
        server.close()


def _outcome(scenario: Scenario, home: Path) -> str:
    """'before' or 'after': which state the catalog in `home` shows (exactly)."""
    now = warehouse_state(home, [scenario.before_home])
    if now == scenario.before:
        return "before"
    now = masked(now)
    assert now == masked(scenario.after), f"neither before nor after: {diff(now, scenario.after)}"
    return "after"


def _check_recovered(scenario: Scenario, home: Path, summary: dict) -> None:
    """The next run completed the interrupted one: the after state, nothing half-written."""
    assert summary["files_new"] + summary["files_unchanged"] == 5  # the inbox
    now = warehouse_state(home, [scenario.before_home], mask_runs=True)
    assert now == scenario.after, diff(now, scenario.after)
    manifest = read_manifest(home / "lake")
    assert manifest["version"] == 3
    assert all((home / "lake" / rel).is_file() for rel in all_files(manifest))
    leftovers = [
        path for folder in ("archive", "quarantine", "runs", "lake")
        for path in (home / folder).rglob("*") if ".part" in path.name or ".tmp-" in path.name
    ] + list(home.glob("warehouse.duckdb.tmp-*"))  # fmt: skip
    assert not leftovers, leftovers
    archived = sorted(p.name.split(".")[0] for p in (home / "archive").rglob("*.*"))
    assert len(archived) == 6 and all(len(name) == 64 for name in archived)
    (report,) = (home / "quarantine").glob(f"*{BAD}/report.json")
    assert json.loads(report.read_text("utf-8"))["errors"][0]["rule"] == "declared_total_matches"


def test_kill_points_keep_both_ends_of_every_stretch() -> None:
    labels = ["archive a", "archive b", "archive c", "parquet x", "manifest", "catalog replace"]
    assert kill_points(labels) == [1, 3, 4, 5, 6]


def _kill_and_recover(scenario: Scenario, pool: queue.Queue[ForkServer], n: int) -> str:
    """Kill a run at its n-th write, check what a reader sees, run again, check the end."""
    server = pool.get()
    try:
        home = copy_home(scenario.before_home, scenario.root / f"kill{n:02d}")
        assert server.run(home, fault=n) == -signal.SIGKILL
        outcome = _outcome(scenario, home)
        assert server.run(home) == 0
        _check_recovered(scenario, home, server.summary(home))
        shutil.rmtree(home)
        return outcome
    except Exception as exc:
        where = f"kill point {n} (before '{scenario.labels[n - 1]}')"
        raise AssertionError(f"{where}: {exc!r}\n{server.log_tail()}") from exc
    finally:
        pool.put(server)


def test_a_kill_at_any_write_leaves_the_old_or_the_new_warehouse(
    scenario: Scenario, forks: queue.Queue[ForkServer]
) -> None:
    """N = 1…K: the run SIGKILLs itself before its N-th write (every kind it makes, at
    the first and last write of each stretch of one kind: `kill_points`)."""
    points = kill_points(scenario.labels)
    with ThreadPoolExecutor(PARALLEL) as workers:
        runs = {n: workers.submit(_kill_and_recover, scenario, forks, n) for n in points}
        outcomes = {n: run.result() for n, run in runs.items()}
    kinds = {label.split()[0] for label in scenario.labels}
    assert {scenario.labels[n - 1].split()[0] for n in outcomes} == kinds
    last = len(scenario.labels)
    assert outcomes[1] == "before" and outcomes[last] == "after"
    switch = min(n for n, outcome in outcomes.items() if outcome == "after")
    assert all(outcomes[n] == "after" for n in outcomes if n >= switch), outcomes
    assert all(outcomes[n] == "before" for n in outcomes if n < switch), outcomes
    assert scenario.labels[switch - 2] == "catalog replace", scenario.labels[switch - 2]


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "writable"])
def test_a_reader_holding_the_catalog_keeps_its_snapshot_and_never_blocks_a_run(
    scenario: Scenario, forks: queue.Queue[ForkServer], read_only: bool
) -> None:
    home = copy_home(scenario.before_home, scenario.root / f"reader-{read_only}")
    held = duckdb.connect(str(home / "warehouse.duckdb"), read_only=read_only)
    try:
        assert state_of(held, [home, scenario.before_home]) == scenario.before
        server = forks.get()
        try:
            assert server.run(home) == 0  # another process: DuckDB's file locks apply
            assert server.summary(home)["manifest_version"] == 3
        finally:
            forks.put(server)
        # the held connection still reads the whole previous version (its files are kept)
        assert state_of(held, [home, scenario.before_home]) == scenario.before
        fresh = subprocess.run(
            [sys.executable, "-c", _READ_STATE, str(home), str(scenario.before_home)],
            capture_output=True, env=_child_env(), timeout=120,
        )  # fmt: skip
        assert fresh.returncode == 0, fresh.stderr[-2000:]
        assert pickle.loads(fresh.stdout) == scenario.after  # a new reader: the new version
    finally:
        held.close()
    now = warehouse_state(home, [scenario.before_home], mask_runs=True)
    assert now == scenario.after, diff(now, scenario.after)


# a new reader, in another process (DuckDB shares one database instance per process)
_READ_STATE = f"""
import pickle, sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent)!r})
from inline_flow import warehouse_state
state = warehouse_state(Path(sys.argv[1]), [Path(sys.argv[2])], mask_runs=True)
sys.stdout.buffer.write(pickle.dumps(state))
"""


# --- the hook needs a second, test-only switch -----------------------------------------

WARNING = f"warning: {faults.ENV_VAR} is set but ignored"


def _run_with(home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """One ingest of `home` in a fresh process (tests/inline_flow.py), with `env` added."""
    script = Path(__file__).with_name("inline_flow.py")
    child_env = _child_env()
    child_env.pop(faults.TEST_SWITCH, None)  # only where the test gives it
    child_env.update(env)
    return subprocess.run(
        [sys.executable, str(script), str(home)], capture_output=True, text=True,
        env=child_env, timeout=300,
    )  # fmt: skip


def test_the_fault_variable_alone_is_ignored_with_a_warning_and_the_run_completes(
    tmp_path: Path,
) -> None:
    armed, alone = tmp_path / "armed", tmp_path / "alone"
    for home in (armed, alone):
        write(home / "inbox" / "2026" / "广州互联网法院.txt", budget_text(), T0)
    # the same variable with the switch kills the run at its first write
    killed = _run_with(armed, **{faults.ENV_VAR: "1", faults.TEST_SWITCH: "1"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert not (armed / "warehouse.duckdb").exists()
    # alone it does nothing but say so, once
    result = _run_with(alone, **{faults.ENV_VAR: "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["exit_status"] == 0 and len(summary["loaded"]) == 1
    warnings = [line for line in result.stderr.splitlines() if WARNING in line]
    assert len(warnings) == 1, result.stderr[-2000:]
    assert faults.TEST_SWITCH in warnings[0]
    assert read_manifest(alone / "lake")["version"] == 1
    with duckdb.connect(str(alone / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from fact_project_budget").fetchone() == (17,)


@pytest.mark.parametrize(
    ("env", "armed", "warned"),
    [
        ({}, False, False),
        ({faults.ENV_VAR: "1000"}, False, True),
        ({faults.ENV_VAR: "1000", faults.TEST_SWITCH: "0"}, False, True),
        ({faults.ENV_VAR: "1000", faults.TEST_SWITCH: "1"}, True, False),
        ({faults.TEST_SWITCH: "1"}, False, False),
    ],
    ids=["unset", "alone", "switch-off", "armed", "switch-only"],
)
def test_a_checkpoint_counts_only_when_armed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    armed: bool,
    warned: bool,
) -> None:
    """In this process (a limit of 1000 is never reached): unarmed, checkpoints neither
    count nor kill, and the variable set alone warns once however many there are."""
    for name in (faults.ENV_VAR, faults.TEST_SWITCH):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    faults.reset()
    try:
        for n in range(5):
            faults.checkpoint(f"step {n}")
        assert faults.armed() is armed
        assert faults._count == (5 if armed else 0)
        err = capsys.readouterr().err
        assert err.count(WARNING) == (1 if warned else 0), err
    finally:
        faults.reset()
