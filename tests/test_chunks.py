"""Per-chunk read and normalize, gate per batch of chunks: the warehouse, the rejections
and their reports, and the Data Docs results are the same whatever the chunk size and
the gate batch size.

One corpus with a bit of everything (text, csv and spreadsheet tables, a 目标表 card,
a 自评表, a table the gate rejects, an empty file the reader rejects, two versions of
one department-year in the same run, warnings) is ingested by the plain pipeline with
one file per chunk, five, and all in one chunk, and with gate batches of a few check
rows (each chunk a batch of its own); every public view, the run summary and each
quarantine report must agree.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import SAMPLE
from tests.inline_flow import diff, run_nightly, warehouse_state

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# (files per chunk, check rows per gate batch; None: `GATE_BATCH_ROWS`, all in one batch
# here): also every chunk a batch of its own, and a few chunks per batch
RUNS = ((1, None), (5, None), (1000, None), (1, 1), (1, 300))
WHOLE = (1000, None)


def mixed_corpus(root: Path) -> Path:
    """The corpus described above, under root/corpus/<year>/."""
    corpus = root / "corpus"
    shutil.copytree(SAMPLES / "synthetic", corpus, ignore=shutil.ignore_patterns("*.md"))
    for part in ("2022/岳阳县农业农村局-高标准农田.xlsx", "2023/青神县发展和改革局-自评.xlsx"):
        target = corpus / part
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(SAMPLES / "realworld" / part, target)
    text = SAMPLE.read_text(encoding="utf-8")
    (corpus / "2026" / "广州互联网法院.txt").write_text(text, "utf-8")
    newer = corpus / "2026" / "广州互联网法院-更正.txt"  # same department-year, newer bytes
    newer.write_text(text + "\n注：更正\n", "utf-8")
    os.utime(newer, (2_000_000_000, 2_000_000_000))
    bad = corpus / "2027" / "坏表.txt"  # an amount that is not a number: the gate rejects it
    bad.parent.mkdir()
    bad.write_text(text.replace("572.90", "57x.90", 1), "utf-8")
    (corpus / "2027" / "空表.txt").write_text("", "utf-8")  # the reader rejects it
    return corpus


def essence(summary: dict) -> dict:
    """What a run summary says about the data, not about the run."""
    return {
        "loaded": sorted(
            (r["file_name"], r["year"], r["projects"], r["indicators"], r["total_amount"],
             r["warnings"], r["superseded_in_run"])
            for r in summary["loaded"]
        ),
        "rejected": sorted(
            (r["file_name"], r["rule"], r["row"], r["errors"], r["line"])
            for r in summary["rejected"]
        ),
        "superseded": sorted(r["file_name"] for r in summary["superseded_in_run"]),
        "warnings": sorted(summary["warnings"]),
        "rows": summary["rows"],
    }  # fmt: skip


def quarantine(home: Path) -> dict[str, tuple]:
    """Each quarantined file's errors and warnings, as its report.json lists them."""
    reports = {}
    for path in sorted((home / "quarantine").glob("*/report.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        reports[path.parent.name] = (
            payload["file"]["sha256"],
            sorted(map(repr, payload["errors"])),
            sorted(map(repr, payload["warnings"])),
        )
    return reports


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple, tuple[Path, dict]]:
    from pipeline import steps

    corpus = mixed_corpus(tmp_path_factory.mktemp("inputs"))
    out = {}
    for size, batch in RUNS:
        home = tmp_path_factory.mktemp(f"chunk{size}-batch{batch}")
        with pytest.MonkeyPatch.context() as monkeypatch:
            if batch is not None:
                monkeypatch.setattr(steps, "GATE_BATCH_ROWS", batch)
            summary = run_nightly(home=str(home), paths=[str(corpus)], chunk_size=size)
        out[size, batch] = home, summary
    return out


def test_the_corpus_has_what_the_comparison_needs(runs):
    _, summary = runs[WHOLE]
    kinds = essence(summary)
    assert [r[0] for r in kinds["rejected"]] == ["坏表.txt", "空表.txt"]
    assert kinds["superseded"] == ["广州互联网法院.txt"]  # by its newer version, same run
    assert kinds["warnings"] and summary["rows"]["indicators"] > 0
    assert any("自评" in r[0] for r in kinds["loaded"])


