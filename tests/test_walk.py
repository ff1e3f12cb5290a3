"""The vectorized body walk gives exactly what the per-row reference walkers give, for
every table form the generator writes and for the awkward long-layout cases; and the
discovery stat cache never serves a hash for changed bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from synth import generate, write_corpus
from transforms.discover import discover
from transforms.grid import Grid
from transforms.hashcache import HashCache
from transforms.locate import locate
from transforms.table import _locate_file
from transforms.walk import Body, walk_bodies, walk_one

HEADER = ["项目名称", "总计", "财政拨款", "财政专户拨款", "其他资金", "绩效目标",
          "一级指标", "二级指标", "三级指标", "指标值"]  # fmt: skip
PREAMBLE = [["项目支出绩效目标表"], ["部门名称：测试局"]]


def assert_same(bodies: list[Body]) -> None:
    for body, fast in zip(bodies, walk_bodies(bodies), strict=True):
        slow = walk_one(body)
        assert_frame_equal(fast.rows, slow.rows)
        if slow.indicators is None:
            assert fast.indicators is None
        else:
            assert_frame_equal(fast.indicators, slow.indicators)


def body(rows: list[list[str]]) -> Body:
    grid = Grid(rows=PREAMBLE + [HEADER] + rows, encoding="utf-8")
    return Body(grid, locate(grid), "测试局")


def test_every_generated_form_walks_as_the_reference(tmp_path: Path):
    corpus = generate(12, range(2024, 2027), seed=5, units_per_department=3)
    write_corpus(corpus, tmp_path, "txt,tsv,csv,xlsx,xls", "packed,long",
                 "utf-8,utf-8-sig,gb18030", seed=5, vary="all")  # fmt: skip
    sources, _ = discover([tmp_path], 50 << 20)
    bodies = [_locate_file(source, None, None).body for source in sources]
    assert {b.layout.kind for b in bodies} == {"packed", "long"}
    assert_same(bodies)


@pytest.mark.parametrize(
    "rows",
    [
        # project cells repeated on every indicator row (csv exports do this)
        [["甲", "5", "5", "", "", "目标", "产出指标", "数量指标", "面积", "10平方米"],
         ["甲", "5", "5", "", "", "目标", "", "质量指标", "合格率", "≥95%"]],
        # a blank-named row that does not fit the project opens one of its own
        [["甲", "5", "5", "", "", "目标", "产出指标", "数量指标", "面积", "10平方米"],
         ["", "7", "7", "", "", "", "", "", "时效", "及时"]],
        # a continuation that names fewer cells than the next row (the guess is unproved:
        # the reference walker decides)
        [["甲", "5", "5", "", "", "目标", "产出指标", "数量指标", "面积", "10平方米"],
         ["甲", "", "", "", "", "", "", "", "合格率", "≥95%"],
         ["甲", "5", "", "", "", "", "", "", "满意度", "≥90%"]],
        # unit rows, a total row, notes and a column-number row between the projects
        [["栏次", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
         ["合计", "12", "12", "", "", "", "", "", "", ""],
         ["某中心", "12", "12", "", "", "", "", "", "", ""],
         ["乙", "12", "12", "", "", "目标", "效益指标", "社会效益", "满意", "提升"],
         ["", "", "", "", "", "", "", "", "", ""],
         ["注：本表单位为万元。"],
         ["空单位", "3", "3", "", "", "", "", "", "", ""]],
    ],
    ids=["repeated-cells", "blank-named-project", "unproved-guess", "units-notes-numbers"],
)  # fmt: skip
def test_awkward_long_tables_walk_as_the_reference(rows: list[list[str]]):
    assert_same([body(rows), body(rows[:1])])


def test_no_tables_walk_to_nothing():
    assert walk_bodies([]) == []


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))  # a fixed mtime (ctime stays now)


def test_the_stat_cache_skips_unchanged_files_and_rehashes_changed_ones(tmp_path: Path):
    inbox, cache_file = tmp_path / "inbox" / "2026", tmp_path / "lake" / "_hashcache.parquet"
    inbox.mkdir(parents=True)
    a, b = inbox / "a.txt", inbox / "b.txt"
    _write(a, "one")
    _write(b, "two")
    cache = HashCache(cache_file, racy_seconds=0)  # trust even files changed just now
    discover([tmp_path / "inbox"], 1 << 20, cache=cache)
    cache.save()
    _write(b, "TWO")  # same size, same mtime as before: only ctime moves
    cache = HashCache(cache_file, racy_seconds=0)
    sources, _ = discover([tmp_path / "inbox"], 1 << 20, cache=cache)
    hashes = {s.path.name: s.sha256 for s in sources}
    assert cache.hits == 1
    assert hashes == {
        "a.txt": hashlib.sha256(b"one").hexdigest(),
        "b.txt": hashlib.sha256(b"TWO").hexdigest(),
    }


def test_a_file_changed_just_now_is_not_cached(tmp_path: Path):
    fresh = tmp_path / "2026" / "a.txt"
    fresh.parent.mkdir()
    fresh.write_text("new", encoding="utf-8")
    cache = HashCache(tmp_path / "cache.parquet")
    discover([tmp_path], 1 << 20, cache=cache)
    cache.save()
    assert HashCache(tmp_path / "cache.parquet").known == {}


def test_a_damaged_cache_is_no_cache(tmp_path: Path):
    damaged = tmp_path / "cache.parquet"
    damaged.write_bytes(b"not parquet")
    assert HashCache(damaged).known == {}


def test_the_written_out_whitespace_is_every_character_str_strip_removes() -> None:
    import sys

    from transforms.walk import PY_WHITESPACE

    every = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert every == PY_WHITESPACE
