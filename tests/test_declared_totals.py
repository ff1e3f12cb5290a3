"""Every declared total is read and checked; units are units only by evidence; and the
gate rules no other test exercised (required_total, target_filled_in, project_has_goal).

All cases edit the real table (tests/fixtures/2026/广州互联网法院.txt: line 7 合计
5,373.54, line 8 the court itself as unit 5,373.54, lines 9–25 its 17 projects) the
way a table really goes wrong, and run the real gate.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from expectations.gate import rejected_file_ids, run_gate
from tests.conftest import SAMPLE, frames_from_texts
from transforms.normalize import Frames

TOTAL_LINE, UNIT_LINE, FIRST_PROJECT_LINE = 6, 7, 8  # 0-based lines of the sample


def lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").split("\n")


def load(edited: list[str]) -> Frames:
    return frames_from_texts(("inbox/2026/广州互联网法院.txt", "\n".join(edited)))


def findings(frames: Frames, rule: str) -> pl.DataFrame:
    return run_gate(frames).filter(pl.col("rule") == rule)


def test_the_sample_itself_passes_with_one_rounding_warning():
    frames = load(lines())
    found = run_gate(frames)
    assert not rejected_file_ids(found)
    assert found["rule"].to_list() == ["declared_total_rounding"]
    assert frames.units["unit_name"].to_list() == ["广州互联网法院"]


def test_an_unparsable_grand_total_is_rejected_as_amount_is_number():
    edited = lines()
    edited[TOTAL_LINE] = edited[TOTAL_LINE].replace("5,373.54", "5,373.5x", 1)
    found = findings(load(edited), "amount_is_number")
    assert found.select("severity", "source_row").rows() == [("error", TOTAL_LINE + 1)]
    assert "5,373.5x" in found["value"][0]


def test_an_unparsable_unit_subtotal_is_rejected_as_amount_is_number():
    edited = lines()
    edited[UNIT_LINE] = edited[UNIT_LINE].replace("5,373.54", "五千", 1)
    found = findings(load(edited), "amount_is_number")
    assert found["severity"].to_list() == ["error"]
    assert "五千" in found["value"][0]


def test_a_second_grand_total_that_disagrees_is_rejected():
    edited = lines()
    edited.append("合计\t9,999.99\t9,999.99\t\t\t\t")
    frames = load(edited)
    assert frames.totals.height == 2
    found = findings(frames, "declared_totals_agree")
    assert found["severity"].to_list() == ["error"]
    assert "9999.99" in found["value"][0] and "5373.54" in found["value"][0]
    matches = findings(frames, "declared_total_matches")
    assert "9999.99" in matches["value"][0]


def test_a_second_grand_total_that_agrees_passes():
    edited = lines()
    edited.append("合计\t5,373.54\t5,373.54\t\t\t\t")
    frames = load(edited)
    assert frames.totals.height == 2
    assert not rejected_file_ids(run_gate(frames))


def test_a_project_with_neither_goal_nor_indicators_is_a_project_not_a_unit():
    edited = lines()
    cells = edited[FIRST_PROJECT_LINE + 2].split("\t")
    name = cells[0]
    edited[FIRST_PROJECT_LINE + 2] = "\t".join(cells[:5] + ["", ""])
    frames = load(edited)
    assert frames.units["unit_name"].to_list() == ["广州互联网法院"]
    assert frames.projects.height == 17
    assert set(frames.projects["unit_name"]) == {"广州互联网法院"}
    found = run_gate(frames).filter(pl.col("severity") == "error")
    assert found["rule"].to_list() == ["project_has_indicators"]
    assert found["value"].to_list() == [name]


def test_a_unit_whose_projects_add_up_stays_a_unit():
    edited = lines()
    # split the court into two units: the first three projects and the rest
    first_three = sum(
        Decimal(edited[i].split("\t")[1].replace(",", ""))
        for i in range(FIRST_PROJECT_LINE, FIRST_PROJECT_LINE + 3)
    )
    rest = Decimal("5373.55") - first_three
    edited[UNIT_LINE] = f"本级\t{first_three}\t{first_three}\t\t\t\t"
    edited.insert(FIRST_PROJECT_LINE + 3, f"下属中心\t{rest}\t{rest}\t\t\t\t")
    frames = load(edited)
    assert frames.units["unit_name"].to_list() == ["本级", "下属中心"]
    assert frames.projects.group_by("unit_name").len().sort("unit_name").rows() == [
        ("下属中心", 14), ("本级", 3),
    ]  # fmt: skip
    assert not rejected_file_ids(run_gate(frames))


def test_a_project_without_total_is_rejected_as_required_total():
    edited = lines()
    cells = edited[FIRST_PROJECT_LINE].split("\t")
    edited[FIRST_PROJECT_LINE] = "\t".join([cells[0], "", *cells[2:]])
    found = findings(load(edited), "required_total")
    assert found.select("severity", "source_row").rows() == [("error", FIRST_PROJECT_LINE + 1)]


@pytest.mark.parametrize("placeholder", ["≥**%", "XX"])
def test_an_unfilled_target_is_a_warning(placeholder: str):
    edited = lines()
    edited[FIRST_PROJECT_LINE] = edited[FIRST_PROJECT_LINE].replace(
        "年度指标值：≥95%", f"年度指标值：{placeholder}", 1
    )
    frames = load(edited)
    found = findings(frames, "target_filled_in")
    assert found.select("severity", "source_row").rows() == [("warning", FIRST_PROJECT_LINE + 1)]
    assert placeholder in found["value"][0]
    assert not rejected_file_ids(run_gate(frames))


def test_a_project_without_goal_is_a_warning():
    edited = lines()
    cells = edited[FIRST_PROJECT_LINE].split("\t")
    edited[FIRST_PROJECT_LINE] = "\t".join([*cells[:5], "", cells[6]])
    frames = load(edited)
    found = findings(frames, "project_has_goal")
    assert found.select("severity", "source_row").rows() == [("warning", FIRST_PROJECT_LINE + 1)]
    assert not rejected_file_ids(run_gate(frames))


# ---- the conservation law for table cells: nothing dropped without a note ----------


def test_a_column_bpw_does_not_read_is_recorded_as_a_note():
    from tests.test_layouts import BODY, HEADER, PREAMBLE, load_rows

    rows = PREAMBLE + [[*HEADER, "备注"]] + [[*row, "见附件" if i == 1 else ""]
                                             for i, row in enumerate(BODY)]
    frames = load_rows(rows)
    found = findings(frames, "cell_not_read")
    assert found.select("severity", "column").rows() == [("warning", "(not read)")]
    assert "备注" in found["value"][0] and "见附件" in found["value"][0]
    assert not rejected_file_ids(run_gate(frames))


def test_a_long_table_level_cell_no_indicator_inherits_is_recorded():
    from tests.test_layouts import LONG_INDICATORS, load_rows, long_rows

    indicators = {name: [list(r) for r in rows] for name, rows in LONG_INDICATORS.items()}
    rows = long_rows(indicators)
    rows.append([""] * 6 + ["2-效益指标", "21-经济效益", "", "", ""])  # 项目乙's last row
    frames = load_rows(rows, name="测试局.csv")
    assert frames.indicators.height == 4
    found = findings(frames, "cell_not_read")
    values = found["value"].to_list()
    assert len(values) == 2
    assert any("2-效益指标" in v for v in values) and any("21-经济效益" in v for v in values)
    assert found["source_row"].to_list() == [len(rows)] * 2


def test_a_long_table_whose_cells_are_all_used_has_no_note():
    from tests.test_layouts import LONG_INDICATORS, load_rows, long_rows

    frames = load_rows(long_rows(LONG_INDICATORS), name="测试局.csv")
    assert findings(frames, "cell_not_read").is_empty()
    assert frames.unread.is_empty()
