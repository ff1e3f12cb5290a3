"""`--format table|csv|json|excel` on every command that prints a result, through the
command line on a real data home: csv parses with the csv module and keeps every digit,
json parses and keeps every digit, excel is that csv after a UTF-8 byte-order mark, and
a table rounds for reading (amounts to the cent, percentages to one decimal).

The data home: the real sample for 2025 (20 万元 less) and for 2026 with its first
project at 573.0234 万元 (four decimals), then revised to 573.1234 (a revision for
`bpw diff`), loaded by the plain pipeline; `ingest` and `nightly` run the Prefect flow.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from interface.cli import app
from interface.formats import BOM, Format, Result, amount_2, exact_text, reading_text
from tests import prefect_harness
from tests.hostile_corpus import DECLARED, FIRST_AMOUNTS, SAMPLE_TOTAL, budget_text, sample_text
from tests.hostile_corpus import write as write_file
from tests.inline_flow import run_nightly

BPW = str(Path(sys.executable).with_name("bpw"))
DEPARTMENT = "广州互联网法院"
FIRST = Decimal("573.1234")  # the current 2026 version's first project
TOTAL_2026 = "5373.7734"  # its 17 projects, exactly (the 2025 table sums to 5353.55)
FORMATS = [f.value for f in Format]


def precise_text(first: Decimal, department: str = DEPARTMENT) -> str:
    """The sample with its first project at `first` 万元 and the declared totals with it."""
    total = SAMPLE_TOTAL + (first - Decimal("572.90"))
    return (
        sample_text()
        .replace(DEPARTMENT, department)
        .replace(FIRST_AMOUNTS, f"{first}\t{first}", 1)
        .replace(DECLARED, f"{total:,}\t{total:,}")
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("formats") / "home"
    inbox = home / "inbox"
    write_file(inbox / "2025" / f"{DEPARTMENT}.txt", budget_text(extra=Decimal(-20)))
    write_file(inbox / "2026" / f"{DEPARTMENT}.txt", precise_text(Decimal("573.0234")))
    assert run_nightly(home=str(home))["exit_status"] == 0
    write_file(inbox / "2026" / f"{DEPARTMENT}.txt", precise_text(FIRST))
    assert run_nightly(home=str(home))["exit_status"] == 0
    return home


@pytest.fixture(scope="module")
def yoy_pct(home: Path) -> float:
    """The 2026 yoy_pct as the warehouse holds it (a float with many digits)."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        ((value,),) = con.sql("select yoy_pct from v_department_yoy where year = 2026").fetchall()
    assert len(repr(value)) > 10  # the point: more digits than a table shows
    return value


def bpw(home: Path, *args: str) -> tuple[int, bytes, str]:
    """`bpw --home HOME ARGS` in this process: exit status, stdout bytes, stderr."""
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def each_format(home: Path, *args: str, status: int = 0) -> dict[str, bytes]:
    """The command's stdout in every format (each exits with `status`)."""
    found = {}
    for fmt in FORMATS:
        code, out, err = bpw(home, *args, "--format", fmt)
        assert code == status, (fmt, out.decode("utf-8", "replace"), err)
        found[fmt] = out
    return found


def check_exact_formats(out: dict[str, bytes]) -> tuple[list[dict[str, str]], object]:
    """csv parses, excel is the BOM and the same csv, json parses; both returned."""
    text = out["csv"].decode("utf-8")
    assert not text.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert out["excel"].startswith(BOM.encode("utf-8"))
    assert out["excel"].decode("utf-8") == BOM + text
    return rows, json.loads(out["json"].decode("utf-8"))


# --- the commands ----------------------------------------------------------------------


