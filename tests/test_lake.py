"""The Parquet lake: publish, replacement, idempotence, compaction, GC, crash safety."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from conftest_warehouse import (
    SAMPLE_INDICATORS,
    SAMPLE_PROJECTS,
    SAMPLE_TOTAL,
    Home,
    Variant,
    empty_frames,
    frames_for,
)
from crash_points import kill_points, kind, record_checkpoints

from transforms.normalize import Frames
from warehouse import faults
from warehouse.lake import (
    current_batches,
    loaded_hashes,
    read_manifest,
    rebuild_catalog_if_stale,
)
from warehouse.schemas import local_zone

PUBLIC_VIEWS = (
    "dim_department", "dim_unit", "dim_project", "dim_indicator_category", "dim_source_file",
    "fact_project_budget", "fact_indicator_target", "v_department_yoy", "v_quality_finding",
)  # fmt: skip


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


def snapshot(home: Home) -> dict[str, list[tuple]]:
    """Every public view's rows, sorted (loaded_at aside, which records the run)."""
    views = {v: home.query(f"select * from {v}") for v in PUBLIC_VIEWS}
    return {v: sorted(rows, key=repr) for v, rows in views.items()}


def totals(home: Home) -> tuple[int, int, Decimal]:
    return (
        home.scalar("select count(*) from fact_project_budget"),
        home.scalar("select count(*) from fact_indicator_target"),
        home.scalar("select sum(total_amount) from fact_project_budget"),
    )


def statuses(home: Home) -> dict[int, str]:
    return dict(zip(*current_batches(home.lake).select("source_file_id", "status"), strict=True))


def test_publish_then_query(home: Home, inbox: Path) -> None:
    frames = frames_for(inbox, Variant())
    result = home.publish(frames)
    file_id = frames.files["source_file_id"][0]
    assert result.version == 1 and result.loaded == [file_id]
    assert result.superseded == [] and result.rejected == []
    n_projects, n_indicators, total = totals(home)
    assert (n_projects, n_indicators) == (SAMPLE_PROJECTS, SAMPLE_INDICATORS)
    assert isinstance(total, Decimal) and total == SAMPLE_TOTAL
    manifest = read_manifest(home.lake)
    assert manifest["version"] == 1 and manifest["run_id"] == "run1"
    assert manifest["tables"]["units"] == ["units/year=2026/part-run1-1.parquet"]
    assert manifest["tables"]["source_files"] == ["source_files/part-run1.parquet"]
    assert all((home.lake / rel).exists() for files in manifest["tables"].values() for rel in files)
    assert statuses(home) == {file_id: "current"}
    assert loaded_hashes(home.lake) == {frames.files["sha256"][0]}


def test_nothing_published_yet(home: Home) -> None:
    assert read_manifest(home.lake) == {}
    assert current_batches(home.lake).is_empty()
    assert loaded_hashes(home.lake) == set()


def test_first_publish_of_only_rejections_still_creates_every_view(home: Home, inbox: Path) -> None:
    frames = frames_for(inbox, Variant())
    result = home.publish(empty_frames(frames), rejected=frames.files)
    assert result.rejected == frames.files["source_file_id"].to_list()
    assert home.scalar("select count(*) from fact_project_budget") == 0
    assert home.scalar("select status from dim_source_file") == "rejected"


def test_a_run_where_nothing_was_readable_still_records_its_rejections(
    home: Home, inbox: Path
) -> None:
    frames = frames_for(inbox, Variant())
    columnless = Frames(*(pl.DataFrame() for _ in frames.tables()))
    result = home.publish(columnless, rejected=frames.files)
    assert result.rejected == frames.files["source_file_id"].to_list()
    assert home.scalar("select status from dim_source_file") == "rejected"


