"""The benchmark's own parts: the bare-script peer reads a synthetic corpus exactly as
its truth says, the goals' verdict arithmetic, the tables a partial or complete run
renders, the README block rewrite, the environment knobs, and the process-tree memory
sampler. Nothing here is timed: speed is measured only by `make bench`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from benchmarks import peer_script, report
from benchmarks.run import chosen

BIN = Path(sys.executable).parent
GIB = 1 << 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 tables in txt and csv, packed and long, every style knob free to vary."""
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [str(BIN / "bpw"), "synth", "--departments", "20", "--years", "2024-2026",
         "--seed", "3", "--out", str(out), "--formats", "txt,csv", "--layouts", "packed,long"],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def peer_out(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple]:
    out = tmp_path_factory.mktemp("peer")
    return out, peer_script.main(corpus, out)


def test_the_corpus_holds_the_variations_the_peer_must_read(corpus: Path):
    """Else the peer's test below would prove less than it claims."""
    files = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))["files"]
    seen = Counter()
    for record in files:
        style = record["style"]
        seen["元"] += record["amount_unit"] == "元"
        seen["two-row header"] += style["two_row_header"]
        seen["full-width digits"] += style["fullwidth_amounts"]
        seen["shuffled columns"] += style["column_order"] is not None
        seen["dash for zero"] += style["zero_mark"] == "-"
        seen["note row"] += style["notes"]
        seen["long"] += record["layout"] == "long"
        seen["packed"] += record["layout"] == "packed"
        seen["first seq"] += not style["omit_first_seq"]
        seen["dotted codes"] += style["level_codes"] == "dotted"
    assert all(seen[k] for k in ("元", "two-row header", "full-width digits",
                                 "shuffled columns", "dash for zero", "note row", "long",
                                 "packed", "first seq", "dotted codes")), seen  # fmt: skip


def test_the_peer_reads_every_project_with_its_amounts_in_wan(corpus: Path, peer_out):
    out, (n_files, n_projects, _) = peer_out
    truth = pl.read_parquet(corpus / "truth_projects.parquet")
    assert n_files == len(json.loads((corpus / "truth.json").read_text("utf-8"))["files"])
    assert n_projects == truth.height
    names = ["total", "fiscal", "special_account", "other"]
    expected = truth.select(
        "year", pl.col("department_name").alias("department"),
        pl.col("project_name").alias("project"),
        *[pl.col(f"{n}_amount").cast(pl.Float64).round(4).alias(n) for n in names],
    ).sort(pl.all())  # fmt: skip
    got = pl.read_parquet(out / "projects.parquet").select(
        pl.col("year").cast(pl.Int32), "department", "project",
        *[pl.col(f"{n.split('_')[0]}_wan").round(4).alias(n) for n in names],
    ).sort(pl.all())  # fmt: skip
    assert got.equals(expected)


def test_the_peer_splits_every_indicator_as_the_truth_has_it(corpus: Path, peer_out):
    out, (_, _, n_indicators) = peer_out
    truth = pl.read_parquet(corpus / "truth_indicators.parquet")
    assert n_indicators == truth.height
    expected = truth.select(
        "year", "department_name", "project_name", "indicator_name", "period_target_text",
        "annual_target_text",
    ).sort(pl.all())  # fmt: skip
    got = pl.read_parquet(out / "indicators.parquet").select(
        pl.col("year").cast(pl.Int32), pl.col("department").alias("department_name"),
        pl.col("project").alias("project_name"), pl.col("name").alias("indicator_name"),
        pl.col("period").alias("period_target_text"),
        pl.col("annual").alias("annual_target_text"),
    ).sort(pl.all())  # fmt: skip
    assert got.equals(expected)


def test_a_packed_cell_splits_with_or_without_its_first_sequence_number():
    cell = (
        "1-产出指标：11-数量指标：培训人次；实施周期指标值：≥30人；年度指标值：≥30人。"
        "2-3-满意度指标：31-服务对象满意度；满意度；实施周期指标值：≥85%；年度指标值：≥90%。"
    )
    found = [m.group(3, 5, 6, 7, 8) for m in peer_script.PACKED.finditer(cell)]
    assert found == [
        ("产出指标", "数量指标", "培训人次", "≥30人", "≥30人"),
        ("满意度指标", "服务对象满意度", "满意度", "≥85%", "≥90%"),
    ]


