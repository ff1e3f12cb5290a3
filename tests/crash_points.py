"""The crash tests' shared rules: which writes a publish makes, and which of them to kill at.

A crash test runs a publish once in-process recording each `faults.checkpoint` label, then
kills copies of the run before chosen writes (`BPW_FAULT_AFTER_WRITES=N` stops before the
N-th checkpoint, counted over every module that calls it). The labels must therefore come
from every such module, or kill point N names a different write than labels[N-1].
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import pytest

import warehouse
from warehouse import faults

# the modules a publish writes through; a missing one means the recording misses writes
WRITERS = {"warehouse.fsio", "warehouse.catalog", "warehouse.materialize", "warehouse.scratch"}


def record_checkpoints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every warehouse module's `checkpoint` append its label to the returned list
    (until `monkeypatch.undo()`), in the order the child's fault counter would count them."""
    for info in pkgutil.iter_modules(warehouse.__path__):
        importlib.import_module(f"warehouse.{info.name}")
    writers = [
        name for name, module in list(sys.modules.items())
        if name.startswith("warehouse.")
        and getattr(module, "checkpoint", None) is faults.checkpoint
    ]  # fmt: skip
    assert set(writers) >= WRITERS, writers
    labels: list[str] = []
    for name in writers:
        monkeypatch.setattr(f"{name}.checkpoint", labels.append)
    return labels


def kind(label: str) -> str:
    """A write's kind: its label's first word ("parquet", "manifest", "gc", …)."""
    return label.split()[0]


def kill_points(labels: list[str]) -> list[int]:
    """Every kill point N (before labels[N-1]) that starts or ends a stretch of writes of
    one kind ("parquet …" × 90, say), and every point next to a kind change: the writes
    inside a stretch take the same code path as its ends, and a run makes ~100 of them
    (each derived view's bucket files), each kill costing a run and a recovery."""
    kinds = [kind(label) for label in labels]
    points = set()
    for i, this in enumerate(kinds):
        if i == 0 or i == len(kinds) - 1 or kinds[i - 1] != this or kinds[i + 1] != this:
            points.add(i + 1)
    return sorted(points)