def test_same_file_twice_changes_nothing(home: Home, inbox: Path) -> None:
    frames = frames_for(inbox, Variant())
    home.publish(frames)
    before, manifest = snapshot(home), read_manifest(home.lake)
    again = home.publish(frames)
    assert (again.version, again.loaded, again.files_written) == (1, [], 0)
    assert snapshot(home) == before
    assert read_manifest(home.lake) == manifest


def test_new_version_replaces_old(home: Home, inbox: Path) -> None:
    old = frames_for(inbox, Variant())
    new = frames_for(inbox, Variant(extra=Decimal(100), tag="v2"))
    old_id, new_id = old.files["source_file_id"][0], new.files["source_file_id"][0]
    home.publish(old)
    result = home.publish(new)
    assert (result.version, result.loaded, result.superseded) == (2, [new_id], [old_id])
    assert totals(home) == (SAMPLE_PROJECTS, SAMPLE_INDICATORS, SAMPLE_TOTAL + 100)
    rows = home.query(
        "select source_file_id, status, superseded_by, superseded_at is not null "
        "from dim_source_file order by status"
    )
    assert rows == [(new_id, "current", None, False), (old_id, "superseded", new_id, True)]
    assert home.scalar("select count(distinct source_file_id) from fact_indicator_target") == 1
    manifest = read_manifest(home.lake)
    assert manifest["tables"]["projects"] == ["projects/year=2026/part-run2-2.parquet"]


def test_two_files_for_one_batch_in_one_publish_newest_mtime_wins(home: Home, inbox: Path) -> None:
    frames = frames_for(
        inbox,
        Variant(extra=Decimal(7), mtime=2_000_000_000.0, tag="newer"),
        Variant(extra=Decimal(1), mtime=1_000_000_000.0, tag="older"),
    )
    newer = frames.files["file_path"].str.contains("newer")
    ids = dict(zip(newer, frames.files["source_file_id"], strict=True))
    result = home.publish(frames)
    assert result.loaded == [ids[True]] and result.superseded == [ids[False]]
    assert totals(home)[2] == SAMPLE_TOTAL + 7
    assert statuses(home) == {ids[True]: "current", ids[False]: "superseded"}
    assert (
        home.scalar(
            "select superseded_by from dim_source_file where source_file_id = ?", [ids[False]]
        )
        == ids[True]
    )


def test_rejected_file_is_recorded_and_never_disturbs_the_current_version(
    home: Home, inbox: Path
) -> None:
    good = frames_for(inbox, Variant())
    bad = frames_for(inbox, Variant(extra=Decimal(50), tag="bad"))
    home.publish(good)
    before = totals(home)
    result = home.publish(empty_frames(bad), rejected=bad.files)
    bad_id = bad.files["source_file_id"][0]
    assert result.rejected == [bad_id] and result.loaded == [] and result.superseded == []
    assert totals(home) == before
    assert statuses(home) == {good.files["source_file_id"][0]: "current", bad_id: "rejected"}
    assert loaded_hashes(home.lake) == {good.files["sha256"][0], bad.files["sha256"][0]}
    assert home.publish(empty_frames(bad), rejected=bad.files).version == result.version


def test_a_rejected_file_accepted_later_becomes_current(home: Home, inbox: Path) -> None:
    frames = frames_for(inbox, Variant())
    file_id = frames.files["source_file_id"][0]
    home.publish(empty_frames(frames), rejected=pl.DataFrame(), findings=pl.DataFrame())
    home.publish(empty_frames(frames), rejected=frames.files)
    result = home.publish(frames)  # e.g. after the gate's rules were corrected
    assert result.loaded == [file_id]
    assert statuses(home) == {file_id: "current"}
    assert totals(home)[2] == SAMPLE_TOTAL