@pytest.mark.parametrize(
    ("value", "limit", "unit", "strict", "expected"),
    [
        (3.0, 3.0, "s", False, "met"),
        (2.0, 3.0, "x", True, "met"),
        (1.0, 1.0, "x", True, "**missed** by 0.00× (+0%)"),
        (4.5, 3.0, "s", False, "**missed** by 1.50 s (+50%)"),
        (8.7, 3.0, "x", False, "**missed** by 5.70× (+190%)"),
        (0.15, 0.1, "ms", False, "**missed** by 50 ms (+50%)"),
        (3 * GIB, 2 * GIB, "B", False, "**missed** by 1.00 GiB (+50%)"),
    ],
)
def test_a_verdict_says_met_or_by_how_much_it_missed(value, limit, unit, strict, expected):
    assert report.verdict(value, limit, unit, strict) == expected


def _cold(wall: float, startup: float, rss: int) -> dict:
    return {"wall": wall, "startup": startup, "max_rss": rss, "tree_rss": rss + GIB,
            "stages": {"read": 1.0}, "returncode": 0,
            "summary": "run x: 10 file(s) loaded, 0 rejected"}  # fmt: skip


def _size(files: int, yardstick: float, peer: float, runs: dict) -> dict:
    return {"files": files, "bytes": files * 7000, "yardstick": yardstick,
            "peer": {"wall": peer, "max_rss": GIB, "summary": "peer"}, "runs": runs}  # fmt: skip


def _results(**extra: object) -> dict:
    base = {
        "machine": {"cpu": "cpu", "cores": "2", "memory": "8 GiB", "os": "Linux",
                    "python": "3.11"},
        "load_before": "1.0", "load_after": "1.0", "started_at": "2026-12-03T00:00:00",
        "bench_seconds": 600.0, "startup": 2.5, "startup_noop": 1.5,
    }  # fmt: skip
    return {**base, **extra}


