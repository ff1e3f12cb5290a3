"""Warehouses for the analysis tests, built by the nightly flow's own pipeline.

Plain functions (pytest only auto-loads conftest.py, which belongs to others). `ingest`
runs the flow's plain pipeline (tests/inline_flow.py: no Prefect server); where that
helper is absent it follows the same data path — discover → read → normalize + gate →
publish — through the pipeline's steps.
`demo_home` is the warehouse `bpw demo --history` builds (samples/2026 and samples/synthetic),
built once per test session.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from flows.settings import Settings, load_settings
from pipeline import steps
from transforms.discover import discover
from warehouse import lake

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_DEMO: dict[str, Settings] = {}


def ingest(home: Path, paths: list[Path], run_id: str = "test-run") -> Settings:
    """Ingest files or folders into the data home `home`; returns its settings."""
    try:
        from inline_flow import run_nightly
    except ImportError:
        return _ingest_by_steps(home, paths, run_id)
    summary = run_nightly(home=str(home), paths=[str(p) for p in paths])
    assert summary["exit_status"] == 0 and not summary["rejected"], summary["rejected"]
    return load_settings(home)


def _ingest_by_steps(home: Path, paths: list[Path], run_id: str) -> Settings:
    settings = load_settings(home).ensure()
    sources, refusals = discover(paths, settings.limits.max_file_bytes, None, None)
    assert not refusals, refusals
    chunk = steps.read_chunk(sources)
    outcome = steps.gate_tables(chunk.tables, chunk.failures)
    assert not outcome.rejected_ids, outcome.findings.filter(pl.col("severity") == "error")
    accepted, rejected, findings = steps.publish_inputs(outcome, chunk.failures, {}, run_id)
    lake.publish(
        settings.lake, settings.warehouse, accepted, rejected, findings, run_id,
        datetime(2026, 11, 28, 2, 0),
    )  # fmt: skip
    return settings


def demo_home(factory: pytest.TempPathFactory) -> Settings:
    """The demo data home `bpw demo --history` builds (the real 2026 table and the
    synthetic corpus; not samples/forms or samples/realworld), built once per session."""
    if "demo" not in _DEMO:
        _DEMO["demo"] = ingest(
            factory.mktemp("demo") / "home", [SAMPLES / "2026", SAMPLES / "synthetic"]
        )
    return _DEMO["demo"]
