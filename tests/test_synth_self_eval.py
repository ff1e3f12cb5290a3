"""`bpw synth --self-eval`: 项目支出绩效自评表 for the generated targets, with ground truth.

A small history (3 invented departments, 目标表 2022–2025, 自评表 2023–2025) is written
by the command line, ingested by the command line, and every row and figure of the
attainment views must equal what the generator decided — attainment, restated targets,
target and actual texts, weights and scores, counts, met shares, execution rates and the
year before's.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from synth import generate, write_corpus
from synth.cli import synth
from synth.self_eval import evaluate
from synth.self_eval_cards import self_eval_bytes
from synth.self_eval_truth import (
    ATTAINMENT_COLUMNS,
    TRUTH_RESULTS,
    YOY_COLUMNS,
    expected_department_attainment_yoy,
    expected_target_attainment,
    load_self_eval_truth,
)
from tests.conftest import FIXTURES
from tests.test_cli import bpw
from transforms.table import SourceFile, read_table

SEED = 11
# summary layouts: their 年度指标值 reads back verbatim (a card with split target columns
# prints a bare 12个 as 指标性质 = | 12 | 个, which the warehouse keeps as =12个)
COMMAND = [
    "-n", "3", "--years", "2022-2025", "--seed", str(SEED), "--formats", "txt,csv,xlsx",
    "--layouts", "packed,long", "--self-eval", "2023-2025",
]  # fmt: skip


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus folder, data home): the history written and ingested through the CLI."""
    root = tmp_path_factory.mktemp("synth-self-eval")
    corpus = root / "files"
    written = CliRunner().invoke(_app(), [*COMMAND, "--out", str(corpus)])
    assert written.exit_code == 0, written.output
    home = root / "home"
    result = bpw(home, "ingest", str(corpus))
    assert result.returncode == 0, result.stdout + result.stderr
    return corpus, home


def _app():
    import typer

    app = typer.Typer()
    app.command()(synth)
    return app


