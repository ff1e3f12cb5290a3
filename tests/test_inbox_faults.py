"""Per-file faults stay per file: a file that cannot be read is rejected alone as
`unreadable`, other file types in the inbox are refused (`format`), and the year comes
only from folders below the inbox (or the folder given to `bpw ingest`).

Tests run as root, where a chmod 000 file is still readable, so "cannot be read" is
made real by files that vanish, or become a folder or a pipe, between discovery and
the read.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from pipeline import steps
from tests.conftest import SAMPLE
from tests.inline_flow import run_nightly
from transforms.discover import discover
from transforms.errors import TableError
from transforms.table import read_table

LIMIT = 50_000_000


def put(path: Path, source: Path = SAMPLE, extra: str = "") -> Path:
    """A copy of the sample at `path` (`extra` appended: other bytes, same table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def loaded(home: Path) -> tuple[int, str, list[int]]:
    """Projects, their total and the years in the warehouse of `home`."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        ((n, total),) = con.sql(
            "select count(*), sum(total_amount)::decimal(18,2)::varchar from fact_project_budget"
        ).fetchall()
        years = [y for (y,) in con.sql("select distinct year from fact_project_budget")
                 .fetchall()]  # fmt: skip
    return n, total, sorted(years)


# --- the year: only folders below the inbox (or the folder given) ------------------------


def test_a_year_above_the_inbox_never_dates_a_file(tmp_path: Path):
    inbox = tmp_path / "2024" / "home" / "inbox"
    dated, undated = put(inbox / "2026" / "甲.txt"), put(inbox / "乙.txt", extra="\n注：乙\n")
    sources, refusals = discover([inbox], LIMIT, inbox=inbox)
    assert refusals == []
    by_name = {s.path.name: s for s in sources}
    assert read_table(by_name[dated.name]).year == 2026
    with pytest.raises(TableError) as error:
        read_table(by_name[undated.name])
    assert error.value.rule == "year"


def test_a_folder_given_to_ingest_keeps_its_own_year_but_not_those_above(tmp_path: Path):
    put(tmp_path / "2023" / "data" / "甲.txt")
    put(tmp_path / "2023" / "data" / "2025" / "乙.txt", extra="\n注：乙\n")
    (given,), _ = discover([tmp_path / "2023" / "data" / "2025"], LIMIT)
    assert read_table(given).year == 2025  # the folder named by the user counts
    sources, _ = discover([tmp_path / "2023" / "data"], LIMIT)
    years = {s.path.name: _year_or_rule(s) for s in sources}
    assert years == {"甲.txt": "year", "乙.txt": 2025}  # never 2023, from above


def test_a_file_given_by_name_takes_its_own_folders_year_only(tmp_path: Path):
    direct = put(tmp_path / "2022" / "2026" / "甲.txt")
    deeper = put(tmp_path / "2022" / "其他" / "乙.txt", extra="\n注：乙\n")
    sources, _ = discover([direct, deeper], LIMIT)
    assert [_year_or_rule(s) for s in sources] == [2026, "year"]


def _year_or_rule(source) -> int | str:
    try:
        return read_table(source).year
    except TableError as exc:
        return exc.rule


# --- what discovery refuses, ignores or cannot list --------------------------------------


def test_other_file_types_in_the_inbox_are_refused_and_lock_files_ignored(tmp_path: Path):
    inbox = tmp_path / "inbox"
    put(inbox / "2026" / "甲.txt")
    for name in ("说明.pptx", "预算.odt", "无后缀"):
        (inbox / "2026" / name).write_bytes(b"not a table")
    for ignored in (".DS_Store", "2026/~$甲.xlsx", "2026/.~lock.甲.csv#"):
        (inbox / ignored).write_bytes(b"\x00")
    (inbox / "2026" / "乙.csv").mkdir()
    put(inbox / "2026" / "乙.csv" / "丙.txt")  # inside a folder named like a file: not read

    sources, refusals = discover([inbox], LIMIT, inbox=inbox)
    assert [s.path.name for s in sources] == ["甲.txt"]
    assert sorted((r.path.name, r.rule) for r in refusals) == [
        ("乙.csv", "unreadable"), ("无后缀", "format"), ("说明.pptx", "format"),
        ("预算.odt", "format"),
    ]  # fmt: skip
    folder = next(r for r in refusals if r.path.name == "乙.csv")
    assert folder.message == "乙.csv is a folder, not a file"


def test_outside_the_inbox_a_folder_is_searched_for_tables_only(tmp_path: Path):
    put(tmp_path / "out" / "2026" / "甲.txt")
    (tmp_path / "out" / "truth.json").write_text("{}")
    sources, refusals = discover([tmp_path / "out"], LIMIT, inbox=tmp_path / "inbox")
    assert [s.path.name for s in sources] == ["甲.txt"] and refusals == []


def test_a_folder_that_cannot_be_listed_is_refused_alone(tmp_path: Path, monkeypatch):
    inbox = tmp_path / "inbox"
    put(inbox / "2026" / "甲.txt")
    put(inbox / "2025" / "乙.txt", extra="\n注：乙\n")
    real_scandir, locked = os.scandir, str(inbox / "2025")

    def scandir(path=".", *args):  # what os.walk meets in a folder chmod 000 (non-root)
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)
    sources, refusals = discover([inbox], LIMIT, inbox=inbox)
    assert [s.path.name for s in sources] == ["甲.txt"]
    assert [(r.path.name, r.rule, r.message) for r in refusals] == [
        ("2025", "unreadable", "2025 could not be read: Permission denied")
    ]


def test_a_disk_error_while_listing_is_not_mistaken_for_one_files_fault(
    tmp_path: Path, monkeypatch
):
    inbox = tmp_path / "inbox"
    put(inbox / "2026" / "甲.txt")

    def scandir(path=".", *args):
        raise OSError(5, "Input/output error", str(path))

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(OSError, match="Input/output"):
        discover([inbox], LIMIT, inbox=inbox)


# --- between discovery and the read ------------------------------------------------------


@pytest.mark.parametrize("becomes", ["gone", "folder", "pipe"])
def test_a_file_that_cannot_be_read_any_more_is_rejected_alone(tmp_path: Path, becomes: str):
    good = put(tmp_path / "2026" / "甲.txt")
    bad = put(tmp_path / "2026" / "乙.txt", extra="\n注：乙\n")
    sources, _ = discover([tmp_path / "2026"], LIMIT)
    bad.unlink()
    if becomes == "folder":
        bad.mkdir()
    elif becomes == "pipe":
        os.mkfifo(bad)  # opening it for reading must not wait for a writer
    chunk = steps.read_chunk(sources)
    assert [t.source.path for t in chunk.tables] == [good]
    (failure,) = chunk.failures
    assert (failure.source.path, failure.rule, failure.bytes_unread) == (bad, "unreadable", True)
    assert failure.message.startswith("乙.txt could not be read: ")
    assert "\n" not in failure.message
    if becomes == "gone":
        assert failure.message.endswith("(it vanished after it was found)")


def test_a_file_vanishing_mid_run_is_rejected_and_the_rest_loads(tmp_path: Path, monkeypatch):
    """The flow's pipeline: the file is deleted right after discovery, then comes back."""
    import pipeline.run

    home = tmp_path / "home"
    put(home / "inbox" / "2026" / "广州互联网法院.txt")
    doomed = put(home / "inbox" / "2026" / "消失.txt", extra="\n注：消失\n")
    kept = doomed.read_bytes()
    real_discover = pipeline.run.discover

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        doomed.unlink()
        return found

    monkeypatch.setattr(pipeline.run, "discover", discover_then_delete)
    summary = run_nightly(home=str(home))
    assert summary["exit_status"] == 1
    assert [(r["file_name"], r["rule"]) for r in summary["rejected"]] == [
        ("消失.txt", "unreadable")
    ]
    assert "消失.txt could not be read: No such file or directory" in summary["rejected"][0][
        "line"]  # fmt: skip
    assert [r["file_name"] for r in summary["loaded"]] == ["广州互联网法院.txt"]
    assert loaded(home) == (17, "5373.55", [2026])
    (report,) = (home / "quarantine").glob("*消失/report.json")
    assert "unreadable" in report.read_text(encoding="utf-8")
    assert not list(report.parent.glob("消失.txt"))  # no bytes to keep

    monkeypatch.undo()  # the same bytes back: never judged, so they load now
    doomed.write_bytes(kept)
    again = run_nightly(home=str(home))
    assert again["rejected"] == [] and again["exit_status"] == 0
    assert [r["file_name"] for r in again["loaded"]] == ["消失.txt"]
