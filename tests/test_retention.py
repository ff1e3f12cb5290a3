"""Every version stays queryable: a superseded version's rows stay in the lake until the
retention policy (bpw.toml / environment) lets them go; the publish that drops them is
as crash-safe as any other, and garbage collection keeps what the policy keeps."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest_warehouse import SAMPLE_PROJECTS, SAMPLE_TOTAL, Home, Variant, frames_for
from crash_points import kill_points, kind, record_checkpoints

from flows.settings import SettingsError, load_settings
from warehouse import faults
from warehouse.lake import publish, rebuild_catalog_if_stale
from warehouse.manifest import all_files, manifest_history, read_manifest
from warehouse.retention import Retention

DAY0 = datetime(2026, 1, 1, 2, 0)
KEEP_ALL = Retention()


def publish_version(
    home: Home, inbox: Path, tag: str, when: datetime, policy: Retention = KEEP_ALL
) -> list[int]:
    """Publish another version of the sample batch (new bytes, same table); returns the
    ids whose rows the policy dropped."""
    home.runs += 1
    frames = frames_for(inbox, Variant(tag=tag)) if tag else frames_for(inbox, Variant())
    if tag == "-":  # nothing new: only the policy can change the lake
        frames = frames.for_files(set())
    result = publish(
        home.lake, home.catalog, frames, frames.files.clear(), frames.files.clear(),
        f"run{home.runs}", when, retention=policy,
    )  # fmt: skip
    return list(result.expired)


def rows_by_version(home: Home) -> dict[int, int]:
    return dict(home.query("select source_file_id, count(*) from lake_projects group by 1"))


def version_ids(home: Home) -> list[int]:
    """source_file_ids of the batch's versions, oldest first."""
    rows = home.query("select source_file_id from dim_source_file order by loaded_at")
    return [i for (i,) in rows]


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


def test_by_default_every_superseded_version_keeps_its_rows(home: Home, tmp_path: Path) -> None:
    for n, tag in enumerate(["", "v2", "v3"]):
        publish_version(home, tmp_path / "inbox", tag, DAY0.replace(day=1 + n))
    first, second, third = version_ids(home)
    assert rows_by_version(home) == {first: SAMPLE_PROJECTS, second: SAMPLE_PROJECTS,
                                     third: SAMPLE_PROJECTS}  # fmt: skip
    # the facts show the current version only
    assert home.query("select distinct source_file_id from fact_project_budget") == [(third,)]
    assert home.scalar("select sum(total_amount) from fact_project_budget") == SAMPLE_TOTAL
    dropped = "select count(*) from lake_source_files where rows_dropped_at is not null"
    assert home.scalar(dropped) == 0


def test_keep_versions_keeps_the_most_recently_superseded(home: Home, tmp_path: Path) -> None:
    policy = Retention(keep_versions=1)
    dropped = [
        publish_version(home, tmp_path / "inbox", tag, DAY0.replace(day=1 + n), policy)
        for n, tag in enumerate(["", "v2", "v3"])
    ]
    first, second, third = version_ids(home)
    assert dropped == [[], [], [first]]
    assert rows_by_version(home) == {second: SAMPLE_PROJECTS, third: SAMPLE_PROJECTS}
    # the dropped version stays on record, with when its rows went
    rows = home.query(
        "select source_file_id, status, rows_dropped_at from lake_source_files order by loaded_at"
    )
    dropped_at = DAY0.replace(day=3).astimezone(UTC)  # the lake's times are UTC moments
    assert rows == [(first, "superseded", dropped_at), (second, "superseded", None),
                    (third, "current", None)]  # fmt: skip
    assert home.scalar("select count(*) from dim_source_file") == 3


def test_keep_days_drops_rows_once_they_are_old_enough_even_with_nothing_new(
    home: Home, tmp_path: Path
) -> None:
    policy = Retention(keep_days=5)
    inbox = tmp_path / "inbox"
    publish_version(home, inbox, "", DAY0, policy)
    publish_version(home, inbox, "v2", DAY0.replace(day=2), policy)  # v1 superseded on day 2
    first, second = version_ids(home)
    assert publish_version(home, inbox, "-", DAY0.replace(day=6), policy) == []  # 4 days: kept
    assert read_manifest(home.lake)["version"] == 2  # nothing changed, nothing written
    old_files = all_files(read_manifest(home.lake))
    assert publish_version(home, inbox, "-", DAY0.replace(day=8), policy) == [first]
    assert read_manifest(home.lake)["version"] == 3
    assert rows_by_version(home) == {second: SAMPLE_PROJECTS}
    # the next publish collects the files that still held v1's rows (one generation later)
    publish_version(home, inbox, "v3", DAY0.replace(day=9), policy)
    on_disk = {p.relative_to(home.lake).as_posix() for p in home.lake.rglob("*.parquet")}
    assert not (old_files & on_disk) - all_files(read_manifest(home.lake))
    assert [m["version"] for m in manifest_history(home.lake)] == [1, 2, 3, 4]