def test_compaction_keeps_one_file_per_table_and_year(home: Home, inbox: Path) -> None:
    home.publish(frames_for(inbox, Variant()))
    home.publish(frames_for(inbox, Variant(department="广州海事法院")))
    home.publish(frames_for(inbox, Variant(year=2025, tag="y2025")))
    tables = read_manifest(home.lake)["tables"]
    assert tables["projects"] == [
        "projects/year=2025/part-run3-3.parquet",
        "projects/year=2026/part-run2-2.parquet",  # untouched by run 3: kept as is
    ]
    counts = home.query(
        "select year, count(distinct department_id), count(*) from fact_project_budget "
        "group by year order by year"
    )
    assert counts == [(2025, 1, SAMPLE_PROJECTS), (2026, 2, 2 * SAMPLE_PROJECTS)]
    types = home.query("select typeof(year), typeof(total_amount) from fact_project_budget limit 1")
    assert types == [("INTEGER", "DECIMAL(18,6)")]


def test_gc_keeps_one_previous_generation_and_clears_temp_files(home: Home, inbox: Path) -> None:
    home.publish(frames_for(inbox, Variant()))
    first = set(read_manifest(home.lake)["tables"]["projects"])
    (home.lake / "manifest.json.tmp-99999").write_text("{")
    (home.lake / "projects" / "year=2026" / "part-crashed-9.parquet").write_bytes(b"PAR1")
    (home.root / "warehouse.duckdb.tmp-99999").write_bytes(b"junk")
    home.publish(frames_for(inbox, Variant(extra=Decimal(1), tag="v2")))
    second = set(read_manifest(home.lake)["tables"]["projects"])
    on_disk = {p.relative_to(home.lake).as_posix() for p in home.lake.rglob("*.parquet")}
    assert first | second <= on_disk
    assert "projects/year=2026/part-crashed-9.parquet" not in on_disk
    assert not list(home.lake.glob("manifest.json.tmp-*"))
    assert not list(home.root.glob("warehouse.duckdb.tmp-*"))
    home.publish(frames_for(inbox, Variant(extra=Decimal(2), tag="v3")))
    on_disk = {p.relative_to(home.lake).as_posix() for p in home.lake.rglob("*.parquet")}
    assert not first & on_disk and second <= on_disk


def test_findings_follow_their_batch(home: Home, inbox: Path) -> None:
    frames = frames_for(inbox, Variant())
    file_id = frames.files["source_file_id"][0]
    findings = pl.DataFrame(
        {
            "source_file_id": [file_id, file_id],
            "file_name": ["广州互联网法院.txt"] * 2,
            "year": [2026, 2026],
            "department_id": [frames.files["department_id"][0]] * 2,
            "rule": ["declared_total_rounding", "project_has_goal"],
            "severity": ["warning", "error"],
            "source_row": [7, 9],
            "column": ["total", "performance_goal"],
            "value": ["5,373.54", ""],
            "message": ["rounding", "no goal"],
            "run_id": ["run1", "run1"],
        },
        schema_overrides={"year": pl.Int32, "source_row": pl.Int32},
    )
    home.publish(frames, findings=findings)
    rows = home.query("select department_name, rule, severity, source_row from v_quality_finding")
    assert rows == [("广州互联网法院", "declared_total_rounding", "warning", 7)]
    home.publish(frames_for(inbox, Variant(tag="v2")))
    assert home.scalar("select count(*) from v_quality_finding") == 0
    # the superseded version keeps its findings in the lake, as it keeps its rows
    kept = home.query("select distinct source_file_id from lake_findings")
    assert kept == [(file_id,)]


CRASH_SCRIPT = """
import sys
from pathlib import Path
sys.path[:0] = [{tests!r}, {root!r}]
from conftest_warehouse import Home, Variant, frames_for
from decimal import Decimal
home = Home(Path({home!r}), runs=2)
home.publish(frames_for(Path({inbox!r}), Variant(extra=Decimal(100), tag="v2")))
"""


