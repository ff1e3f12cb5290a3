"""The conservation law on the real table: however its packed cells separate their
indicator records, the file loads exactly (17 projects, 71 indicators, 5373.55) or
not at all.

Hand count (tests/fixtures/2026/广州互联网法院.txt): 17 project rows, 71 records in
column 绩效指标, each ending in `。`; 诉讼费退费费用金 holds a `。` inside （…）.
The variants replace each record-ending `。` with another separator, the way the
table looks when a person re-types it with Alt-Enter line breaks, `；`, spaces or
nothing between the records, and re-save it as tab text, csv and xlsx.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from expectations.gate import rejected_file_ids, run_gate
from tests.conftest import SAMPLE
from tests.test_formats import (
    indicators_of,
    load,
    projects_of,
    sample_rows,
    xlsx_bytes,
)
from transforms.normalize import Frames

# a record-ending 。: before the next record's `SEQ-L1CODE-` or at the end of the cell
_RECORD_END = re.compile(r"。(?=\d+-\d+-|$)")
SEPARATORS = {"newline": "\n", "crlf": "\r\n", "semicolon": "；", "space": " ", "nothing": ""}


def resaved_rows(separator: str) -> list[list[str]]:
    rows = sample_rows()
    header = next(i for i, row in enumerate(rows) if "绩效指标" in row)
    column = rows[header].index("绩效指标")
    for row in rows[header + 1 :]:
        if len(row) > column and row[column]:
            row[column] = _RECORD_END.sub(separator, row[column]).rstrip()
    return rows


def as_tsv(rows: list[list[str]]) -> bytes:
    """Tab text as Excel saves it: cells holding line breaks are quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[list[str]]) -> bytes:
    return xlsx_bytes({"Sheet1": rows})


WRITERS = {"txt": as_tsv, "csv": as_csv, "xlsx": as_xlsx}


@pytest.fixture(scope="module")
def original() -> Frames:
    return load("广州互联网法院.txt", SAMPLE.read_bytes())


def test_the_original_holds_the_hand_counted_numbers(original: Frames) -> None:
    assert original.projects.height == 17
    assert original.indicators.height == 71
    assert original.projects["total_amount"].sum() == Decimal("5373.55")
    assert original.projects["unaccounted"].is_null().all()


@pytest.mark.parametrize("suffix", sorted(WRITERS))
@pytest.mark.parametrize("style", sorted(SEPARATORS))
def test_every_separator_loads_the_same_indicators(
    style: str, suffix: str, original: Frames
) -> None:
    rows = resaved_rows(SEPARATORS[style])
    frames = load(f"广州互联网法院.{suffix}", WRITERS[suffix](rows))
    assert frames.projects.height == 17
    assert frames.indicators.height == 71
    assert frames.projects["total_amount"].sum() == Decimal("5373.55")
    assert projects_of(frames) == projects_of(original)
    assert indicators_of(frames) == indicators_of(original)
    assert frames.projects["unaccounted"].is_null().all()
    assert not rejected_file_ids(run_gate(frames))


def _with_cell(edit) -> Frames:
    """The sample with the first project's indicator cell edited."""
    rows = sample_rows()
    header = next(i for i, row in enumerate(rows) if "绩效指标" in row)
    column = rows[header].index("绩效指标")
    first = next(r for r in rows[header + 1 :] if len(r) > column and r[column])
    first[column] = edit(first[column])
    return load("广州互联网法院.txt", as_tsv(rows))


def _unaccounted_rule(frames: Frames) -> list[tuple[str, str]]:
    findings = run_gate(frames).filter(rule="indicator_text_unaccounted")
    return findings.select("severity", "value").rows()


@pytest.mark.parametrize(
    ("edit", "leftover"),
    [
        (lambda c: "说明：见附件。" + c, "说明：见附件"),
        (lambda c: c.replace("。2-", "。备注：另行考核。2-", 1), "备注：另行考核"),
        (lambda c: c + "另附说明", "另附说明"),
        (lambda c: c.replace("年度指标值：", "年度指标值：≥1；年度指标值：", 1), "年度指标值"),
        (lambda c: c.replace("。2-", "。5-", 1), "sequence numbers"),
    ],
    ids=["text-before", "text-between", "text-after", "two-markers", "sequence-gap"],
)
def test_text_no_indicator_accounts_for_rejects_the_file(edit, leftover: str) -> None:
    frames = _with_cell(edit)
    found = _unaccounted_rule(frames)
    assert found, "the file must be rejected"
    severity, value = found[0]
    assert severity == "error"
    assert leftover in value
    assert frames.files["source_file_id"][0] in rejected_file_ids(run_gate(frames))


def test_through_the_cli_each_resaved_variant_loads_exactly_and_broken_totals_are_rejected(
    tmp_path,
) -> None:
    """The issue's 'done when', end to end: `bpw ingest` of the re-saved variants (one
    department-year each, so each is its own batch) and of three broken tables."""
    from tests.test_cli import bpw, csv_of

    inbox = tmp_path / "inbox" / "2026"
    inbox.mkdir(parents=True)
    variants = {"行": ("newline", "xlsx"), "分号": ("semicolon", "csv"), "空格": ("space", "txt"),
                "无": ("nothing", "txt")}
    for name, (style, suffix) in variants.items():
        rows = resaved_rows(SEPARATORS[style])
        rows[4][0] = f"部门名称：广州互联网法院{name}"
        (inbox / f"广州互联网法院{name}.{suffix}").write_bytes(WRITERS[suffix](rows))
    broken = {
        "坏合计": lambda r: r[6].__setitem__(1, "5,373.5x"),
        "双合计": lambda r: r.append(["合计", "9,999.99", "9,999.99", "", "", "", ""]),
        "空项目": lambda r: r[10].__setitem__(slice(5, 7), ["", ""]),
    }
    for name, edit in broken.items():
        rows = sample_rows()
        rows[4][0] = f"部门名称：{name}"
        edit(rows)
        (inbox / f"{name}.txt").write_bytes(as_tsv(rows))
    home = tmp_path / "home"
    result = bpw(home, "ingest", str(tmp_path / "inbox"))
    assert result.returncode == 1, result.stderr
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected:")]
    assert len(rejected) == 3, result.stderr
    for name, rule in (("坏合计", "amount_is_number"), ("双合计", "9999.99"),
                       ("空项目", "project_has_indicators")):
        assert any(name in line and rule in line for line in rejected), result.stderr
    reports = "".join(p.read_text() for p in (home / "quarantine").rglob("*.json"))
    assert "declared_totals_agree" in reports
    counts = csv_of(
        home,
        "select d.department_name, count(distinct p.project_id), sum(p.total_amount),"
        " (select count(*) from fact_indicator_target i where i.department_id = d.department_id)"
        " from fact_project_budget p join dim_department d using (department_id)"
        " group by all order by 1",
    )
    lines = counts.strip().splitlines()[1:]
    assert len(lines) == 4
    for line in lines:
        assert line.split(",")[1:] == ["17", "5373.55", "71"], counts
