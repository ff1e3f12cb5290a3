"""The national forms at scale: `bpw synth` (written by other hands than the readers,
checked against openpyxl / python-docx / pdfplumber in tests/test_synth_forms.py) writes
cards and list forms as xlsx, xls, docx and PDF with every variant it knows; bpw reads
each file back to exactly the generator's truth, with no error and no unread cell."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from expectations.gate import run_gate
from synth import generate, load_truth, write_corpus
from transforms.discover import sha256_of
from transforms.normalize import normalize
from transforms.table import SourceFile, read_tables
from transforms.targets import split_target_texts


@pytest.fixture(scope="module", params=[("card", 3), ("list", 5)], ids=["cards", "lists"])
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    layout, seed = request.param
    out = tmp_path_factory.mktemp(layout)
    write_corpus(
        generate(4, range(2025, 2027), seed, units_per_department=2),
        out, formats="xlsx,xls,docx,pdf", layouts=layout, seed=seed, vary="all",
    )  # fmt: skip
    truth = load_truth(out)
    paths = [out / t["path"] for t in truth]
    sources = [SourceFile(p, sha256_of(p), p.stat().st_size, 0.0, root=out) for p in paths]
    tables = read_tables(sources)
    pairs = zip(truth, tables, strict=True)
    failed = [(t["path"], repr(r)) for t, r in pairs if isinstance(r, Exception)]
    assert not failed, failed
    return truth, normalize(tables)  # type: ignore[arg-type]


def _target(text: str | None) -> tuple[str | None, float | None, str | None]:
    """(op, value, unit) with `=` the same as no sign (`=5项` is `5项`)."""
    op, value, unit, _ = split_target_texts([text]).row(0)
    return (None if op == "=" else op, value, unit)


def test_every_file_is_the_department_and_year_generated(corpus) -> None:
    truth, frames = corpus
    files = frames.files.sort("file_name")
    by_name = {Path(t["path"]).name + str(t["year"]): t for t in truth}
    for row in files.to_dicts():
        counted = by_name[row["file_name"] + str(row["year"])]
        assert row["department_name"] == counted["department"]
    assert {f["layout"] for f in truth} <= {"card", "list"}
    assert len({Path(t["path"]).suffix for t in truth}) >= 3


def test_every_project_loads_its_generated_amounts_goal_and_indicators(corpus) -> None:
    truth, frames = corpus
    files = dict(zip(frames.files["file_path"], frames.files.iter_rows(named=True), strict=True))
    checked = 0
    for counted in truth:
        file = next(f for path, f in files.items() if path.endswith(counted["path"]))
        projects = frames.projects.filter(pl.col("source_file_id") == file["source_file_id"])
        by_name = {p["project_name"]: p for p in projects.to_dicts()}
        assert sorted(by_name) == sorted(p["name"] for p in counted["projects"]), counted["path"]
        for project in counted["projects"]:
            got = by_name[project["name"]]
            assert got["total_amount"] == Decimal(project["total"])
            if file["fund_sources"]:  # a list form printing only 预算数 leaves the split unknown
                assert got["fiscal_amount"] == Decimal(project["fiscal"])
            assert (got["performance_goal"] or "") == (project["goal"] or "")
            indicators = frames.indicators.filter(
                (pl.col("source_file_id") == file["source_file_id"])
                & (pl.col("source_row") == got["source_row"])
            ).sort("indicator_pos")
            want = sorted(project["indicators"], key=lambda i: i["seq"])
            assert indicators.height == got["n_indicators"] == len(want)
            for row, expected in zip(indicators.to_dicts(), want, strict=True):
                assert row["indicator_name"] == expected["name"]
                assert row["category_code"] == expected["category_code"]
                assert _target(row["annual_target_text"]) == _target(expected["annual_target"])
            checked += 1
    assert checked >= 40


def test_no_generated_file_breaks_a_rule_or_leaves_a_cell_unread(corpus) -> None:
    _, frames = corpus
    findings = run_gate(frames)
    errors = findings.filter(pl.col("severity") == "error")
    assert errors.is_empty(), errors.select("file_name", "rule", "source_row", "value").rows()[:5]
    unread = findings.filter(pl.col("rule") == "cell_not_read")
    assert unread.is_empty(), unread.select("file_name", "value").rows()[:5]

