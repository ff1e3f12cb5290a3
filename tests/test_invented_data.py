"""Invented data never wears a real name, and the warehouse says which figures are invented.

- the bundled synthetic corpus (samples/synthetic) and anything `bpw synth` writes name
  only invented departments (虚构市…) and carry the 数据性质：虚构示例数据 line;
- the reader recognises that line: `dim_source_file.is_synthetic` is true for every
  synthetic batch and false for the real table, and old lakes without the column read;
- the report puts a visible invented-data note on every synthetic department only.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest_warehouse import Home, Variant, frames_for
from demo_warehouse import SAMPLES, demo_home
from typer.testing import CliRunner

from flows.settings import Settings
from interface.cli import app
from interface.report import write_report
from interface.report.data import load_report_data
from synth import generate, write_corpus
from synth.style import ENCODINGS, FORMATS, LAYOUTS
from synth.vocabulary import SYNTHETIC_MARK
from transforms.locate import locate
from transforms.read import read_grids
from transforms.table import SourceFile, read_table
from warehouse.catalog import build_catalog
from warehouse.lake import read_manifest
from warehouse.manifest import table_files

REAL_COURT = "广州互联网法院"
SYNTHETIC = SAMPLES / "synthetic"
REAL_TABLE = SAMPLES / "2026" / f"{REAL_COURT}.txt"
# Place names of the real city the old corpus borrowed; none may appear in invented data.
REAL_PLACES = ("广州", "荔湾", "番禺", "南沙", "越秀", "海珠", "天河", "白云", "黄埔", "花都")


def table_files_under(root: Path) -> list[Path]:
    suffixes = {".txt", ".tsv", ".csv", ".xlsx", ".xls"}
    return sorted(p for p in root.rglob("*") if p.suffix in suffixes)


def all_cells(path: Path) -> list[str]:
    """Every non-empty cell of every sheet of a file, as the readers see it."""
    return [cell for grid in read_grids(path) for row in grid.rows for cell in row if cell]


def assert_invented_only(files: list[Path]) -> None:
    for path in files:
        assert path.stem.startswith("虚构市"), path
        cells = all_cells(path)
        assert cells[0] == SYNTHETIC_MARK, f"{path}: the first cell is not the mark"
        text = "\n".join(cells)
        leaked = [place for place in REAL_PLACES if place in text or place in path.name]
        assert not leaked, f"{path} names {leaked}"
        data = path.read_bytes()
        table = read_table(SourceFile(path, hashlib.sha256(data).hexdigest(), len(data), 0.0))
        assert table.synthetic, path
        assert table.department_name.startswith("虚构市"), path
        names = table.rows["unit_name"].drop_nulls().to_list() + table.rows["name"].to_list()
        assert all(REAL_COURT not in name for name in names), path


def test_the_bundled_synthetic_corpus_names_no_real_department() -> None:
    files = table_files_under(SYNTHETIC)
    self_evaluations = [p for p in files if p.stem.endswith("-自评")]
    assert len(files) - len(self_evaluations) == 40  # 目标表: 5 invented departments × 2019–2026
    assert {p.parent.name for p in self_evaluations} == {"2024", "2025"}
    assert len(self_evaluations) == 10  # 自评表: the same 5 departments × 2024–2025
    assert {p.parent.name for p in files} == {str(y) for y in range(2019, 2027)}
    assert_invented_only(files)


def test_the_bundled_corpus_is_what_its_documented_bpw_synth_command_writes(
    tmp_path: Path,
) -> None:
    """samples/README.md's command regenerates samples/synthetic byte for byte."""
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`bpw synth ([^`]+) --out samples/synthetic`", readme)
    assert command, "samples/README.md names the command that wrote samples/synthetic"
    result = CliRunner().invoke(app, ["synth", *command.group(1).split(), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = {p.relative_to(tmp_path): p.read_bytes() for p in table_files_under(tmp_path)}
    bundled = {p.relative_to(SYNTHETIC): p.read_bytes() for p in table_files_under(SYNTHETIC)}
    assert written == bundled


def test_bpw_synth_output_never_carries_a_real_name(tmp_path: Path) -> None:
    corpus = generate(25, range(2025, 2027), seed=7, units_per_department=2)
    write_corpus(corpus, tmp_path, FORMATS, LAYOUTS, ENCODINGS)
    assert_invented_only(table_files_under(tmp_path))
    for truth in tmp_path.glob("truth*"):
        content = truth.read_bytes()
        assert REAL_COURT.encode() not in content and "广州".encode() not in content, truth


def test_the_real_table_is_not_marked_and_the_mark_alone_decides() -> None:
    real = read_grids(REAL_TABLE)[0]
    assert not locate(real).synthetic
    marked = replace(real, rows=[[SYNTHETIC_MARK], *real.rows])
    assert locate(marked).synthetic
    assert not any("数据性质" in cell for row in real.rows for cell in row)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return demo_home(tmp_path_factory)


def query(settings: Settings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_synthetic_batch_is_marked_and_the_real_one_is_not(home: Settings) -> None:
    rows = query(
        home,
        "select d.department_name, f.year, f.file_name, f.is_synthetic "
        "from dim_source_file as f join dim_department as d using (department_id) "
        "where f.status = 'current' order by 1, 2",
    )
    real = [r for r in rows if r[0] == REAL_COURT]
    invented = [r for r in rows if r[0] != REAL_COURT]
    assert real == [(REAL_COURT, 2026, f"{REAL_COURT}.txt", False)]
    assert len(invented) == 50  # 40 目标表 and 10 自评表
    assert all(name.startswith("虚构市") and flag is True for name, _, _, flag in invented)
    comment = query(
        home,
        "select comment from duckdb_columns() "
        "where table_name = 'dim_source_file' and column_name = 'is_synthetic'",
    )
    assert comment and "虚构" in comment[0][0] and "invented" in comment[0][0]


def test_a_lake_written_before_the_column_still_reads(tmp_path: Path) -> None:
    """source_files Parquet without is_synthetic: dim_source_file answers false."""
    built = Home(tmp_path / "home")
    built.root.mkdir(parents=True)
    built.publish(frames_for(tmp_path / "inbox", Variant()))
    lake = built.lake
    manifest = read_manifest(lake)
    for rel in table_files(manifest, "source_files"):
        path = lake / rel
        pl.read_parquet(path).drop("is_synthetic").write_parquet(path)
        assert "is_synthetic" not in pl.read_parquet_schema(path)
    build_catalog(lake, built.catalog, manifest)
    rows = built.query("select file_name, is_synthetic from dim_source_file")
    assert rows == [(f"{REAL_COURT}.txt", False)]


def test_the_report_says_which_figures_are_invented(home: Settings, tmp_path: Path) -> None:
    data = load_report_data(home.warehouse)
    invented = {d.name for d in data.departments if d.invented}
    assert invented == {d.name for d in data.departments if d.name.startswith("虚构市")}
    assert len(invented) == 5 and REAL_COURT not in invented
    html = write_report(home.warehouse, tmp_path / "report.html").read_text(encoding="utf-8")
    sections = dict(re.findall(r'<section id="d\d+"><h2>(.*?)</h2>(.*?)</section>', html))
    assert set(sections) == {d.name for d in data.departments}
    for name, body in sections.items():
        noted = "虚构示例数据 — invented data: every figure in this section is invented" in body
        assert noted == (name in invented), name
    assert "5 of 6 department(s) hold invented figures" in html
    overview = html[html.index('<table class="overview">') : html.index("</table>")]
    assert overview.count("虚构 invented</span>") == 5