@pytest.mark.parametrize("size", [r for r in RUNS if r != WHOLE])
def test_the_warehouse_is_the_same_whatever_the_chunk_size(runs, size):
    whole = warehouse_state(runs[WHOLE][0], mask_runs=True)
    chunked = warehouse_state(runs[size][0], mask_runs=True)
    assert any(rows for view, (_, rows) in whole.items() if view == "fact_project_execution")
    assert whole == chunked, diff(whole, chunked)


@pytest.mark.parametrize("size", [r for r in RUNS if r != WHOLE])
def test_rejections_and_reports_are_the_same_whatever_the_chunk_size(runs, size):
    (whole_home, whole), (home, chunked) = runs[WHOLE], runs[size]
    assert essence(whole) == essence(chunked)
    reports = quarantine(whole_home)
    assert len(reports) == 2 and all(errors for _, errors, _ in reports.values())
    assert quarantine(home) == reports


def test_a_gate_batch_holds_chunks_up_to_its_check_rows(monkeypatch):
    from pipeline import steps

    def chunk(rows: int) -> steps.ChunkOutcome:
        checks = {"projects": pl.DataFrame({"check_row": range(rows)})}
        return steps.ChunkOutcome(steps.normalize_empty(), checks, [])

    batches = steps.GateBatches(limit=10)
    closed = [len(b) for c in (4, 5, 2, 12, 3) for b in batches.add(chunk(c))]
    closed += [len(b) for b in batches.close()]
    assert closed == [2, 1, 1, 1]  # 4+5 | 2 | 12 (alone: larger than a batch) | 3
    monkeypatch.setattr(steps, "GATE_BATCH_ROWS", 7)
    assert steps.GateBatches().limit == 7 and not steps.GateBatches().close()


def test_merged_validation_results_count_what_one_validation_of_all_would():
    """Data Docs get one result per suite: the gate batches' merged equal one validation
    of all files together in every count and verdict."""
    from expectations.merge import merge_results
    from pipeline import steps
    from transforms.discover import discover

    corpus = mixed_corpus(Path(os.environ.get("TMPDIR", "/tmp")) / f"merge-{os.getpid()}")
    try:
        sources, _ = discover([corpus], 10**8, None)
        chunks = [steps.check_chunk(sources[i : i + 3]) for i in range(0, len(sources), 3)]
    finally:
        shutil.rmtree(corpus.parent)
    whole = steps.gate_batch(chunks).validations
    parts = [steps.gate_batch([c]).validations for c in chunks]
    merged = merge_results([v for part in parts for v in part])
    assert len(parts) > 5 and len(merged) == len(whole)

    def counts(result) -> tuple:
        return (
            result.suite_name, result.success, result.statistics["successful_expectations"],
            [(e.expectation_config.type, e.success, (e.result or {}).get("element_count"),
              (e.result or {}).get("unexpected_count"), (e.result or {}).get("missing_count"),
              (e.result or {}).get("unexpected_percent"))
             for e in result.results],
        )  # fmt: skip

    assert [counts(r) for r in merged] == [counts(r) for r in whole]
    assert any(not r.success for r in whole)  # the bad table fails a suite


def test_a_gated_batch_keeps_every_files_metadata_but_only_accepted_rows(tmp_path):
    from pipeline import steps
    from tests.conftest_warehouse import source_of

    bad = tmp_path / "2026" / "坏表.txt"  # the gate rejects it (an amount not a number)
    bad.parent.mkdir()
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace("572.90", "57x.90", 1), "utf-8")
    chunk = steps.check_chunk([source_of(SAMPLE), source_of(bad)])
    assert chunk.frames.projects.height == 34  # before the gate: both files' rows
    gated = steps.gate_batch([chunk])
    rejected = steps.assemble_batches([gated], []).rejected_ids
    assert not gated.failures and len(rejected) == 1 and gated.frames.files.height == 2
    assert not gated.frames.projects.filter(pl.col("source_file_id").is_in(list(rejected))).height
    assert gated.frames.projects.height == 17
