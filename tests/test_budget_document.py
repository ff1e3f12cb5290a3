"""A whole 部门预算 document (收支总表, 财政拨款收支总表, the target table, 三公经费 …):
the target table is found whichever table of the file holds it, it loads exactly as
the text sample does, and every table skipped is noted, never dropped silently."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from expectations.gate import run_gate
from transforms.discover import sha256_of
from transforms.normalize import normalize
from transforms.table import SourceFile, read_table

DOCUMENTS = Path(__file__).parent / "fixtures" / "pdf" / "2026"


@pytest.mark.parametrize("name", ["部门预算.docx", "部门预算.pdf"])
def test_the_target_table_inside_a_budget_document_loads_and_the_rest_is_noted(name: str):
    path = DOCUMENTS / name
    table = read_table(SourceFile(path, sha256_of(path), path.stat().st_size, 0.0, year=2026))
    frames = normalize([table])
    assert frames.projects.height == 17
    assert frames.indicators.height == 71
    assert frames.projects["total_amount"].sum() == Decimal("5373.55")
    assert table.sheet is not None and table.sheet.startswith("table 3")
    findings = run_gate(frames)
    assert findings.filter(pl.col("severity") == "error").is_empty()
    skipped = findings.filter(pl.col("rule") == "cell_not_read")["value"].to_list()
    assert [note.split(":")[0].split(" (")[0] for note in skipped] == [
        "table 1", "table 2", "table 4",
    ]  # fmt: skip
    assert all("skipped, not a target table" in note for note in skipped)