def _crash_child(home: Home, inbox: Path, fault_after: int) -> subprocess.Popen:
    """Start the replacing publish in a child that SIGKILLs itself at write `fault_after`."""
    tests = Path(__file__).parent
    script = CRASH_SCRIPT.format(
        tests=str(tests), root=str(tests.parent), home=str(home.root), inbox=str(inbox)
    )
    env = {
        **os.environ, faults.ENV_VAR: str(fault_after), faults.TEST_SWITCH: "1",
        "POLARS_MAX_THREADS": "1",
    }  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", script], env=env)


def _two_versions(home: Home, inbox: Path) -> None:
    """The crash tests' starting point: manifest v2, so the next publish also deletes v1."""
    home.publish(frames_for(inbox, Variant()))
    home.publish(frames_for(inbox, Variant(extra=Decimal(50), tag="v1b")))


def test_a_crash_at_any_write_leaves_the_old_or_the_new_version(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL before each kind of write of a replacing publish, each from the same start:
    both ends of each stretch of one kind of write, and next to every kind change
    (tests/crash_points.py's `kill_points`).

    After every crash the catalog shows exactly the old or the new version (the
    manifest decides which once `rebuild_catalog_if_stale` ran), and the next publish
    completes and leaves no stray files. Children run side by side, one home each.
    """
    pristine = Home(tmp_path / "pristine")
    _two_versions(pristine, inbox)
    # the checkpoints the replacing publish passes, counted in a copy as the children start
    probe = Home(tmp_path / "probe", runs=2)
    shutil.copytree(pristine.root, probe.root)
    labels = record_checkpoints(monkeypatch)
    probe.publish(frames_for(inbox, Variant(extra=Decimal(100), tag="v2")))
    monkeypatch.undo()
    steps = {" ".join(label.split()[:2]) for label in labels}
    assert {"parquet part-run3-3.parquet", "manifest replace", "catalog replace"} <= steps
    assert any(label.startswith("gc delete") for label in labels)
    points = kill_points(labels)
    assert {kind(labels[n - 1]) for n in points} == {kind(label) for label in labels}
    homes = {n: Home(tmp_path / f"crash{n}") for n in points}
    for home in homes.values():
        shutil.copytree(pristine.root, home.root)
    # each child writes its input into its own inbox: no two processes share a file
    children = {n: _crash_child(home, tmp_path / f"inbox{n}", n) for n, home in homes.items()}
    old_total, new_total = SAMPLE_TOTAL + 50, SAMPLE_TOTAL + 100
    seen = {}
    for n, home in homes.items():
        assert children[n].wait(timeout=60) == -signal.SIGKILL, labels[n - 1]
        assert totals(home)[2] in (old_total, new_total)  # whatever catalog is there works
        rebuild_catalog_if_stale(home.lake, home.catalog)
        version = read_manifest(home.lake)["version"]
        expected = new_total if version == 3 else old_total
        assert totals(home) == (SAMPLE_PROJECTS, SAMPLE_INDICATORS, expected), labels[n - 1]
        seen[n] = version
        home.runs = 2
        home.publish(frames_for(inbox, Variant(extra=Decimal(100), tag="v2")))
        assert totals(home)[2] == new_total, labels[n - 1]
        listed = {rel for files in read_manifest(home.lake)["tables"].values() for rel in files}
        on_disk = {p.relative_to(home.lake).as_posix() for p in home.lake.rglob("*.parquet")}
        assert listed <= on_disk, labels[n - 1]
    assert seen[1] == 2 and seen[len(labels)] == 3
    switch = min(n for n, version in seen.items() if version == 3)
    assert all(seen[n] == (3 if n >= switch else 2) for n in points), seen


def test_times_are_utc_moments_and_a_lake_of_naive_local_times_still_reads(
    home: Home, inbox: Path
) -> None:
    """Times are recorded as UTC moments (TIMESTAMPTZ in the catalog); a lake written
    before that holds naive local wall-clock times, which read as the same moments, and
    a publish on top of it carries them over as UTC."""
    home.publish(frames_for(inbox, Variant()))
    (file,) = read_manifest(home.lake)["tables"]["source_files"]
    recorded = pl.read_parquet(home.lake / file)
    assert recorded.schema["loaded_at"] == pl.Datetime("us", "UTC")
    moment = recorded["loaded_at"][0]
    assert moment == datetime(2026, 1, 1, 2, 0, 1).astimezone(UTC)  # Home's clock, local
    types = dict(home.query("select column_name, data_type from duckdb_columns() "
                            "where table_name = 'dim_source_file'"))  # fmt: skip
    assert types["loaded_at"] == types["superseded_at"] == "TIMESTAMP WITH TIME ZONE"
    # as an older bpw wrote it: the local wall-clock time, without a zone
    old = recorded.with_columns(
        pl.col("loaded_at").dt.convert_time_zone(local_zone()).dt.replace_time_zone(None)
    )
    old.write_parquet(home.lake / file)
    home.catalog.unlink()
    assert rebuild_catalog_if_stale(home.lake, home.catalog) is True
    assert home.scalar("select loaded_at from dim_source_file") == moment
    home.publish(frames_for(inbox, Variant(extra=Decimal(1), tag="v2")))
    rows = home.query("select status, loaded_at, superseded_at from dim_source_file order by 2")
    assert [r[:2] for r in rows] == [("superseded", moment), ("current", rows[1][1])]
    assert rows[0][2] == rows[1][1] > moment  # superseded when the new version was loaded
    (file,) = read_manifest(home.lake)["tables"]["source_files"]
    assert pl.read_parquet(home.lake / file).schema["loaded_at"] == pl.Datetime("us", "UTC")


def test_the_same_holds_on_a_machine_east_of_utc() -> None:
    """The test above, in a process whose local time is UTC+8 (naive local times there
    are not UTC: reading them as UTC would shift every time by eight hours)."""
    if os.environ.get("TZ") == "Asia/Shanghai":
        return  # this is that process
    test = f"{__file__}::test_times_are_utc_moments_and_a_lake_of_naive_local_times_still_reads"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
        capture_output=True, text=True, env={**os.environ, "TZ": "Asia/Shanghai"}, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:]  # 5 if the test were not found


def test_rows_from_scratch_parts_publish_as_the_frames_do(tmp_path: Path, inbox: Path) -> None:
    """A run hands the publish its rows as LazyFrames over scratch parts holding more
    files than it loads (a rejected file's rows too): only the loaded files' rows are
    written, exactly (decimals stay decimals), as from the frames themselves."""
    from dataclasses import replace

    from warehouse.scratch import PART_TABLES, scan_parts, write_parts

    good = frames_for(inbox, Variant())
    bad = frames_for(inbox, Variant(department="广州海事法院", tag="bad"))
    whole, lazy = Home(tmp_path / "whole"), Home(tmp_path / "lazy")
    whole.publish(good, rejected=bad.files)
    parts: dict[str, list[str]] = {}
    for n, frames in enumerate((good, bad)):
        tables = {table: getattr(frames, table) for table in PART_TABLES}
        for table, path in write_parts(tmp_path / "scratch" / str(n), tables).items():
            parts.setdefault(table, []).append(path)
    assert len(parts["projects"]) == 2
    scans = {table: scan_parts(paths) for table, paths in parts.items()}
    result = lazy.publish(replace(good, **scans), rejected=bad.files)
    assert result.loaded == good.files["source_file_id"].to_list()
    assert snapshot(lazy) == snapshot(whole)
    n_projects, _, total = totals(lazy)
    assert n_projects == SAMPLE_PROJECTS and isinstance(total, Decimal) and total == SAMPLE_TOTAL
    schema = pl.read_parquet_schema(lazy.lake / read_manifest(lazy.lake)["tables"]["projects"][0])
    assert isinstance(schema["total_amount"], pl.Decimal)
