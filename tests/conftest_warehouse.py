"""Helpers for the warehouse tests: real Frames built from the bundled sample table.

Plain functions, imported by tests/test_lake.py and tests/test_catalog.py (pytest
only auto-loads conftest.py, which belongs to others).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from transforms.normalize import Frames, normalize
from transforms.table import SourceFile, read_table
from warehouse.lake import PublishResult, publish

SAMPLE = Path(__file__).parent / "fixtures" / "2026" / "广州互联网法院.txt"
SAMPLE_DEPARTMENT = "广州互联网法院"
SAMPLE_TOTAL = Decimal("5373.55")  # sum of the 17 projects' 总计
SAMPLE_PROJECTS = 17
SAMPLE_INDICATORS = 71
FIRST_PROJECT = "572.90\t572.90"  # 机构运行辅助经费's 总计 and 财政拨款 cells


@dataclass(frozen=True)
class Variant:
    """A copy of the sample as another department / year / amount / mtime."""

    year: int = 2026
    department: str = SAMPLE_DEPARTMENT
    extra: Decimal = Decimal(0)  # added to the first project's amounts
    mtime: float = 1_700_000_000.0
    tag: str = ""  # makes the bytes (and so the source_file_id) differ


def write_variant(root: Path, variant: Variant) -> Path:
    """Write the variant under root/<tag>/<year>/<department>.txt with the given mtime."""
    text = SAMPLE.read_text(encoding="utf-8").replace(SAMPLE_DEPARTMENT, variant.department)
    if variant.extra:
        amount = f"{Decimal('572.90') + variant.extra:.2f}"
        text = text.replace(FIRST_PROJECT, f"{amount}\t{amount}", 1)
        # the 合计 and the unit subtotal move with it: a table that adds up
        declared = f"{Decimal('5373.54') + variant.extra:,.2f}"
        text = text.replace("\t5,373.54\t5,373.54\t", f"\t{declared}\t{declared}\t")
    if variant.tag:
        text += f"\n注：{variant.tag}\n"
    path = root / (variant.tag or "base") / str(variant.year) / f"{variant.department}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (variant.mtime, variant.mtime))
    return path


def source_of(path: Path) -> SourceFile:
    data = path.read_bytes()
    stat = path.stat()
    return SourceFile(path, hashlib.sha256(data).hexdigest(), stat.st_size, stat.st_mtime)


def frames_for(root: Path, *variants: Variant) -> Frames:
    """Real transforms over written variants: read_table each file, normalize them all."""
    tables = [read_table(source_of(write_variant(root, v))) for v in variants]
    return normalize(tables)


def no_findings() -> pl.DataFrame:
    return pl.DataFrame()


@dataclass
class Home:
    """A data home for one test: lake, catalog, and a counter for run ids and clocks."""

    root: Path
    runs: int = 0

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def catalog(self) -> Path:
        return self.root / "warehouse.duckdb"

    def publish(
        self,
        accepted: Frames,
        rejected: pl.DataFrame | None = None,
        findings: pl.DataFrame | None = None,
    ) -> PublishResult:
        self.runs += 1
        return publish(
            self.lake,
            self.catalog,
            accepted,
            accepted.files.clear() if rejected is None else rejected,
            no_findings() if findings is None else findings,
            f"run{self.runs}",
            datetime(2026, 1, 1, 2, 0, self.runs),
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.catalog), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def scalar(self, sql: str, params: list | None = None):
        return self.query(sql, params)[0][0]


def empty_frames(like: Frames) -> Frames:
    return Frames(*(frame.clear() for frame in like.tables()))
