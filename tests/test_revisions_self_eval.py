"""A resubmitted 自评表: `v_revision_change` and `bpw diff` name what the corrected
year-end self-evaluation changed (execution amounts, actuals, scores, reasons), and the
目标表 of the same department-year, not resubmitted, is neither compared nor replaced."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from attainment_home import DEVELOPMENT, EVALUATIONS, self_evaluation, target_card
from self_eval_forms import write_rows
from typer.testing import CliRunner

from interface.cli import app
from tests.test_revisions import publish_file

FIRST = next(e for e in EVALUATIONS if e.department == DEVELOPMENT and e.year == 2025)
INSURED = "足额保障率(参保率)"
# the corrected form: more spent, and the missed indicator reported met after all
SECOND = replace(
    FIRST,
    executed="239.30",
    rate="95.00%",
    indicators=tuple(
        replace(i, actual="100", score=i.weight, reason="") if i.name == INSURED else i
        for i in FIRST.indicators
    ),
)
EXPECTED = [
    ("execution_changed", FIRST.project, None, "executed_amount", "226.70", "239.30"),
    ("result_changed", FIRST.project, INSURED, "actual_text", "98%", "100%"),
    ("result_changed", FIRST.project, INSURED, "score", "25.0", "30.0"),
    ("result_changed", FIRST.project, INSURED, "deviation_reason", "两名职工社保关系转移未完成",
     None),
]  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run 1: the 目标表 and the 自评表; run 2: the corrected 自评表 alone."""
    root = tmp_path_factory.mktemp("self_eval_revision")
    folder = root / "v1" / str(FIRST.year)
    write_rows(folder / f"{DEVELOPMENT}.xlsx", target_card(FIRST))
    write_rows(folder / f"{DEVELOPMENT}-自评.xlsx", self_evaluation(FIRST))
    write_rows(root / "v2" / str(FIRST.year) / f"{DEVELOPMENT}-自评.xlsx", self_evaluation(SECOND))
    home = root / "home"
    publish_file(home, root / "v1", 1)
    publish_file(home, root / "v2", 2)
    return home


def query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_view_names_what_the_corrected_self_evaluation_changed(home: Path) -> None:
    rows = query(
        home,
        "select change_kind, project_name, indicator_name, field, old_value, new_value "
        "from v_revision_change order by change_kind, field",
    )
    assert rows == sorted(EXPECTED, key=lambda r: (r[0], r[3]))
    files = query(
        home,
        "select batch_kind, status from dim_source_file order by batch_kind, loaded_at",
    )
    assert files == [
        ("self_evaluation", "superseded"),
        ("self_evaluation", "current"),
        ("targets", "current"),
    ]


def test_bpw_diff_shows_the_self_evaluation_changes(home: Path) -> None:
    args = ["--home", str(home), "diff", "--department", DEVELOPMENT, "--year", "2025"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)
    assert [
        (c["change_kind"], c["project_name"], c["indicator_name"], c["field"], c["old_value"],
         c["new_value"])
        for c in changes
    ] == EXPECTED  # fmt: skip
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "226.70 → 239.30" in table.output and "98% → 100%" in table.output
