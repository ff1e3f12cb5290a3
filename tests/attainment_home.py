"""A data home with targets and results for two invented departments over 2024–2025:
each year a 目标表 card and its filled 自评表, built from tests/self_eval_forms.py and
ingested by the nightly pipeline. `bpw report`'s attainment section and the README's
"Targets against results" examples run on it.

What it holds (so tests can say what to expect without reading the warehouse):

- 虚构市发展和改革局, 工资性支出: 2024 spends 239.30 of 251.89 (95.00%) and misses
  发放(缴纳)覆盖率; 2025 spends 226.70 (90.00%), restates 足额保障率 (≥98% → =100%) and
  misses it.
- 虚构市卫生健康委员会, 家庭医生签约服务: 2024 spends 188.92 (75.00%) and meets all;
  2025 spends 231.74 (92.00%), restates 签约覆盖率 down (≥60% → ≥55%) and meets the
  lowered bar, and misses 慢性病患者规范管理率.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from demo_warehouse import ingest
from self_eval_forms import DEPARTMENT, self_eval_rows, write_rows

from flows.settings import Settings

BUDGET = "251.89"  # 全年预算数 of every project here (the form's 调整后预算数)


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    name: str
    target: str  # as the 目标表 sets it
    op: str  # the 自评表's 指标性质 / 指标值 / 度量单位
    value: str
    unit: str
    actual: str
    weight: str
    score: str
    reason: str = ""

    @property
    def reported_target(self) -> str:
        """The target as the 自评表 states it (a qualitative one is its value alone)."""
        return self.value if self.op == "定性" else f"{self.op}{self.value}{self.unit}"

    def row(self) -> tuple[str, ...]:
        """As tests/self_eval_forms.py's INDICATORS tuples."""
        return (self.level1, self.level2, self.name, self.target, self.op, self.value,
                self.unit, self.actual, self.weight, self.score, self.reason)  # fmt: skip


@dataclass(frozen=True)
class Evaluation:
    department: str
    project: str
    year: int
    executed: str
    rate: str
    indicators: tuple[Indicator, ...]

    @property
    def missed(self) -> list[Indicator]:
        return [i for i in self.indicators if i.reason]

    @property
    def restated(self) -> list[Indicator]:
        return [i for i in self.indicators if i.target != i.reported_target]


DEVELOPMENT, HEALTH = "虚构市发展和改革局", "虚构市卫生健康委员会"
WAGES, DOCTORS = "工资性支出", "家庭医生签约服务"
OUTPUT, BENEFIT, SATISFACTION = "产出指标", "效益指标", "满意度指标"


def _wages(covered: str, insured: tuple[str, str], reasons: tuple[str, str]) -> tuple:
    return (
        Indicator(OUTPUT, "数量指标", "发放(缴纳)覆盖率", "=100%", "=", "100", "%", covered,
                  "40", "40" if not reasons[0] else "35", reasons[0]),
        Indicator(BENEFIT, "社会效益指标", "足额保障率(参保率)", "≥98%", insured[0], insured[1],
                  "%", "98", "30", "30" if not reasons[1] else "25", reasons[1]),
        Indicator(SATISFACTION, "服务对象满意度指标", "职工满意度", "达标", "定性", "达标", "",
                  "达标", "20", "20"),
    )  # fmt: skip


def _doctors(signed: tuple[str, str], managed: str, reason: str) -> tuple:
    return (
        Indicator(OUTPUT, "数量指标", "签约覆盖率", "≥60%", "≥", signed[0], "%", signed[1],
                  "40", "40"),
        Indicator(BENEFIT, "社会效益指标", "慢性病患者规范管理率", "≥70%", "≥", "70", "%",
                  managed, "30", "30" if not reason else "20", reason),
        Indicator(SATISFACTION, "服务对象满意度指标", "签约居民满意度", "达标", "定性", "达标",
                  "", "达标", "20", "20"),
    )  # fmt: skip


EVALUATIONS = (
    Evaluation(DEVELOPMENT, WAGES, 2024, "239.30", "95.00%",
               _wages("99", ("≥", "98"), ("一名职工工资延至次年1月发放", ""))),
    Evaluation(DEVELOPMENT, WAGES, 2025, "226.70", "90.00%",
               _wages("100", ("=", "100"), ("", "两名职工社保关系转移未完成"))),
    Evaluation(HEALTH, DOCTORS, 2024, "188.92", "75.00%", _doctors(("60", "61"), "72", "")),
    Evaluation(HEALTH, DOCTORS, 2025, "231.74", "92.00%",
               _doctors(("55", "56"), "65", "基层医疗机构人员不足")),
)  # fmt: skip


def target_card(evaluation: Evaluation) -> list[list[str]]:
    """The 目标表 card of the evaluation's project (the targets as first set)."""
    rows = [
        [f"{evaluation.year}年度项目支出绩效目标申报表"],
        ["项目名称", evaluation.project, "项目负责人及电话", "张三"],
        ["主管部门", evaluation.department, "实施单位", evaluation.department],
        ["资金情况（万元）", "年度资金总额", BUDGET],
        ["", "其中：财政拨款", BUDGET],
        ["年度目标", "保障项目按期实施"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    ]
    rows += [["", i.level1, i.level2, i.name, i.target] for i in evaluation.indicators]
    return rows


def self_evaluation(evaluation: Evaluation) -> list[list[str]]:
    """The filled 自评表 (tests/self_eval_forms.py's layout, this department's name)."""
    rows = self_eval_rows(
        evaluation.year, evaluation.executed, evaluation.rate, "10",
        [i.row() for i in evaluation.indicators], evaluation.project,
    )  # fmt: skip
    return [[cell.replace(DEPARTMENT, evaluation.department) for cell in row] for row in rows]


def write_files(root: Path) -> Path:
    """Every evaluation's 目标表 and 自评表 under root/<year>/; returns root."""
    for e in EVALUATIONS:
        write_rows(root / str(e.year) / f"{e.department}.xlsx", target_card(e))
        write_rows(root / str(e.year) / f"{e.department}-自评.xlsx", self_evaluation(e))
    return root


_HOMES: dict[str, Settings] = {}


def attainment_home(factory: pytest.TempPathFactory) -> Settings:
    """The data home holding EVALUATIONS, built once per test session."""
    if "home" not in _HOMES:
        root = factory.mktemp("attainment")
        _HOMES["home"] = ingest(root / "home", [write_files(root / "files")])
    return _HOMES["home"]
