"""Header and layout variants: each must load to the same rows as the plain layout.

A small logical table (two projects, four indicators) is written in each variant;
the real sample is also rewritten in the long layout (one row per indicator) and must
give exactly the indicators its packed cells give.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_formats import indicators_of, load, projects_of, sample_rows, xlsx_bytes
from transforms.errors import TableError
from transforms.normalize import Frames

HEADER = ["项目名称", "总计", "财政拨款", "财政专户拨款", "其他资金", "绩效目标", "绩效指标"]
CELL_A = (
    "1-产出指标：11-数量指标：服务面积；实施周期指标值：100平方米；年度指标值：100平方米。"
    "2-2-效益指标：22-社会效益：司法公信力；实施周期指标值：增强；年度指标值：增强。"
)
CELL_B = (
    "1-产出指标：13-时效指标：办结及时率；实施周期指标值：≥95%；年度指标值：≥95%。"
    "2-3-满意度指标：31-服务对象满意度；群众满意度；实施周期指标值：≥90%；年度指标值：≥90%。"
)
PREAMBLE = [["项目支出绩效目标表"], ["部门名称：测试局", "", "", "", "", "单位：万元"]]
BODY = [
    ["合计", "1,572.90", "1,500.00", "72.90", "", "", ""],
    ["项目甲", "572.90", "500.00", "72.90", "", "提供服务场所", CELL_A],
    ["项目乙", "1,000.00", "1,000.00", "", "", "提高办案效率", CELL_B],
]
EXPECTED_PROJECTS = [
    ("项目甲", "测试局", Decimal("572.9"), Decimal("500"), Decimal("72.9"), Decimal("0")),
    ("项目乙", "测试局", Decimal("1000"), Decimal("1000"), Decimal("0"), Decimal("0")),
]
EXPECTED_INDICATORS = [
    ("项目甲", 1, "11", "服务面积", "100平方米", "100平方米"),
    ("项目甲", 2, "22", "司法公信力", "增强", "增强"),
    ("项目乙", 1, "13", "办结及时率", "≥95%", "≥95%"),
    ("项目乙", 2, "31", "群众满意度", "≥90%", "≥90%"),
]
LONG_HEADER = [*HEADER[:6], "一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"]
LONG_INDICATORS = {
    "项目甲": [
        ["1-产出指标", "11-数量指标", "服务面积", "100平方米", "100平方米"],
        ["2-效益指标", "22-社会效益", "司法公信力", "增强", "增强"],
    ],
    "项目乙": [
        ["1-产出指标", "13-时效指标", "办结及时率", "≥95%", "≥95%"],
        ["3-满意度指标", "31-服务对象满意度", "群众满意度", "≥90%", "≥90%"],
    ],
}


def text_bytes(rows: list[list[str]], delimiter: str = "\t", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def load_rows(rows: list[list[str]], name: str = "测试局.txt") -> Frames:
    suffix = name.rsplit(".", 1)[-1]
    return load(name, text_bytes(rows, "," if suffix == "csv" else "\t"))


def ordered(frames: Frames) -> pl.DataFrame:
    """Indicators in table order (the frame itself promises no order)."""
    return frames.indicators.sort("source_file_id", "source_row", "indicator_seq")


def assert_expected(frames: Frames) -> None:
    assert projects_of(frames) == EXPECTED_PROJECTS
    assert indicators_of(frames) == EXPECTED_INDICATORS


def test_the_plain_layout():
    frames = load_rows(PREAMBLE + [HEADER] + BODY)
    assert_expected(frames)
    assert frames.files["declared_total_amount"][0] == Decimal("1572.9")


@pytest.mark.parametrize(
    "header",
    [
        ["项目名称（资金使用单位）", "合计", "一般公共预算", "财政专户管理资金", "其他资金",
         "年度绩效目标", "绩效指标"],
        ["项目", "金额合计", "财政拨款", "财政专户拨款", "其他资金", "年度目标", "绩效指标"],
        ["项目名称", "项目资金", "一般公共预算", "财政专户拨款", "其他", "绩效目标", "绩效指标"],
        ["项目名称 ", "总　计", "财政拨款(万元)", "财政专户拨款", "其他资金", "*绩效目标",
         "绩效指标"],
    ],
)  # fmt: skip
def test_header_synonyms(header: list[str]):
    assert_expected(load_rows(PREAMBLE + [header] + BODY))


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(HEADER))))
def test_any_column_order(order: list[int]):
    shuffled = [[row[i] for i in order] for row in [HEADER, *BODY]]
    assert_expected(load_rows(PREAMBLE + shuffled))


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        (["项目名称", "项目资金", "", "", "", "绩效目标", "绩效指标"],
         ["", "总计", "财政拨款", "财政专户拨款", "其他资金", "", ""]),
        (["项目名称", "项目资金", "", "", "", "绩效目标", "绩效指标"],
         ["", "合计", "一般公共预算", "财政专户管理资金", "其他资金", "", ""]),
        (["项目名称", "总计", "资金来源", "", "", "绩效目标", "绩效指标"],
         ["", "", "财政拨款", "财政专户拨款", "其他资金", "", ""]),
    ],
)  # fmt: skip
def test_two_row_header_with_a_group_cell(upper: list[str], lower: list[str]):
    frames = load_rows(PREAMBLE + [upper, lower] + BODY)
    assert_expected(frames)
    assert frames.files["declared_total_row"][0] == 5


def test_two_row_header_in_a_workbook_with_merged_group_cells():
    upper = ["项目名称", "项目资金", "", "", "", "绩效目标", "绩效指标"]
    lower = ["", "总计", "财政拨款", "财政专户拨款", "其他资金", "", ""]
    merges = ["A1:G1", "A3:A4", "B3:E3", "F3:F4", "G3:G4"]
    data = xlsx_bytes({"Sheet1": PREAMBLE + [upper, lower] + BODY}, merges={"Sheet1": merges})
    assert_expected(load("测试局.xlsx", data))


def test_title_notes_blank_rows_column_numbers_and_footer():
    rows = [
        [""],
        ["2026年部门预算"],
        *PREAMBLE,
        [""],
        HEADER,
        ["栏次", "1", "2", "3", "4", "5", "6"],
        BODY[0],
        ["", "", "", ""],
        *BODY[1:],
        [""],
        ["注：1.本表金额单位为万元。"],
        ["注2：绩效指标按项目填列。"],
        ["填报人：张三", "", "联系电话：123"],
    ]
    assert_expected(load_rows(rows))


def test_full_width_digits_spaces_and_punctuation():
    body = [
        ["合计", "１，５７２．９０", "１，５００．００", "７２．９０", "", "", ""],
        ["　项目甲　", "５７２．９０", " 500.00 ", "７２．９０", "", "提供服务场所", CELL_A],
        ["项目乙", "1 000.00", "1,000.00", "", "", "提高办案效率", CELL_B],
    ]
    frames = load_rows(PREAMBLE + [HEADER] + body)
    assert_expected(frames)
    assert frames.files["declared_total_amount"][0] == Decimal("1572.9")


def test_dashes_mean_zero():
    body = [row.copy() for row in BODY]
    body[1][4], body[2][3], body[2][4] = "-", "—", "－"
    frames = load_rows(PREAMBLE + [HEADER] + body)
    assert_expected(frames)
    assert frames.projects["bad_amount_roles"].list.len().to_list() == [0, 0]


def test_csv_cells_with_commas_and_line_breaks():
    body = [row.copy() for row in BODY]
    body[1][5] = "提供服务场所，\n满足工作需要"
    frames = load_rows(PREAMBLE + [HEADER] + body, name="测试局.csv")
    assert projects_of(frames) == EXPECTED_PROJECTS
    assert indicators_of(frames) == EXPECTED_INDICATORS
    assert frames.projects["performance_goal"][0] == "提供服务场所，\n满足工作需要"


def test_quoted_crlf_csv_keeps_row_numbers():
    data = text_bytes(PREAMBLE + [HEADER] + BODY, ",").replace(b"\n", b"\r\n")
    frames = load("测试局.csv", data)
    assert_expected(frames)
    assert frames.projects["source_row"].to_list() == [5, 6]


# ---- amounts in 元 ---------------------------------------------------------------

YUAN_BODY = [
    ["合计", "15,729,000.00", "15,000,000.00", "729,000", "", "", ""],
    ["项目甲", "5,729,000.00", "5,000,000.00", "729,000.00", "", "提供服务场所", CELL_A],
    ["项目乙", "10,000,000", "10,000,000.00", "", "", "提高办案效率", CELL_B],
]


@pytest.mark.parametrize(
    ("preamble", "header"),
    [
        ([["项目支出绩效目标表"], ["部门名称：测试局", "", "", "", "", "单位：元"]], HEADER),
        ([["项目支出绩效目标表（单位：元）"], ["部门名称：测试局"]], HEADER),
        ([["项目支出绩效目标表"], ["部门名称：测试局    金额单位：元"]], HEADER),
        ([["部门名称：", "测试局", "", "", "单位:元"]], HEADER),
        ([["部门名称：测试局"]], [HEADER[0], "总计（元）", *HEADER[2:]]),
    ],
)
def test_yuan_tables_convert_exactly_to_wan(preamble: list[list[str]], header: list[str]):
    frames = load_rows(preamble + [header] + YUAN_BODY)
    assert frames.files["amount_unit"][0] == "元"
    assert frames.files["department_name"][0] == "测试局"
    assert projects_of(frames) == [
        ("项目甲", "测试局", Decimal("572.9"), Decimal("500"), Decimal("72.9"), Decimal("0")),
        ("项目乙", "测试局", Decimal("1000"), Decimal("1000"), Decimal("0"), Decimal("0")),
    ]
    assert frames.files["declared_total_amount"][0] == Decimal("1572.9")


def test_yuan_table_in_a_workbook():
    rows = [["项目支出绩效目标表"], ["部门名称：测试局", "", "", "", "", "单位：元"]]
    frames = load("测试局.xlsx", xlsx_bytes({"表": rows + [HEADER] + YUAN_BODY}))
    assert frames.files["amount_unit"][0] == "元"
    assert frames.projects["total_amount"].to_list() == [Decimal("572.9"), Decimal("1000")]


# ---- multi-unit departments ------------------------------------------------------


def test_multi_unit_department():
    body = [
        ["合计", "1,572.90", "1,500.00", "72.90", "", "", ""],
        ["测试局本级", "572.90", "500.00", "72.90", "", "", ""],
        BODY[1],
        ["测试局下属中心", "1,000.00", "1,000.00", "", "", "", ""],
        BODY[2],
        ["测试局档案馆", "0.00", "", "", "", "", ""],
    ]
    frames = load_rows(PREAMBLE + [HEADER] + body)
    assert frames.units["unit_name"].to_list() == ["测试局本级", "测试局下属中心"]
    assert frames.projects.select("project_name", "unit_name").rows() == [
        ("项目甲", "测试局本级"), ("项目乙", "测试局下属中心"), ("测试局档案馆", "测试局档案馆"),
    ]  # fmt: skip  (the three units add up to 合计; 档案馆, with no project, is its own)
    assert indicators_of(frames) == EXPECTED_INDICATORS


# ---- errors ---------------------------------------------------------------------


def test_missing_goal_column_is_named():
    header = [h for h in HEADER if h != "绩效目标"]
    body = [[c for i, c in enumerate(row) if i != 5] for row in BODY]
    with pytest.raises(TableError) as error:
        load_rows(PREAMBLE + [header] + body)
    assert error.value.rule == "required_columns"
    assert "绩效目标" in error.value.message
    assert error.value.row == 3


def test_no_header_anywhere():
    with pytest.raises(TableError) as error:
        load_rows([["一些文字"], ["更多文字", "1.00"]])
    assert error.value.rule == "header"


# ---- the long layout ---------------------------------------------------------------


def long_rows(indicators: dict[str, list[list[str]]], blank: bool = True) -> list[list[str]]:
    """The small table, one row per indicator; project cells blank (or repeated) below."""
    rows = [LONG_HEADER, BODY[0][:6] + [""] * 5]
    for project in BODY[1:]:
        for i, indicator in enumerate(indicators[project[0]]):
            head = project[:6] if i == 0 or not blank else [""] * 6
            rows.append(head + indicator)
    return PREAMBLE + rows


def test_long_layout_csv_with_blank_continuation_rows():
    frames = load_rows(long_rows(LONG_INDICATORS), name="测试局.csv")
    assert_expected(frames)
    codes = ordered(frames).select("level1_code_raw", "level2_code_raw").rows()
    assert codes == [("1", "11"), ("2", "22"), ("1", "13"), ("3", "31")]
    assert frames.projects["n_indicators"].to_list() == [2, 2]


def test_long_layout_with_project_cells_repeated_on_every_row():
    assert_expected(load_rows(long_rows(LONG_INDICATORS, blank=False)))


def test_long_layout_with_a_single_value_column():
    rows = long_rows({k: [v[:4] for v in rows] for k, rows in LONG_INDICATORS.items()})
    rows[2] = [*HEADER[:6], "一级指标", "二级指标", "三级指标", "指标值"]
    assert_expected(load_rows(rows))


def test_long_layout_level_names_without_codes_and_with_variants():
    variants = {
        "项目甲": [
            ["产出指标", "数量指标", "服务面积", "100平方米", "100平方米"],
            ["效果指标", "社会效益指标", "司法公信力", "增强", "增强"],
        ],
        "项目乙": [
            ["产出指标", "进度指标", "办结及时率", "≥95%", "≥95%"],
            ["满意度指标", "社会公众或服务对象满意度指标", "群众满意度", "≥90%", "≥90%"],
        ],
    }
    frames = load_rows(long_rows(variants))
    assert_expected(frames)
    levels = ordered(frames).select("level1_code_raw", "level2_code_raw", "level1_code")
    assert levels.rows() == [(None, None, "1"), (None, None, "2"), (None, None, "1"),
                             (None, None, "3")]  # fmt: skip


def test_long_layout_with_other_numbering():
    numbered = {
        "项目甲": [
            ["一、产出指标", "1.1 数量指标", "服务面积", "100平方米", "100平方米"],
            ["二、效益指标", "2.2社会效益", "司法公信力", "增强", "增强"],
        ],
        "项目乙": [
            ["（一）产出指标", "1.3时效指标", "办结及时率", "≥95%", "≥95%"],
            ["3 满意度指标", "3.1 服务对象满意度指标", "群众满意度", "≥90%", "≥90%"],
        ],
    }
    frames = load_rows(long_rows(numbered))
    assert_expected(frames)
    indicators = ordered(frames)
    assert indicators["level2_code_raw"].to_list() == ["1.1", "2.2", "1.3", "3.1"]
    assert indicators["level2_name_raw"][0] == "数量指标"
    assert indicators["level1_code"].to_list() == ["1", "2", "1", "3"]
    assert not frames.indicators["level1_code_mismatch"].any()


def test_environment_benefit_is_ecological():
    variants = {k: [r.copy() for r in v] for k, v in LONG_INDICATORS.items()}
    variants["项目甲"][1][1] = "环境效益"
    frames = load_rows(long_rows(variants))
    assert ordered(frames)["category_code"].to_list() == ["11", "23", "13", "31"]


def test_long_layout_with_a_two_row_header_under_a_group_cell():
    rows = long_rows(LONG_INDICATORS)
    rows[2] = [*HEADER[:6], "绩效指标", "", "", "", ""]
    rows.insert(3, ["", "", "", "", "", "", "一级指标", "二级指标", "三级指标", "实施周期指标值",
                    "年度指标值"])  # fmt: skip
    assert_expected(load_rows(rows))


def test_long_layout_carries_merged_level_cells_down():
    rows = long_rows(
        {
            "项目甲": LONG_INDICATORS["项目甲"],
            "项目乙": [
                ["1-产出指标", "13-时效指标", "办结及时率", "≥95%", "≥95%"],
                ["", "", "结案及时率", "≥90%", "≥90%"],
            ],
        }
    )
    frames = load_rows(rows)
    last = ordered(frames).row(-1, named=True)
    assert (last["category_code"], last["indicator_name"], last["indicator_seq"]) == (
        "13", "结案及时率", 2,
    )  # fmt: skip


# ---- the real sample, rewritten in the long layout ---------------------------------

SAMPLE_LONG_HEADER = ["项目名称（资金使用单位）", *LONG_HEADER[1:]]


@pytest.fixture(scope="module")
def packed_sample() -> Frames:
    return load("广州互联网法院.txt", "\n".join("\t".join(r) for r in sample_rows()).encode())


def sample_long(packed: Frames, codes: bool) -> tuple[list[list[str]], list[str]]:
    """The sample, one row per indicator; also the merge ranges a workbook would have."""
    source = sample_rows()
    rows, merges = [*source[:5], SAMPLE_LONG_HEADER, source[6][:6], source[7][:6]], []
    for project_row in range(9, 26):
        indicators = packed.indicators.filter(pl.col("source_row") == project_row)
        first = len(rows) + 1
        for i, ind in enumerate(indicators.iter_rows(named=True)):
            level1, level2 = ind["level1_name_raw"], ind["level2_name_raw"]
            if codes:
                level1 = f"{ind['level1_code_raw']}-{level1}"
                level2 = f"{ind['level2_code_raw']}-{level2}"
            head = source[project_row - 1][:6] if i == 0 else [""] * 6
            period, annual = ind["period_target_text"], ind["annual_target_text"]
            rows.append(head + [level1, level2, ind["indicator_name"], period, annual])
        if len(rows) + 1 > first + 1:
            merges += [f"{col}{first}:{col}{len(rows)}" for col in "ABCDEF"]
    return rows, merges


def assert_same_as_packed(frames: Frames, packed: Frames, codes: bool) -> None:
    assert projects_of(frames) == projects_of(packed)
    assert indicators_of(frames) == indicators_of(packed)
    assert frames.files["declared_total_amount"][0] == packed.files["declared_total_amount"][0]
    levels = ["level1_code_raw", "level2_code_raw", "level1_code", "category_code"]
    if codes:
        assert ordered(frames).select(levels).rows() == ordered(packed).select(levels).rows()


@pytest.mark.parametrize("codes", [True, False])
def test_sample_in_long_layout_csv_matches_the_packed_sample(packed_sample: Frames, codes: bool):
    rows, _ = sample_long(packed_sample, codes)
    frames = load("广州互联网法院.csv", text_bytes(rows, ",", "gb18030"))
    assert frames.indicators.height == 71
    assert_same_as_packed(frames, packed_sample, codes)
    if not codes:
        assert frames.indicators["level2_code_raw"].null_count() == 71


def test_sample_in_long_layout_xlsx_with_merged_cells(packed_sample: Frames):
    rows, merges = sample_long(packed_sample, codes=True)
    data = xlsx_bytes({"项目支出绩效目标表": rows}, merges={"项目支出绩效目标表": merges})
    check = openpyxl.load_workbook(io.BytesIO(data)).active
    assert check.merged_cells.ranges  # the project cells really are merged
    frames = load("广州互联网法院.xlsx", data)
    assert_same_as_packed(frames, packed_sample, codes=True)


def test_packed_cells_with_dotted_level2_codes():
    cell_a = CELL_A.replace("11-数量指标", "1.1-数量指标").replace("22-社会效益", "2.2-社会效益")
    body = [BODY[0], [*BODY[1][:6], cell_a], BODY[2]]
    frames = load_rows(PREAMBLE + [HEADER] + body)
    assert_expected(frames)
    assert ordered(frames)["level2_code_raw"].to_list()[:2] == ["1.1", "2.2"]