def query(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def attainment_rows(home: Path) -> list[tuple]:
    return query(
        home,
        f"select {', '.join(ATTAINMENT_COLUMNS)} from v_target_attainment "
        "order by year, department_name, project_name, indicator_seq",
    )


def yoy_rows(home: Path) -> list[tuple]:
    return query(
        home,
        f"select {', '.join(YOY_COLUMNS)} from v_department_attainment_yoy "
        "order by department_name, year",
    )


def test_the_history_holds_every_outcome(history: tuple[Path, Path]) -> None:
    """The truth is not a corner case: met, missed, qualitative, not reported, restated."""
    results = load_self_eval_truth(history[0])["results"]
    outcomes = Counter(results["attainment"].to_list())
    assert set(outcomes) == {"met", "missed", "qualitative", "not_reported"}, outcomes
    assert min(outcomes.values()) >= 5, outcomes
    assert results["target_restated"].sum() >= 5
    missed = results.filter(pl.col("attainment") == "missed")
    assert missed["deviation_reason"].null_count() == 0  # every miss says why
    unreported = results.filter(pl.col("attainment") == "not_reported")
    assert unreported["actual_text"].null_count() == unreported.height
    assert unreported["score"].null_count() == unreported.height


def test_v_target_attainment_is_the_generators_truth(history: tuple[Path, Path]) -> None:
    corpus, home = history
    expected = expected_target_attainment(load_self_eval_truth(corpus)["results"]).rows()
    assert attainment_rows(home) == expected


def test_v_department_attainment_yoy_is_the_generators_truth(history: tuple[Path, Path]) -> None:
    corpus, home = history
    truth = load_self_eval_truth(corpus)
    expected = expected_department_attainment_yoy(truth["executions"], truth["results"])
    got = yoy_rows(home)
    assert got == expected.sort("department_name", "year").rows()
    assert len(got) == 9  # 3 departments × 2023–2025; 2022 has a 目标表 only
    assert sum(row[6] is not None for row in got) == 6  # the year before, where there is one


def test_one_changed_truth_value_shows(history: tuple[Path, Path]) -> None:
    """The comparisons are strict: one indicator judged otherwise changes both views."""
    corpus, home = history
    truth = load_self_eval_truth(corpus)
    results = truth["results"].with_row_index("i")
    first_met = results.filter(pl.col("attainment") == "met")["i"][0]
    flipped = results.with_columns(
        pl.when(pl.col("i") == first_met).then(pl.lit("missed")).otherwise("attainment")
        .alias("attainment")
    ).drop("i")  # fmt: skip
    assert attainment_rows(home) != expected_target_attainment(flipped).rows()
    yoy = expected_department_attainment_yoy(truth["executions"], flipped)
    assert yoy_rows(home) != yoy.sort("department_name", "year").rows()
    restated = truth["results"].with_columns(pl.col("target_restated").not_())
    assert attainment_rows(home) != expected_target_attainment(restated).rows()


def test_each_projects_execution_is_the_generators(history: tuple[Path, Path]) -> None:
    """年初预算数 / 全年预算数 / 全年执行数 exact in 万元, 执行率 as printed."""
    corpus, home = history
    executions = load_self_eval_truth(corpus)["executions"]
    got = query(
        home,
        "select e.year, d.department_name, p.project_name, e.initial_budget_amount, "
        "e.adjusted_budget_amount, e.executed_amount, e.execution_rate "
        "from fact_project_execution e join dim_department d using (department_id) "
        "join dim_project p using (project_id) order by 1, 2, 3",
    )
    expected = [
        (r["year"], r["department_name"], r["project_name"], r["initial_budget_amount"],
         r["adjusted_budget_amount"], r["executed_amount"],
         float(r["rate_text"].removesuffix("%")))
        for r in executions.sort("year", "department_name", "project_name").iter_rows(named=True)
    ]  # fmt: skip
    assert [(*row[:3], *(Decimal(v) for v in row[3:6]), row[6]) for row in got] == expected


def test_the_budget_of_each_self_evaluation_is_its_target_tables(
    history: tuple[Path, Path],
) -> None:
    """年初预算数 is the 目标表's amount for the same project: the two kinds link."""
    _, home = history
    rows = query(
        home,
        "select count(*), count(*) filter (where b.total_amount = e.initial_budget_amount) "
        "from fact_project_execution e join fact_project_budget b using (year, project_id)",
    )
    (n, equal), n_executions = rows[0], query(home, "select count(*) from fact_project_execution")
    assert n == equal == n_executions[0][0] > 0


def test_the_truth_lists_each_self_evaluation_file(history: tuple[Path, Path]) -> None:
    corpus, _ = history
    document = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    records = document["self_evaluations"]
    assert document["meta"]["self_eval_years"] == [2023, 2024, 2025]
    assert sorted(r["path"] for r in records) == sorted(
        p.relative_to(corpus).as_posix() for p in corpus.rglob("*-自评.xlsx")
    )
    executions = load_self_eval_truth(corpus)["executions"]
    for record in records:
        own = executions.filter(pl.col("path") == record["path"])
        assert Decimal(record["executed_total"]) == own["executed_amount"].sum()
        assert record["n_projects"] == own.height


def test_same_seed_same_bytes_and_no_self_evaluation_by_default(tmp_path: Path) -> None:
    corpus = generate(2, range(2024, 2025), seed=5)
    table = corpus.tables[0]
    first = self_eval_bytes(evaluate(table, 5), 5)
    assert first == self_eval_bytes(evaluate(table, 5), 5)
    assert first != self_eval_bytes(evaluate(table, 6), 6)
    plain = write_corpus(corpus, tmp_path / "plain")
    assert not list((tmp_path / "plain").rglob("*-自评.xlsx"))
    assert not (tmp_path / "plain" / TRUTH_RESULTS).exists()
    assert "self_evaluations" not in (tmp_path / "plain" / "truth.json").read_text("utf-8")
    with_eval = write_corpus(corpus, tmp_path / "eval", self_eval_years=[2024])
    assert len(with_eval) == len(plain) + 2
    for a, b in zip(plain, with_eval, strict=False):  # the 目标表 bytes are unchanged
        assert a.read_bytes() == b.read_bytes()
    again = write_corpus(corpus, tmp_path / "eval")  # regenerated without: none left over
    assert not list((tmp_path / "eval").rglob("*-自评.xlsx")) and len(again) == len(plain)
    assert not (tmp_path / "eval" / TRUTH_RESULTS).exists()


def test_a_generated_self_evaluation_is_marked_invented_and_the_real_one_is_not(
    tmp_path: Path,
) -> None:
    corpus = generate(1, range(2024, 2025), seed=5)
    path = tmp_path / "2024" / "x-自评.xlsx"
    path.parent.mkdir()
    path.write_bytes(self_eval_bytes(evaluate(corpus.tables[0], 5), 5))
    real = FIXTURES / "realworld" / "2023" / "青神县发展和改革局-自评.xlsx"
    for source, invented in ((path, True), (real, False)):
        data = source.read_bytes()
        table = read_table(SourceFile(source, hashlib.sha256(data).hexdigest(), len(data), 0.0))
        assert (table.kind, table.synthetic) == ("self_evaluation", invented), source


def test_self_eval_years_must_be_generated_years(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(), ["--years", "2024-2025", "--self-eval", "2023", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0 and "--self-eval" in result.output


def test_the_demo_historys_attainment_is_its_generators_truth(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """samples/synthetic's 自评表 (2024–2025), loaded as `bpw demo --history` loads them:
    both attainment views equal the truth of the command samples/README.md names."""
    import re

    from demo_warehouse import SAMPLES, demo_home

    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`bpw synth ([^`]+) --out samples/synthetic`", readme)
    assert command and "--self-eval" in command.group(1)
    written = CliRunner().invoke(_app(), [*command.group(1).split(), "--out", str(tmp_path)])
    assert written.exit_code == 0, written.output
    truth = load_self_eval_truth(tmp_path)
    home = demo_home(tmp_path_factory).home
    assert attainment_rows(home) == expected_target_attainment(truth["results"]).rows()
    yoy = expected_department_attainment_yoy(truth["executions"], truth["results"])
    got = yoy_rows(home)
    assert got == yoy.sort("department_name", "year").rows()
    assert {(row[0][:3], row[1]) for row in got} == {("虚构市", 2024), ("虚构市", 2025)}
    assert len(got) == 10
