"""Computed once: the indicator name key (指标匹配名) is stored in the lake when rows are
written, exactly as the SQL macro `indicator_key` computes it, and a lake file written
before the key was stored still reads the same keys (staging computes them for its rows).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from conftest_warehouse import Home, Variant, frames_for

from transforms.identity import _FULL_WIDTH, indicator_key
from warehouse.catalog import build_catalog
from warehouse.lake import read_manifest
from warehouse.manifest import table_files
from warehouse.schemas import conform
from warehouse.sqlfiles import load_sql

NAMES = [
    "ＫＰＩ 达标率",
    "群众 满意度\t（％）",
    "a\vb",  # vertical tab: not whitespace to the SQL regex
    "a\u3000b",  # ideographic space: not ASCII whitespace, kept
    "a\xa0b",
    "x\n\ry\fz",
    "＇＼ｑ",  # the two full-width characters the macro does not fold
    _FULL_WIDTH,
    "  ",
    "",
    None,
]


def sql_keys(names: list[str | None]) -> list[str | None]:
    con = duckdb.connect()
    try:
        con.execute(load_sql("macros"))
        return [
            row[0]
            for row in con.execute(
                "select indicator_key(name) from unnest($names::varchar[]) with ordinality "
                "as t(name, n) order by n",
                {"names": names},
            ).fetchall()
        ]
    finally:
        con.close()


def test_the_stored_key_is_what_the_sql_macro_computes() -> None:
    frame = pl.DataFrame({"indicator_name": NAMES}, schema={"indicator_name": pl.String})
    stored = frame.select(indicator_key(pl.col("indicator_name")))["indicator_name"].to_list()
    assert stored == sql_keys(NAMES)
    assert stored[0] == "KPI达标率"


def test_conform_stores_a_missing_key_and_keeps_a_given_one() -> None:
    for table in ("indicators", "results"):
        frame = pl.DataFrame({"indicator_name": ["ＫＰＩ 达标率", None]})
        assert conform(frame, table)["indicator_key"].to_list() == ["KPI达标率", None]
        given = frame.with_columns(pl.lit("given").alias("indicator_key"))
        assert conform(given, table)["indicator_key"].to_list() == ["given", "given"]
    assert "indicator_key" not in conform(pl.DataFrame({"x": [1]}), "projects").columns


def staged_keys(home: Home) -> list[tuple]:
    """(indicator_name, the staged key, the macro's key, the stored key) of every row."""
    return home.query(
        "select s.indicator_name, s.indicator_key, indicator_key(s.indicator_name), "
        "l.indicator_key from stg_indicator_versions as s join lake_indicators as l "
        "using (source_file_id, source_row, indicator_seq) order by all"
    )


def test_a_lake_file_without_the_key_reads_the_same_keys(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir(parents=True)
    home.publish(frames_for(tmp_path / "inbox", Variant(year=2025, tag="a"), Variant()))
    rows = staged_keys(home)
    assert rows and all(stored is not None for *_, stored in rows)
    assert all(staged == macro == stored for _, staged, macro, stored in rows)

    # an older lake: one year's file written before the key was stored
    manifest = read_manifest(home.lake)
    rel = sorted(table_files(manifest, "indicators"))[0]
    path = home.lake / rel
    pl.read_parquet(path).drop("indicator_key").write_parquet(path)
    build_catalog(home.lake, home.catalog, manifest)
    old = staged_keys(home)
    assert [row[:3] for row in old] == [row[:3] for row in rows]
    assert any(stored is None for *_, stored in old)
    assert any(stored is not None for *_, stored in old)
