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
