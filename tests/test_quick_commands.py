"""Quick commands stay quick: `bpw sql`, `yoy`, `status` and `--help` import neither
Prefect nor Great Expectations (seconds of imports), and `--help` not even the synthetic
generator (polars), whatever command is registered. A plain `bpw status` with its summary
kept imports none of typer, pydantic, DuckDB, polars, pandas or pyarrow either
(`interface.quick`), and prints what typer's `bpw status` prints."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from flows.settings import load_settings
from interface.formats import Format
from interface.quick import parse_status
from pipeline import steps
from tests.conftest import SAMPLE
from transforms.discover import discover
from warehouse import lake, status_summary

SLOW = ("prefect", "great_expectations")
# nothing of these on `bpw status` once its summary is kept: each costs 0.05–0.3 s
HEAVY = (
    "prefect", "great_expectations", "typer", "click", "pydantic", "pydantic_core", "duckdb",
    "polars", "pandas", "pyarrow", "numpy",
)  # fmt: skip


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


def heavy_imports(modules: set[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_plain_status_imports_nothing_heavy_once_its_summary_is_kept(home: Path, fmt: str):
    settings = load_settings(home)
    assert status_summary.refresh(settings.lake, settings.warehouse) is not None
    modules = imported_by("--home", str(home), "status", "--format", fmt)
    assert "interface.quick" in modules and "warehouse.status_summary" in modules
    assert heavy_imports(modules) == []
    # and the check sees them where they are: typer's `bpw status --help`
    if fmt == "table":
        assert {"typer", "pydantic"} <= set(heavy_imports(imported_by("status", "--help")))


def bpw_output(*args: str, via_typer: bool = False) -> str:
    """stdout of `bpw ARGS` through the entry point, or straight through typer's app."""
    entry = ["-c", "from interface.commands import app; app()"] if via_typer else [
        "-m", "interface.cli"
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("BPW_HOME", None)
    done = subprocess.run(
        [sys.executable, *entry, *args], capture_output=True, text=True, env=env, timeout=120
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "args",
    [["status"], ["status", "--format", "json"], ["status", "-f", "CSV"]],
    ids=["table", "json", "csv"],
)
def test_the_quick_status_prints_what_typer_prints(home: Path, args: list[str]):
    quick = bpw_output("--home", str(home), *args)
    assert quick == bpw_output("--home", str(home), *args, via_typer=True)
    assert "广州互联网法院" in quick


@pytest.mark.parametrize(
    ("argv", "taken"),
    [
        (["status"], (None, Format.table)),
        (["--home", "h", "status"], ("h", Format.table)),
        (["--home=h", "status", "--format=json"], ("h", Format.json)),
        (["--home", "status", "status", "-f", "Excel"], ("status", Format.excel)),
        (["status", "--format", "csv", "--format", "json"], (None, Format.json)),
        (["status", "--help"], None),
        (["status", "--format", "xml"], None),
        (["status", "--format"], None),
        (["status", "-fjson"], None),
        (["--log-level", "DEBUG", "status"], None),
        (["status", "--home", "h"], None),
        (["sql", "status"], None),
        (["--home", "h"], None),
        ([], None),
    ],
)
def test_only_a_plain_status_is_taken_from_typer(argv: list[str], taken: object):
    assert parse_status(argv) == taken
