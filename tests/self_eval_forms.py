"""Workbooks for the 自评表 tests: a 目标表 card and a filled 自评表 for the same project
(the layout of 四川's 部门预算项目支出绩效自评表, as the real 青神 form has it)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

DEPARTMENT = "青神县发展和改革局"
PROJECT = "工资性支出"

# (level1, level2, name, 目标表 target, 自评表 op, value, unit, actual, weight, score, reason)
INDICATORS = [
    ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=100%", "=", "100", "%", "100", "40", "40", ""),
    ("效益指标", "社会效益指标", "足额保障率(参保率)", "≥98%", "=", "100", "%", "98", "30", "25",
     "两名职工社保关系转移未完成"),
    ("满意度指标", "服务对象满意度指标", "职工满意度", "达标", "定性", "达标", "", "达标", "20",
     "20", ""),
]  # fmt: skip


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    """One sheet holding `rows` (text cells), saved as .xlsx."""
    book = Workbook()
    sheet = book.active
    for r, cells in enumerate(rows, start=1):
        for c, text in enumerate(cells, start=1):
            if text != "":
                sheet.cell(row=r, column=c, value=text).data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def target_card_rows(year: int = 2023) -> list[list[str]]:
    """The 目标表 card of the project (indicators as the department set them)."""
    rows = [
        [f"{year}年度项目支出绩效目标申报表"],
        ["项目名称", PROJECT, "项目负责人及电话", "张三"],
        ["主管部门", DEPARTMENT, "实施单位", DEPARTMENT],
        ["资金情况（万元）", "年度资金总额", "251.89"],
        ["", "其中：财政拨款", "251.89"],
        ["年度目标", "保障工资及时、足额发放"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ]
    rows += [["", l1, l2, name, target] for l1, l2, name, target, *_ in INDICATORS]
    return rows


def self_eval_rows(
    year: int = 2023,
    executed: str = "251.89",
    rate: str = "100.00%",
    execution_score: str = "10",
    indicators: list[tuple[str, ...]] | None = None,
    project: str = PROJECT,
) -> list[list[str]]:
    """A filled 自评表 of the project (the real form's layout, actuals and scores in)."""
    rows = [
        ["报表编号:510000_0013zp"],
        [f"部门预算项目支出绩效自评表({year}年度)"],
        ["项目名称", "", f"51000021R000000019951-{project}"],
        ["主管部门", "", f"{DEPARTMENT}本级", "", "", "", "实施单位 (盖章)", "", DEPARTMENT],
        ["项目基本情况", "1.项目年度目标完成情况", "项目年度目标", "", "", "", "年度目标完成情况"],
        ["", "", "保障工资及时、足额发放", "", "", "", "工资按月足额发放"],
        ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数",
         "预算执行率", "权重", "得分", "原因"],
        ["", "总额", "238.93", "251.89", executed, rate, "10", execution_score, ""],
        ["", "其中:财政资金", "238.93", "251.89", executed, rate, "/", "/"],
        ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
         "完成值", "权重", "得分", "未完成原因分析"],
    ]  # fmt: skip
    for l1, l2, name, _, op, value, unit, actual, weight, score, reason in indicators or INDICATORS:
        rows.append(["", l1, l2, name, op, value, unit, actual, weight, score, reason])
    rows += [
        ["合计", "", "", "", "", "", "", "", "100"],
        ["评价结论", "", "项目按期完成，自评得分95分。"],
        ["存在问题", "", "结合自评情况,分析存在的问题及原因。(200字以内)"],
        ["改进措施", "", "加强社保关系转移的跟踪。"],
    ]
    return rows


def self_eval_for(projects: list[dict], indicators: list[dict], year: int) -> list[list[str]]:
    """自评表 cards, one per project of a loaded 目标表 (`projects`: project_name,
    total_amount, source_row; `indicators`: source_row, level names, indicator_name,
    annual_target_text): each actual reported at its target's bound, so each is met or
    qualitative."""
    rows: list[list[str]] = []
    for project in projects:
        amount = str(project["total_amount"])
        rows += [
            [f"部门预算项目支出绩效自评表({year}年度)"],
            ["项目名称", project["project_name"]],
            ["主管部门", project["department_name"]],
            ["预算执行情况", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数",
             "预算执行率", "权重", "得分"],
            ["", "总额", amount, amount, amount, "100%", "10", "10"],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "权重",
             "得分"],
        ]  # fmt: skip
        own = [i for i in indicators if i["source_row"] == project["source_row"]]
        for indicator in own:
            target = indicator["annual_target_text"] or ""
            actual = target.lstrip("≥≤><=＝")
            rows.append(
                ["", indicator["level1_name_raw"] or "", indicator["level2_name_raw"] or "",
                 indicator["indicator_name"], target, actual, "1", "1"]
            )  # fmt: skip
        rows.append([""])
    return rows