def test_sql(home: Path, yoy_pct: float) -> None:
    query = "select year, total_amount, yoy_pct from v_department_yoy order by year"
    out = each_format(home, "sql", query)
    rows, records = check_exact_formats(out)
    assert [r["total_amount"] for r in rows] == ["5353.55", TOTAL_2026]
    assert float(rows[1]["yoy_pct"]) == yoy_pct and rows[0]["yoy_pct"] == ""
    assert records[1] == {"year": 2026, "total_amount": TOTAL_2026, "yoy_pct": yoy_pct}
    table = out["table"].decode("utf-8")
    assert re.search(r"│\s+5373\.77\s+│\s+0\.4\s*$", table, re.MULTILINE), table
    assert TOTAL_2026 not in table and repr(yoy_pct)[:6] not in table


def test_yoy(home: Path, yoy_pct: float) -> None:
    out = each_format(home, "yoy", "--department", DEPARTMENT)
    rows, records = check_exact_formats(out)
    assert [r["total_amount"] for r in rows] == ["5353.55", TOTAL_2026]
    assert rows[1]["yoy_change"] == "20.2234" and float(rows[1]["yoy_pct"]) == yoy_pct
    assert records[1]["prev_total_amount"] == "5353.55" and records[1]["yoy_pct"] == yoy_pct
    table = out["table"].decode("utf-8")
    assert "5,373.77" in table and "+20.22" in table and "+0.4%" in table
    assert "5373.7734" not in table and "20.2234" not in table


def test_status(home: Path) -> None:
    out = each_format(home, "status")
    rows, document = check_exact_formats(out)
    assert rows == [
        {"department_name": DEPARTMENT, "year": "2025", "projects": "17",
         "total_amount": "5353.55"},
        {"department_name": DEPARTMENT, "year": "2026", "projects": "17",
         "total_amount": TOTAL_2026},
    ]  # fmt: skip
    assert document["loaded"][1]["total_amount"] == TOTAL_2026
    assert [run["loaded"] for run in document["last_runs"]] == [1, 2]  # newest first
    assert document["rejected"] == []
    table = out["table"].decode("utf-8")
    assert "5373.77" in table and TOTAL_2026 not in table and "Last runs" in table


def test_diff(home: Path) -> None:
    out = each_format(home, "diff", "--year", "2026")
    rows, records = check_exact_formats(out)
    changes = {(r["change_kind"], r["field"]): (r["old_value"], r["new_value"]) for r in rows}
    assert changes[("amount_changed", "total_amount")] == ("573.0234", "573.1234")
    assert changes[("declared_total_changed", "declared_total_amount")] == (
        "5373.6634", "5373.7634",
    )  # fmt: skip
    assert len(records) == len(rows) == 3
    assert "573.0234 → 573.1234" in out["table"].decode("utf-8")


def test_runs(home: Path) -> None:
    out = each_format(home, "runs")
    rows, records = check_exact_formats(out)
    assert [r["manifest_version"] for r in rows] == ["1", "2"]
    assert [r["manifest_version"] for r in records] == [1, 2]
    table = out["table"].decode("utf-8")
    assert all(r["run_id"] in table for r in rows) and "(2 rows)" in table


def test_validate(home: Path, tmp_path: Path) -> None:
    good = write_file(tmp_path / "2027" / f"{DEPARTMENT}.txt", precise_text(FIRST))
    bad = write_file(tmp_path / "2027" / "坏表.txt",
                     sample_text().replace(FIRST_AMOUNTS, "57x.90\t572.90", 1))  # fmt: skip
    out = each_format(home, "validate", str(good.parent), status=1)
    rows, document = check_exact_formats(out)
    assert {(r["file_name"], r["severity"]) for r in rows} >= {
        (bad.name, "error"), (good.name, "warning"),
    }  # fmt: skip
    assert document["files"] == 2 and document["would_reject"] == 1
    assert document["exit_status"] == 1 and len(document["findings"]) == len(rows)
    assert "validated 2 file(s): 1 would load, 1 would be rejected" in out["table"].decode()


@pytest.fixture(scope="module")
def prefect(request: pytest.FixtureRequest) -> None:
    prefect_harness.start(request.config)


