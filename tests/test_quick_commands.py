"""Quick commands stay quick: `bpw sql`, `yoy`, `status` and `--help` import neither
Prefect nor Great Expectations (seconds of imports), and `--help` not even the synthetic
generator (polars), whatever command is registered."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from flows.settings import load_settings
from pipeline import steps
from tests.conftest import SAMPLE
from transforms.discover import discover
from warehouse import lake

SLOW = ("prefect", "great_expectations")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the real sample, published without running the flow."""
    settings = load_settings(tmp_path_factory.mktemp("quick") / "home").ensure()
    sources, _ = discover([SAMPLE], settings.limits.max_file_bytes)
    chunk = steps.read_chunk(sources)
    outcome = steps.gate_tables(chunk.tables, chunk.failures)
    accepted, rejected, findings = steps.publish_inputs(outcome, chunk.failures, {}, "quick")
    lake.publish(settings.lake, settings.warehouse, accepted, rejected, findings, "quick",
                 datetime(2026, 11, 28, 2, 0))  # fmt: skip
    return settings.home


def imported_by(*args: str) -> set[str]:
    """The modules `python -m interface.cli ARGS` imports (from -X importtime), after
    checking that it exits 0."""
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("BPW_HOME", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "interface.cli", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert lines, "no -X importtime output"
    return {line.rsplit("|", 1)[-1].strip() for line in lines}


def slow_imports(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in SLOW)


@pytest.mark.parametrize(
    "args",
    [
        ["sql", "select count(*) from fact_project_budget"],
        ["yoy", "--department", "广州互联网法院"],
        ["status"],
    ],
    ids=["sql", "yoy", "status"],
)
def test_a_quick_command_imports_neither_prefect_nor_great_expectations(
    home: Path, args: list[str]
):
    assert slow_imports(imported_by("--home", str(home), *args)) == []


def test_help_imports_neither_them_nor_the_generator():
    modules = imported_by("--help")
    assert slow_imports(modules) == []
    assert not any(m.startswith("synth") for m in modules)


def test_synth_still_takes_its_own_options_and_help(tmp_path: Path):
    env = {**os.environ, "COLUMNS": "200"}
    help_text = subprocess.run(
        [sys.executable, "-m", "interface.cli", "synth", "--help"],
        capture_output=True, text=True, env=env, timeout=120,
    ).stdout  # fmt: skip
    assert "--departments" in help_text and "--layouts" in help_text
    out = tmp_path / "corpus"
    done = subprocess.run(
        [sys.executable, "-m", "interface.cli", "synth", "--departments", "1", "--years", "2026",
         "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("2026/*"))) == 1
    bad = subprocess.run(
        [sys.executable, "-m", "interface.cli", "synth", "--formats", "ppt", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2
