"""Great Expectations Data Docs: every run's validations, as a static site in docs/."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import SAMPLE
from tests.inline_flow import run_nightly

SUITES = ("projects", "indicators", "totals")
T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def validations(sample_frames) -> list:
    from expectations.gate import recording_validations, run_gate

    with recording_validations() as results:
        run_gate(sample_frames)
    return results


def _pages(docs: Path, run_name: str) -> list[Path]:
    return sorted(docs.glob(f"validations/*/{run_name}/*/*.html"))


def test_the_gate_records_one_validation_per_suite(validations):
    assert sorted(v.suite_name for v in validations) == sorted(SUITES)


def test_bpw_validate_style_gating_records_nothing(sample_frames):
    from expectations.gate import _RECORDER, run_gate

    run_gate(sample_frames)  # no recorder: `bpw validate` keeps nothing
    assert _RECORDER.get() is None


def test_a_run_becomes_a_site_with_an_index_a_page_per_suite_and_the_suites(tmp_path, validations):
    from expectations.datadocs import build_data_docs

    docs = tmp_path / "docs"
    index = build_data_docs(docs, validations, "20261128T020000-aaaaaa", T0)

    assert index == docs / "index.html" and index.is_file()
    assert len(_pages(docs, "20261128T020000-aaaaaa")) == len(SUITES)
    for suite in SUITES:
        assert (docs / "expectations" / f"{suite}.html").is_file()
    assert "20261128T020000-aaaaaa" in index.read_text(encoding="utf-8")


def test_the_index_keeps_the_history_while_each_run_renders_only_its_own_pages(
    tmp_path, validations
):
    from expectations.datadocs import build_data_docs

    docs = tmp_path / "docs"
    build_data_docs(docs, validations, "run-1", T0)
    first = {p: p.stat().st_mtime_ns for p in _pages(docs, "run-1")}
    for page in first:
        os.utime(page, ns=(1, 1))  # so any rewrite shows
    build_data_docs(docs, validations, "run-2", T0 + timedelta(days=1))

    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "run-1" in index and "run-2" in index
    assert all(page.stat().st_mtime_ns == 1 for page in first), "run-1 pages were rebuilt"
    assert len(list((docs / "store").rglob("*.json"))) == 2 * len(SUITES)


def test_stored_results_keep_the_counts_but_only_a_few_failing_rows(tmp_path, sample_frames):
    from expectations.checks import CHECK_BUILDERS
    from expectations.datadocs import PARTIAL_ROWS, build_data_docs
    from expectations.gate import validate_frame

    checks = pl.concat([CHECK_BUILDERS["projects"](sample_frames)] * 10).with_columns(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("check_row"),
        pl.lit(None, dtype=pl.String).alias("project_name"),
    )
    result = validate_frame("projects", checks)
    build_data_docs(tmp_path / "docs", [result], "run-bad", T0)

    (stored,) = (tmp_path / "docs" / "store").rglob("*.json")
    payload = json.loads(stored.read_text(encoding="utf-8"))
    failed = [r for r in payload["results"] if not r["success"]]
    assert failed and failed[0]["result"]["unexpected_count"] == checks.height
    assert len(failed[0]["result"]["unexpected_index_list"]) == PARTIAL_ROWS
    assert len(result.results[0].result["unexpected_index_list"]) == checks.height  # untouched


def test_nothing_gated_leaves_the_site_as_it_was(tmp_path):
    from expectations.datadocs import build_data_docs

    index = build_data_docs(tmp_path / "docs", [], "run-empty", T0)
    assert not index.exists()
    assert list((tmp_path / "docs").iterdir()) == []


def test_every_nightly_run_builds_data_docs_under_the_data_home(tmp_path):
    summary = run_nightly(home=str(tmp_path / "home"), paths=[str(SAMPLE)])

    docs = tmp_path / "home" / "docs"
    assert summary["reports"]["data_docs"] == str(docs / "index.html")
    assert len(_pages(docs, summary["run_id"])) == len(SUITES)
    assert summary["run_id"] in (docs / "index.html").read_text(encoding="utf-8")


def test_a_data_docs_failure_never_fails_the_run(tmp_path, monkeypatch):
    import expectations.datadocs

    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(expectations.datadocs, "build_data_docs", broken)
    summary = run_nightly(home=str(tmp_path / "home"), paths=[str(SAMPLE)])

    assert summary["exit_status"] == 0
    assert summary["rows"]["projects"] == 17
    assert not (tmp_path / "home" / "docs" / "index.html").exists()