def test_the_policy_comes_from_bpw_toml_and_the_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BPW_KEEP_VERSIONS", "BPW_KEEP_DAYS"):
        monkeypatch.delenv(name, raising=False)
    assert load_settings(tmp_path).retention == Retention()
    (tmp_path / "bpw.toml").write_text("[retention]\nkeep_versions = 3\nkeep_days = 30\n")
    assert load_settings(tmp_path).retention == Retention(keep_versions=3, keep_days=30)
    monkeypatch.setenv("BPW_KEEP_VERSIONS", "1")
    monkeypatch.setenv("BPW_KEEP_DAYS", "")  # empty: no age limit
    assert load_settings(tmp_path).retention == Retention(keep_versions=1)
    (tmp_path / "bpw.toml").write_text("[retention]\nkeep_version = 3\n")
    with pytest.raises(SettingsError, match="keep_version"):
        load_settings(tmp_path)
    monkeypatch.setenv("BPW_KEEP_VERSIONS", "-1")
    (tmp_path / "bpw.toml").write_text("")
    with pytest.raises(SettingsError, match="keep_versions"):
        load_settings(tmp_path)


# --- the publish that drops rows, killed at each kind of write -----------------------

CRASH_SCRIPT = """
import sys
from datetime import UTC, datetime
from pathlib import Path
sys.path[:0] = [{tests!r}, {root!r}]
from conftest_warehouse import Home
from test_retention import publish_version, Retention
home = Home(Path({home!r}), runs=2)
publish_version(home, Path({inbox!r}), "v3", datetime(2026, 1, 3, 2, 0), Retention(keep_versions=1))
"""


def _state(home: Home) -> tuple:
    """What a reader sees: current rows, and which versions keep rows in the lake."""
    return (
        home.query("select source_file_id, count(*) from fact_project_budget group by 1"),
        sorted(rows_by_version(home).items()),
        home.query("select source_file_id, status from dim_source_file order by all"),
    )


def _crash(home: Home, inbox: Path, n: int) -> int:
    tests = Path(__file__).parent
    script = CRASH_SCRIPT.format(
        tests=str(tests), root=str(tests.parent), home=str(home.root), inbox=str(inbox)
    )
    env = {**os.environ, faults.ENV_VAR: str(n), faults.TEST_SWITCH: "1",
           "POLARS_MAX_THREADS": "1"}  # fmt: skip
    return subprocess.run([sys.executable, "-c", script], env=env, timeout=120).returncode


def test_a_kill_at_any_write_of_a_dropping_publish_leaves_the_old_or_the_new_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pristine = Home(tmp_path / "pristine")
    publish_version(pristine, tmp_path / "inbox", "", DAY0)
    publish_version(pristine, tmp_path / "inbox", "v2", DAY0.replace(day=2))
    before = _state(pristine)
    probe = Home(tmp_path / "probe")
    shutil.copytree(pristine.root, probe.root)
    rebuild_catalog_if_stale(probe.lake, probe.catalog)
    labels = record_checkpoints(monkeypatch)
    probe.runs = 2
    assert publish_version(probe, tmp_path / "inbox", "v3", DAY0.replace(day=3),
                           Retention(keep_versions=1)) == [version_ids(pristine)[0]]  # fmt: skip
    monkeypatch.undo()
    after = _state(probe)
    assert before != after and len(labels) >= 10
    assert any(label.startswith("gc delete") for label in labels)
    assert "manifest history" in labels

    def kill_and_recover(n: int) -> str:
        home = Home(tmp_path / f"kill{n:02d}", runs=2)
        shutil.copytree(pristine.root, home.root)
        rebuild_catalog_if_stale(home.lake, home.catalog)
        assert _crash(home, tmp_path / f"inbox{n}", n) == -signal.SIGKILL, labels[n - 1]
        rebuild_catalog_if_stale(home.lake, home.catalog)
        seen = _state(home)
        assert seen in (before, after), f"kill point {n} ({labels[n - 1]}): {seen}"
        publish_version(home, tmp_path / f"inbox{n}", "v3", DAY0.replace(day=3),
                        Retention(keep_versions=1))  # fmt: skip
        assert _state(home) == after, f"kill point {n} ({labels[n - 1]})"
        manifest = read_manifest(home.lake)
        on_disk = {p.relative_to(home.lake).as_posix() for p in home.lake.rglob("*.parquet")}
        assert all_files(manifest) <= on_disk
        stray = [p.name for p in home.lake.rglob("*") if ".part-" in p.name or ".tmp-" in p.name]
        assert not stray, f"kill point {n}: {stray}"
        return "after" if seen == after else "before"

    # both ends of each stretch of one kind of write, and next to every kind change
    points = kill_points(labels)
    assert {kind(labels[n - 1]) for n in points} == {kind(label) for label in labels}
    with ThreadPoolExecutor(3) as pool:
        outcomes = dict(zip(points, pool.map(kill_and_recover, points), strict=True))
    assert outcomes[1] == "before" and outcomes[len(labels)] == "after"
    switch = min(n for n, outcome in outcomes.items() if outcome == "after")
    assert all(outcomes[n] == ("after" if n >= switch else "before") for n in points), outcomes