def test_the_goals_table_judges_each_goal_from_its_figures():
    scaling = {
        "M": _size(6400, 1.0, 8.0, {"threads": _cold(12.5, 2.5, GIB),
                                    "dask": _cold(14.0, 2.5, GIB)}),
        "2M": _size(12800, 2.0, 16.0, {"threads": _cold(22.5, 2.5, GIB * 3 // 2)}),
    }  # fmt: skip
    queries = [
        {"name": "v_indicator_target_yoy scan", "p50": 0.08, "p95": 0.09, "runs": 7,
         "rows": 1, "limit": 20.0},
        {"name": "v_project_yoy scan", "p50": None, "p95": None, "runs": 0, "rows": None,
         "limit": 20.0},
    ]  # fmt: skip
    rows = "\n".join(report.goals_table(_results(scaling=scaling, queries_M=queries,
                                                 quick={"bpw status": 0.7})))  # fmt: skip
    # net 12.5 − 2.5 = 10 s: 10× DuckDB's 1 s, 1.25× the peer's 8 s
    assert "10.0 s ÷ 1.00 s = 10.0× | ≤ 3× | **missed** by 7.00× (+233%)" in rows
    assert "10.0 s ÷ 8.00 s = 1.25× | < 1× (faster than it) | **missed** by 0.25× (+25%)" in rows
    assert "1.00 GiB → 1.50 GiB = 1.50× | ≤ 1.25× (flat) | **missed** by 0.25× (+20%)" in rows
    assert "| 2.50 s | ≤ 3.00 s | met |" in rows
    assert "v_indicator_target_yoy` p50 at M | 80 ms | ≤ 100 ms | met |" in rows
    assert "v_project_yoy` p50 at M | > 20 s | ≤ 100 ms | **missed** (stopped at 20 s) |" in rows
    assert "v_project_family_yoy` p50 at M | no such view |" in rows
    assert "`bpw status` at M (median of 3) | 0.70 s | ≤ 0.50 s | **missed** by 0.20 s" in rows
    # what this run did not measure is said, never judged
    assert "p50 at L | not measured in this run |" in rows
    assert "`bpw status` at L (median of 3) | not measured in this run | ≤ 0.50 s | — |" in rows


def test_a_partial_run_renders_its_scaling_rows_and_says_the_rest_was_not_measured():
    scaling = {"S": _size(800, 0.5, 2.0, {"threads": _cold(6.5, 2.5, GIB)})}
    block = report.render(_results(scaling=scaling))
    assert "| S | 800 | `bpw nightly`, threads | 6.50 s | 4.00 s | 123 | 1.00 GiB | " \
           "2.00 GiB | 8.0× | 2.0× |" in block  # fmt: skip
    assert "| S | 800 | peer script (pandas + regex, no gate) | 2.00 s | — | 400 |" in block
    assert "cold ingest of M, net, ÷ DuckDB reading the same files | not measured" in block
    assert "| query |" not in block  # no queries were run


def test_the_readme_block_is_replaced_between_its_markers_only(tmp_path: Path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# bpw\n\nbefore\n{report.START}\nold\n{report.END}\nafter\n", "utf-8")
    report.update_readme(readme, "new table")
    assert readme.read_text("utf-8") == (
        f"# bpw\n\nbefore\n{report.START}\nnew table\n{report.END}\nafter\n"
    )


def test_the_size_and_runner_knobs(monkeypatch: pytest.MonkeyPatch):
    sizes = ("S", "M", "2M", "4M", "L")
    monkeypatch.delenv("BENCH_SIZES", raising=False)
    assert chosen("BENCH_SIZES", sizes) == list(sizes)
    monkeypatch.setenv("BENCH_SIZES", "L, S")
    assert chosen("BENCH_SIZES", sizes) == ["S", "L"]
    monkeypatch.setenv("BENCH_SIZES", "S,XL")
    with pytest.raises(SystemExit, match="XL"):
        chosen("BENCH_SIZES", sizes)


def test_the_tree_sampler_counts_a_grandchild_that_wait4_does_not_add(tmp_path: Path):
    """Parent and grandchild each hold 200 MB at the same time (the child says when it
    holds its share, and keeps it until the parent has held both for 2 s): wait4 sees
    one of them, the sampler both."""
    hold = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    child = f"{hold}; import sys; print('held', flush=True); sys.stdin.read()"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        f"{child!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n"
        f"{hold}\n"
        "assert child.stdout.readline() == b'held\\n'\n"
        "time.sleep(2)\n"
        "child.stdin.close()\n"
        "child.wait()\n"
    )
    # measured from a fresh interpreter: a child forked from this test worker (whose heap
    # earlier tests grew) counts the worker's pages in wait4's peak until it execs (CI:
    # 653 MB), which says nothing about the tree
    measure = (
        "import json, sys; from benchmarks.timing import run; "
        f"done = run([sys.executable, '-c', {script!r}], tree=True).check(); "
        "print(json.dumps([done.max_rss, done.tree_rss]))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", measure], capture_output=True, text=True, check=True, cwd=root
    )
    max_rss, tree_rss = json.loads(out.stdout.strip().splitlines()[-1])
    both = 2 * 200 * 2**20
    assert 200 * 2**20 <= max_rss < both  # wait4: the larger of the two, never the sum
    assert tree_rss is not None and tree_rss >= both


def test_a_failed_run_is_a_row_that_says_so_and_judges_nothing():
    failed = {"error": "bpw nightly exited 70:\nboom", "startup": 2.5}
    scaling = {
        "M": _size(6400, 1.0, 8.0, {"threads": _cold(12.5, 2.5, GIB), "dask": failed}),
        "2M": _size(12800, 2.0, 16.0, {"threads": failed}),
    }  # fmt: skip
    block = report.render(_results(scaling=scaling))
    dask_row = "| M | 6,400 | `bpw nightly`, Dask, 2 workers | failed: bpw nightly exited 70: |"
    assert dask_row in block
    assert "M (6,400 files) → 2M (12,800 files) | not measured in this run |" in block
