"""`bpw status` from the summary kept beside the lake: the same output as from the catalog,
without opening DuckDB; a stale or missing summary is never trusted.

Runs are the nightly flow's own body (tests/inline_flow.py), in this process; so no
run keeps a summary, and the first `bpw status` of each state computes it (the way an
older home, or a run of `bpw serve`, is read)."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hostile_corpus import budget_text, total_off_text, write
from inline_flow import run_nightly
from typer.testing import CliRunner

from flows.settings import load_settings
from interface import status as status_module
from interface.cli import app
from warehouse import status_summary
from warehouse.catalog import build_catalog
from warehouse.manifest import read_manifest

FORMATS = ("table", "csv", "json")
T0 = 1_750_000_000.0


def bpw_status(home: Path, fmt: str) -> tuple[str, str]:
    """`bpw --home HOME status --format FMT` in this process: stdout, stderr."""
    status_module._kept.clear()  # each call as a fresh process would make it
    result = CliRunner().invoke(app, ["--home", str(home), "status", "--format", fmt])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def no_duckdb(*args: object, **kwargs: object) -> None:
    raise AssertionError("bpw status opened the catalog although a summary was kept")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two departments over two runs; a bad new version (rejected, then replaced by a
    fixed file: resolved) and a bad file of a third department (still rejected)."""
    home = tmp_path_factory.mktemp("status") / "home"
    inbox = home / "inbox" / "2026"
    write(inbox / "甲法院.txt", budget_text("甲法院"), T0)
    write(inbox / "乙法院.txt", budget_text("乙法院", Decimal(3)), T0)
    assert run_nightly(home=str(home))["exit_status"] == 0
    write(inbox / "甲法院.txt", total_off_text("甲法院"), T0 + 60)
    write(inbox / "丙法院.txt", total_off_text("丙法院"), T0 + 60)
    assert run_nightly(home=str(home))["exit_status"] == 1
    write(inbox / "甲法院.txt", budget_text("甲法院", Decimal(1)), T0 + 120)
    assert run_nightly(home=str(home))["exit_status"] == 0
    return home


def test_status_reads_the_same_from_the_summary_as_from_the_catalog(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(home)
    status_summary.summary_path(settings.lake).unlink(missing_ok=True)
    from_catalog = {}
    for fmt in FORMATS:
        status_summary.summary_path(settings.lake).unlink(missing_ok=True)
        from_catalog[fmt], note = bpw_status(home, fmt)
        assert "no summary of this catalog yet" in note  # the fallback says so
    assert status_summary.summary_path(settings.lake).exists()  # and kept it

    monkeypatch.setattr("warehouse.query.run_readonly", no_duckdb)
    for fmt in FORMATS:
        shown, note = bpw_status(home, fmt)
        assert shown == from_catalog[fmt], fmt
        assert note == ""

    document = json.loads(from_catalog["json"])
    assert [(r["department_name"], r["total_amount"]) for r in document["loaded"]] == [
        ("乙法院", "5376.55"), ("甲法院", "5374.55"),
    ]  # fmt: skip
    assert [r["file_name"] for r in document["rejected"]] == ["丙法院.txt"]  # 甲's is resolved
    assert "丙法院.txt: declared_total_matches" in from_catalog["table"]


def test_a_summary_of_another_catalog_is_not_used(home: Path) -> None:
    settings = load_settings(home)
    kept = status_summary.refresh(settings.lake, settings.warehouse)
    assert status_summary.read(settings.lake, settings.warehouse) == kept
    build_catalog(settings.lake, settings.warehouse, read_manifest(settings.lake))  # rebuilt
    assert status_summary.read(settings.lake, settings.warehouse) is None
    again = status_summary.refresh(settings.lake, settings.warehouse)
    assert again is not None and again.key != kept.key
    assert (again.years, again.loaded) == (kept.years, kept.loaded)


def test_a_torn_or_foreign_summary_file_is_ignored(home: Path) -> None:
    settings = load_settings(home)
    path = status_summary.summary_path(settings.lake)
    for text in ("{not json", json.dumps({"format": 99}), json.dumps([1, 2])):
        path.write_text(text, encoding="utf-8")
        assert status_summary.read(settings.lake, settings.warehouse) is None
    assert status_summary.refresh(settings.lake, settings.warehouse) is not None
    assert status_summary.read(settings.lake, settings.warehouse) is not None


def test_at_scale_the_terminal_gets_totals_per_year_and_csv_every_row(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More department-years than a terminal shows: per-year totals that add up the rows;
    more than the file keeps: csv and json still list every row (from the catalog)."""
    monkeypatch.setattr(status_module, "TABLE_ROWS", 1)
    monkeypatch.setattr(status_summary, "MAX_KEPT_ROWS", 1)
    settings = load_settings(home)
    status_summary.summary_path(settings.lake).unlink(missing_ok=True)
    status_summary.refresh(settings.lake, settings.warehouse)
    kept = json.loads(status_summary.summary_path(settings.lake).read_text(encoding="utf-8"))
    assert kept["loaded"] is None and kept["department_years"] == 2

    table, _ = bpw_status(home, "table")
    assert "of 2 department-years" in table and "bpw status --format csv" in table
    assert "甲法院" not in table
    rows = json.loads(bpw_status(home, "json")[0])["loaded"]
    projects = sum(int(r["projects"]) for r in rows)
    total = sum(Decimal(r["total_amount"]) for r in rows)
    assert len(rows) == 2  # every row, though the file keeps none
    assert re.search(rf"^ 2026 │ +2 │ +{projects} │ +{total} $", table, re.MULTILINE), table


def test_keep_after_publish_leaves_the_summary_the_next_status_reads(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(home)
    status_summary.summary_path(settings.lake).unlink(missing_ok=True)
    kept = status_summary.keep_after_publish(settings.lake, settings.warehouse)
    assert kept is not None
    assert kept == status_summary.compute(settings.warehouse, kept.key)
    assert status_summary.read(settings.lake, settings.warehouse) == kept
    monkeypatch.setattr("warehouse.query.run_readonly", no_duckdb)
    shown, note = bpw_status(home, "table")
    assert note == "" and "乙法院" in shown


def test_keep_after_publish_never_fails_its_caller(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A catalog the queries cannot read: logged, nothing kept, no exception."""
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "manifest.json").write_text(json.dumps({"version": 3}), encoding="utf-8")
    catalog = tmp_path / "warehouse.duckdb"
    catalog.write_bytes(b"not a DuckDB file")
    assert status_summary.keep_after_publish(lake, catalog) is None
    assert not status_summary.summary_path(lake).exists()
    assert "status summary not kept" in caplog.text
    assert status_summary.keep_after_publish(tmp_path / "nothing", catalog) is None


def test_bpw_aliases_keeps_the_summary_of_the_catalog_it_rebuilds(
    home: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    settings = load_settings(copy)
    before = status_summary.refresh(settings.lake, settings.warehouse)
    result = CliRunner().invoke(app, ["--home", str(copy), "aliases", "--add", "甲院", "甲法院"])
    assert result.exit_code == 0, result.output
    assert "catalog rebuilt" in result.stdout
    after = status_summary.read(settings.lake, settings.warehouse)
    assert after is not None and before is not None and after.key != before.key