def test_ingest_and_nightly_print_the_run_in_every_format(
    home: Path, tmp_path: Path, prefect: None
) -> None:
    """Each run loads one new department-year whose first project has four decimals."""
    amounts = {}
    outputs = {}
    for n, fmt in enumerate(FORMATS):
        first = Decimal("572.9000") + Decimal(n + 1) / 10000 * 1111  # 573.0111, …
        year, command = 2021 + n, ("ingest" if n % 2 == 0 else "nightly")
        path = write_file(home / "inbox" / str(year) / f"{DEPARTMENT}.txt", precise_text(first))
        args = [command, str(path)] if command == "ingest" else [command]
        code, out, err = bpw(home, *args, "--format", fmt)
        assert code == 0, (fmt, out.decode("utf-8", "replace"), err)
        amounts[fmt] = exact_text(SAMPLE_TOTAL + Decimal("0.01") + first - Decimal("572.90"))
        outputs[fmt] = out
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].decode("utf-8"))))
    assert [(r["outcome"], r["year"], r["total_amount"]) for r in rows] == [
        ("loaded", "2022", amounts["csv"])
    ]
    assert len(amounts["csv"].split(".")[1]) == 4  # every digit, not the cents
    excel = outputs["excel"]
    assert excel.startswith(BOM.encode("utf-8"))
    (row,) = csv.DictReader(io.StringIO(excel.decode("utf-8").removeprefix(BOM)))
    assert (row["year"], row["total_amount"]) == ("2024", amounts["excel"])
    summary = json.loads(outputs["json"].decode("utf-8"))
    assert summary["status"] == "ok" and summary["rows"] == {"projects": 17, "indicators": 71}
    (loaded,) = summary["loaded"]
    assert loaded["year"] == 2023 and loaded["total_amount"].startswith(amounts["json"])
    stored = json.loads(Path(summary["reports"]["run_json"]).read_text(encoding="utf-8"))
    assert stored == summary  # the same keys and values as runs/<run>.json
    table = outputs["table"].decode("utf-8")
    assert table.startswith("run ") and "1 file(s) loaded" in table


# --- through the console script, as a user runs it -----------------------------------


def run_bpw(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("BPW_HOME", None)
    return subprocess.run(
        [BPW, "--home", str(home), *args], capture_output=True, env=env, timeout=300
    )


def test_status_and_validate_print_valid_json_from_the_console_script(home: Path) -> None:
    status = run_bpw(home, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    loaded = {row["year"]: row for row in json.loads(status.stdout)["loaded"]}
    assert loaded[2026]["total_amount"] == TOTAL_2026
    sample = home / "inbox" / "2026" / f"{DEPARTMENT}.txt"
    checked = run_bpw(home, "validate", str(sample), "--format", "json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["would_load"] == 1


def test_excel_from_the_console_script_starts_with_the_byte_order_mark(home: Path) -> None:
    done = run_bpw(home, "sql", f"select '{DEPARTMENT}' as 部门", "--format", "excel")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"\xef\xbb\xbf" + f"部门\n{DEPARTMENT}\n".encode()


# --- the formatting rules themselves ----------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("yoy_pct", 19.665681216377568, "19.7"),
        ("yoy_pct", -0.04, "-0.0"),
        ("total_amount", Decimal("1234.5678"), "1234.57"),
        ("total_amount", Decimal("-0.004"), "0.00"),
        ("total_amount", Decimal("5373.550000"), "5373.55"),
        ("annual_target_value", 0.001, "0.001"),
        ("annual_target_value", 11733.38, "11733.38"),
        ("ratio", 2 / 3, "0.6667"),
        ("n", 17, "17"),
        ("flag", True, "true"),
        ("x", None, ""),
    ],
)
def test_a_table_rounds_for_reading(column: str, value: object, shown: str) -> None:
    assert reading_text(column, value) == shown


def test_exact_text_keeps_every_digit() -> None:
    assert exact_text(Decimal("1234.567800")) == "1234.5678"
    assert exact_text(Decimal("5373.550000")) == "5373.55"
    assert float(exact_text(19.665681216377568)) == 19.665681216377568
    assert amount_2(Decimal("0.005")) == "0.01"  # half up, as people round money
    assert Result(["a"], [(1,)]).records() == [{"a": 1}]
