"""Hostile input: a corpus of 28 malformed or hostile files and 2 valid-but-tricky ones,
ingested together through the real `bpw ingest` (a real Prefect flow run). Each bad
file is rejected with its own rule and a report; nothing crashes; memory stays
bounded; the good files load, formulas and quotes as literal text; the flow run and
the exit status say that files were rejected.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hostile_corpus import (
    FILE_LIMIT,
    FORMULA_DEPARTMENT,
    LITERALS,
    XLSX_DEPARTMENT,
    Corpus,
    build_hostile,
)

MAX_RSS_BYTES = 1536 * 1024 * 1024
REPORT_FIELDS = {"rule", "severity", "source_row", "column", "value", "message", "hint"}
# `bpw …` in this process, then the final state of the flow run it started (the
# temporary Prefect server still runs until this process exits)
CLI_THEN_FLOW_STATE = """
import json, sys
from interface.cli import main
sys.argv = ["bpw", *sys.argv[1:]]
try:
    main()
    code = 0
except SystemExit as exit:
    code = exit.code
from prefect.client.orchestration import get_client
from prefect.client.schemas.sorting import FlowRunSort
home = sys.argv[sys.argv.index("--home") + 1]
with get_client(sync_client=True) as client:
    runs = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=50)
(run,) = [r for r in runs if r.parameters.get("home") == home][:1]
state = {"type": run.state.type.value, "name": run.state.name, "message": run.state.message}
print("FLOW-STATE " + json.dumps(state, ensure_ascii=False))
sys.exit(code)
"""


class Ingested:
    def __init__(self, corpus: Corpus, home: Path, result: subprocess.CompletedProcess[str]):
        self.corpus, self.home, self.result = corpus, home, result
        lines = result.stdout.splitlines()
        self.flow_state = json.loads(
            next(line for line in lines if line.startswith("FLOW-STATE "))[11:]
        )
        (summary,) = (home / "runs").glob("*.json")
        self.summary = json.loads(summary.read_text("utf-8"))
        self.reports = {}
        for report in (home / "quarantine").glob("*/report.json"):
            payload = json.loads(report.read_text("utf-8"))
            self.reports[payload["file"]["file_name"]] = (report.parent, payload)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    root = tmp_path_factory.mktemp("hostile")
    corpus = build_hostile(root)
    home = root / "home"
    env = {**os.environ, "BPW_MAX_FILE_BYTES": str(FILE_LIMIT), "COLUMNS": "200"}
    env.pop("BPW_HOME", None)
    result = subprocess.run(
        [sys.executable, "-c", CLI_THEN_FLOW_STATE, "--home", str(home), "ingest",
         str(corpus.inbox)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return Ingested(corpus, home, result)


def test_the_corpus_is_large_and_varied(ingested: Ingested) -> None:
    corpus = ingested.corpus
    assert len(corpus.rejected()) >= 25 and len(set(corpus.rejected().values())) >= 20


def test_the_run_finishes_loads_the_good_files_and_exits_1(ingested: Ingested) -> None:
    assert ingested.result.returncode == 1, ingested.result.stderr[-3000:]
    loaded = sorted(r["file_name"] for r in ingested.summary["loaded"])
    assert loaded == sorted(Path(name).name for name in ingested.corpus.loading())
    assert ingested.summary["exit_status"] == 1


def test_the_flow_run_says_files_were_rejected(ingested: Ingested) -> None:
    n = len(ingested.corpus.rejected())
    state = ingested.flow_state
    assert (state["type"], state["name"]) == ("COMPLETED", "CompletedWithRejections")
    assert state["message"].startswith(f"{n} file(s) rejected: ")


def test_each_bad_file_is_rejected_with_its_own_rule_and_one_line(ingested: Ingested) -> None:
    printed = [line for line in ingested.result.stderr.splitlines() if line.startswith("rejected:")]
    assert len(printed) == len(ingested.corpus.rejected())
    for name, rule in ingested.corpus.rejected().items():
        file_name = Path(name).name
        folder, report = ingested.reports[file_name]
        rules = [error["rule"] for error in report["errors"]]
        assert rule in rules, (name, rules)
        first = next(r for r in ingested.summary["rejected"] if r["file_name"] == file_name)
        assert [line for line in printed if f"rejected: {file_name}: {first['rule']}" in line]


def test_each_rejected_file_has_a_report_a_person_can_act_on(ingested: Ingested) -> None:
    for name in ingested.corpus.rejected():
        folder, report = ingested.reports[Path(name).name]
        assert report["status"] == "rejected" and report["what_to_do"]
        assert report["file"]["file_name"] == Path(name).name and report["file"]["sha256"]
        for error in report["errors"]:
            assert set(error) >= REPORT_FIELDS and error["severity"] == "error"
            assert error["message"] and error["hint"], (name, error)
        text = (folder / "report.txt").read_text("utf-8")
        page = (folder / "report.html").read_text("utf-8")
        assert report["errors"][0]["rule"] in text and report["errors"][0]["rule"] in page
        assert "what to do:" in text and "<script" not in page


def test_row_column_and_value_point_at_the_offending_cell(ingested: Ingested) -> None:
    _, report = ingested.reports["金额是文字.txt"]
    (error,) = [e for e in report["errors"] if e["rule"] == "amount_is_number"]
    assert (error["source_row"], error["value"]) == (5, "十万元 | 十万元 |  | ")
    _, report = ingested.reports["超长单元格.txt"]
    (error,) = report["errors"]
    assert (error["source_row"], error["column"]) == (5, "F")
    assert error["value"].startswith("长长长") and len(error["value"]) == 61


def test_memory_stays_bounded(ingested: Ingested) -> None:
    """Peak RSS of every finished child process of this one (the run among them)."""
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert 0 < peak_kb * 1024 < MAX_RSS_BYTES


def test_formulas_and_quotes_load_as_literal_text(ingested: Ingested) -> None:
    con = duckdb.connect(str(ingested.home / "warehouse.duckdb"), read_only=True)
    try:
        departments = {name for (name,) in con.execute(
            "select department_name from dim_department").fetchall()}  # fmt: skip
        texts = con.execute(
            "select d.department_name, p.project_name, f.performance_goal "
            "from fact_project_budget f join dim_project p using (project_id) "
            "join dim_department d on d.department_id = f.department_id"
        ).fetchall()
    finally:
        con.close()
    assert departments == {FORMULA_DEPARTMENT, XLSX_DEPARTMENT}
    for department in departments:
        stored = {t for row in texts if row[0] == department for t in row[1:]}
        for literal in LITERALS:  # byte-identical: no quote stripped, no ' prefix added
            assert literal in stored, (department, literal)
            assert any(t.encode() == literal.encode() for t in stored)


def test_a_symlink_out_of_the_inbox_is_never_followed(ingested: Ingested) -> None:
    secret = (ingested.corpus.outside / "secret.txt").read_bytes()
    digest = hashlib.sha256(secret).hexdigest()
    assert not [p for p in ingested.home.rglob("*") if digest in p.name]
    assert not [
        p for p in ingested.home.rglob("*")
        if p.is_file() and not p.is_symlink() and p.stat().st_size == len(secret)
        and p.read_bytes() == secret
    ]  # fmt: skip
    folder, report = ingested.reports["链接.txt"]
    assert [e["rule"] for e in report["errors"]] == ["symlink"]
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "report.json", "report.txt"]


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".xlsx"])
def test_the_cell_limit_is_the_configured_one_in_every_reader(suffix: str) -> None:
    from hostile_corpus import table, xlsx_bytes

    from transforms.errors import TableError
    from transforms.read import ReadLimits, read_grids

    text = table("某局", ["办公经费\t1.00\t1.00\t\t\t" + "长" * 200_000 + "\t指标"])
    if suffix == ".csv":
        text = text.replace("\t", ",")
    data = (xlsx_bytes([r.split("\t") for r in text.splitlines()]) if suffix == ".xlsx"
            else text.encode())  # fmt: skip
    with pytest.raises(TableError) as raised:  # over csv's own 131072-character cap too
        read_grids(Path(f"t{suffix}"), data, ReadLimits())
    assert (raised.value.rule, raised.value.row, raised.value.column) == (
        "cell_too_large", 5, "F"
    )
    assert read_grids(Path(f"t{suffix}"), data, ReadLimits(max_cell_chars=300_000))
