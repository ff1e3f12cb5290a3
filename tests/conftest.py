"""Shared fixtures: the real sample (copied into tests/fixtures) and frame builders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import settings

from transforms.normalize import Frames, normalize
from transforms.table import SourceFile, TableRows, read_table

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "2026" / "广州互联网法院.txt"

# No time limit per example: Hypothesis' default 200 ms deadline is a timed assertion, and
# it fails a correct test whenever the machine is busy (two workers on two shared cores).
settings.register_profile("bpw", deadline=None)
settings.load_profile("bpw")


def table_from_bytes(path: Path, data: bytes, mtime: float = 0.0) -> TableRows:
    """Read a table from bytes as if they were at `path` (the path gives year and name)."""
    source = SourceFile(path, hashlib.sha256(data).hexdigest(), len(data), mtime)
    return read_table(source, data)


def frames_from_texts(*named_texts: tuple[str, str]) -> Frames:
    """Frames for several tables given as (path, text) pairs."""
    return normalize([table_from_bytes(Path(p), t.encode("utf-8")) for p, t in named_texts])


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_frames(sample_text: str) -> Frames:
    return frames_from_texts(("inbox/2026/广州互联网法院.txt", sample_text))


# The files whose tests take longest (crash tests, module fixtures that run the pipeline,
# Prefect servers), slowest first. `make test` hands whole files to its two workers
# (`--dist loadfile`: a module fixture is built once, not once per worker) in collection
# order, so these go first and the many short files fill in at the end. Order only: every
# test is still collected and run.
SLOW_FILES_FIRST = (
    "test_faults.py", "test_self_eval.py", "test_chunks.py", "test_observability.py",
    "test_dask.py", "test_cli.py", "test_output_formats.py", "test_retention.py",
    "test_lake.py", "test_revisions.py", "test_server_reuse.py", "test_serve.py",
    "test_idempotency.py", "test_external_server.py", "test_derived.py",
    "test_status_summary.py", "test_demo_forms.py", "test_lock.py", "test_packaging.py",
    "test_forms_cli.py", "test_synth_self_eval.py", "test_hostile.py",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Collect SLOW_FILES_FIRST first (a stable sort: the rest keep their order)."""
    missing = [name for name in SLOW_FILES_FIRST if not (FIXTURES.parent / name).is_file()]
    assert not missing, f"SLOW_FILES_FIRST names no such test file: {missing}"
    rank = {name: n for n, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
