"""One run at a time per data home: a second run waits (--wait) or exits 75 with a clear
message, never publishing beside the first; a lock left by a killed run never blocks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_corpus import budget_text, write
from inline_flow import run_nightly

from pipeline.datahome import RunLocked
from warehouse.lake import current_batches
from warehouse.lock import LOCK_FILE, LockHeld, file_lock, holder
from warehouse.manifest import read_manifest

ROOT = Path(__file__).parent.parent

BPW = str(Path(sys.executable).with_name("bpw"))
INLINE_FLOW = str(Path(__file__).with_name("inline_flow.py"))
# holds the data home's run lock (as a run does) until killed or `seconds` pass
HOLDER = """
import sys, time
from pipeline.datahome import run_lock
from flows.settings import load_settings
with run_lock(load_settings(sys.argv[1]).ensure()):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _env() -> dict[str, str]:
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    env.pop("BPW_HOME", None)
    return env


def hold_lock(home: Path, seconds: float = 120.0) -> subprocess.Popen:
    """Another process holding the run lock (returns once it holds it)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home), str(seconds)],
        stdout=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    assert holder.stdout and holder.stdout.readline().strip() == "locked"
    return holder


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    write(home / "inbox" / "2026" / "广州互联网法院.txt", budget_text())
    return home


def test_a_second_bpw_nightly_exits_75_at_once_naming_the_run_that_holds_the_home(
    home: Path,
) -> None:
    holder = hold_lock(home)
    try:
        started = time.monotonic()
        result = subprocess.run(
            [BPW, "--home", str(home), "nightly"], capture_output=True, text=True, env=_env(),
            timeout=120,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    finally:
        stop(holder)
    assert result.returncode == 75, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"bpw: {home}: another run is using this data home (pid {holder.pid}")
    assert "--wait" in line
    assert elapsed < 30  # refused before any Prefect server starts
    assert not list((home / "runs").glob("*")) and read_manifest(home / "lake") == {}


def test_a_run_started_while_another_holds_the_home_is_refused_and_writes_nothing(
    home: Path,
) -> None:
    """What a scheduled run meets during a manual one (the flow itself takes the lock)."""
    holder = hold_lock(home)
    try:
        with pytest.raises(RunLocked, match=f"pid {holder.pid}"):
            run_nightly(home=str(home))
    finally:
        stop(holder)
    assert not list((home / "runs").glob("*")) and not list((home / "archive").glob("*"))
    assert read_manifest(home / "lake") == {}


def test_with_wait_the_second_run_waits_for_the_first_then_runs(home: Path) -> None:
    holder = hold_lock(home, seconds=2.0)
    try:
        started = time.monotonic()
        summary = run_nightly(home=str(home), wait_for_lock_seconds=60)
        waited = time.monotonic() - started
    finally:
        stop(holder)
    assert holder.returncode == 0  # the holder finished its two seconds
    assert waited >= 1.0 and len(summary["loaded"]) == 1


def test_a_lock_left_by_a_killed_run_is_recovered_at_once(home: Path) -> None:
    holder = hold_lock(home)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert "pid" in (home / ".bpw.lock").read_text()  # the dead holder's note stays…
    summary = run_nightly(home=str(home))  # …but the lock went with it: no wait, no error
    assert len(summary["loaded"]) == 1 and summary["manifest_version"] == 1


def test_two_runs_started_together_never_both_publish(home: Path) -> None:
    """Two real runs on one home at once: one loads the file; the other is refused
    (exit 1, RunLocked) or, if it came second, finds nothing new. One version, one file."""
    runs = [
        subprocess.Popen(
            [sys.executable, INLINE_FLOW, str(home)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )  # fmt: skip
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    codes = [run.returncode for run in runs]
    refused = [err for (_, err), code in zip(outputs, codes, strict=True) if code != 0]
    assert all("RunLocked" in err and "another run is using" in err for err in refused), refused
    assert codes.count(0) >= 1
    assert read_manifest(home / "lake")["version"] == 1
    batches = current_batches(home / "lake")
    assert batches.height == 1 and batches["status"].to_list() == ["current"]


# holds the lake's publish lock (as a publish does) until killed
PUBLISHER = """
import sys, time
from pathlib import Path
from warehouse.lock import publish_lock
with publish_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_the_publish_lock_and_the_run_lock_are_one_lock(tmp_path: Path) -> None:
    """The publish lock is the same `file_lock` as the run lock: a probe sees it held,
    a bounded wait gives up naming the holder, and a killed holder frees it at once."""
    lake = tmp_path / "lake"
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(lake)], stdout=subprocess.PIPE, text=True,
        env=_env(),
    )  # fmt: skip
    try:
        assert publisher.stdout and publisher.stdout.readline().strip() == "locked"
        assert holder(lake / LOCK_FILE) == ""  # held, without a note
        started = time.monotonic()
        with pytest.raises(LockHeld), file_lock(lake / LOCK_FILE, wait_seconds=0.5):
            pass
        assert time.monotonic() - started >= 0.5
    finally:
        stop(publisher)
    assert holder(lake / LOCK_FILE) is None
    with file_lock(lake / LOCK_FILE, wait_seconds=0, note="pid 1 since now"):
        assert (lake / LOCK_FILE).read_text() == "pid 1 since now"


def test_bpw_has_one_lock_implementation() -> None:
    users = sorted(
        path.relative_to(ROOT).as_posix()
        for package in ("flows", "interface", "pipeline", "warehouse", "transforms")
        for path in (ROOT / package).rglob("*.py")
        if "import fcntl" in path.read_text(encoding="utf-8")
    )
    assert users == ["warehouse/lock.py"]
