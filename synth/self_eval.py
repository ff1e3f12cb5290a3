"""The year-end 项目支出绩效自评表 of a generated 目标表, decided by seed: the truth first.

For every project of a logical table the generator decides, on a stream of its own
(seed, year, department, project), what its 自评表 reports:

- budget execution: 年初预算数 is the 目标表's amount; 全年预算数 mostly the same,
  sometimes adjusted; 全年执行数 all of it or part of it — exact decimals in 万元, and
  执行率 = 执行数 / 全年预算数 printed to 0.01%;
- per indicator: the 年度指标值 as the 目标表 set it or, now and then, restated; then an
  outcome — met, missed (with a 偏差原因), qualitative (a worded target, or a worded
  actual such as 已完成) or not reported (actual left blank) — and an actual written to
  produce it by the attainment rules every reader of the form applies (a comparator as
  written; a bare 0 a ceiling, any other bare number a floor);
- 分值 and 得分: 10 for execution, 90 shared among the indicators; a met or qualitative
  indicator scores its 分值, a missed one less, an unreported one nothing printed.

`evaluate` is pure data: the cards (`synth.self_eval_cards`) and the truth
(`synth.self_eval_truth`) are both drawn from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from synth.model import CENT, Indicator, LogicalTable, Project
from synth.values import COUNT_UNITS, REWORDINGS, TIME_UNITS, Target, parse_target, shift

OUTCOMES = ("met", "missed", "qualitative", "not_reported")
EXECUTION_WEIGHT = 10
INDICATOR_WEIGHT = 90
HUNDRED = Decimal(100)
_NUMERIC_UNITS = COUNT_UNITS | TIME_UNITS | {"%", "分", "平方米"}
_FLOORS = ("≥", "不低于")
_CEILINGS = ("≤", "不高于")
DEVIATION_REASONS = (
    "受客观条件影响，部分工作未按计划完成；下一步加强统筹调度，确保按期完成。",
    "年中任务调整，实际需求低于预期；今后科学测算目标值。",
    "项目实施进度滞后；将细化时间节点，加强跟踪督办。",
    "部分服务对象需求变化；将完善服务方式，提升服务质量。",
    "预算调整后工作量相应减少；下年度合理设置绩效目标。",
)
QUALITATIVE_ACTUALS = ("已完成", "达到预期", "基本达到预期目标")


@dataclass(frozen=True, slots=True)
class EvalIndicator:
    """One indicator's result: the 目标表's target, the target the 自评表 states, the
    actual as printed ('' = not reported), the outcome, 分值 and 得分 (None: blank)."""

    seq: int
    level1_code: str
    level1_name: str
    level2_code: str
    level2_name: str
    name: str
    target: str
    reported_target: str
    actual: str
    attainment: str
    weight: int
    score: Decimal | None
    reason: str

    @property
    def restated(self) -> bool:
        return self.reported_target != self.target


@dataclass(frozen=True, slots=True)
class EvalProject:
    """One project's 自评表: execution amounts (万元), 执行率 as printed, scores, results."""

    unit: str
    name: str
    goal: str
    achieved: str
    fiscal_only: bool
    initial: Decimal
    adjusted: Decimal
    executed: Decimal
    rate_text: str
    execution_score: Decimal
    indicators: tuple[EvalIndicator, ...]

    @property
    def total_score(self) -> Decimal:
        return self.execution_score + sum(
            (i.score for i in self.indicators if i.score is not None), Decimal(0)
        )

    @property
    def weight_total(self) -> int:
        return EXECUTION_WEIGHT + sum(i.weight for i in self.indicators)


@dataclass(frozen=True, slots=True)
class SelfEvaluation:
    """A department's 自评表 for one year: one card per project of its 目标表."""

    year: int
    department: str
    projects: tuple[EvalProject, ...]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rate_text(executed: Decimal, adjusted: Decimal) -> str:
    """执行率 as printed: executed / adjusted in percent, two places (`98.37%`)."""
    return f"{_money(executed / adjusted * HUNDRED)}%"


def _execution(project: Project, rng: random.Random) -> tuple[Decimal, Decimal, Decimal]:
    initial = project.total
    adjusted = initial
    if rng.random() < 0.25:
        adjusted = max(CENT, _money(initial * Decimal(str(round(rng.uniform(0.85, 1.15), 4)))))
    executed = adjusted
    if rng.random() < 0.45:
        executed = max(CENT, _money(adjusted * Decimal(str(round(rng.uniform(0.6, 0.999), 4)))))
    return initial, adjusted, executed


def _weights(count: int) -> list[int]:
    base, extra = divmod(INDICATOR_WEIGHT, count)
    return [base + (1 if index < extra else 0) for index in range(count)]


def numeric_shape(text: str) -> tuple[Target, str, str] | None:
    """(target, unit, bound) of a numeric target — bound 'floor' or 'ceiling' — or None
    for a worded one (达标, 6月底前完成)."""
    target = parse_target(text)
    if target.number is None:
        return None
    suffix = target.suffix
    unit = "%" if suffix.startswith("%") else suffix
    if unit not in _NUMERIC_UNITS:
        return None
    if target.pre in _CEILINGS or (not target.pre and target.number == 0):
        return target, unit, "ceiling"
    return target, unit, "floor"


def _number(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


def _numeric_actual(shape: tuple[Target, str, str], met: bool, rng: random.Random) -> str:
    """An actual that meets (or misses) the target, in the target's unit (or none)."""
    target, unit, bound = shape
    number = target.number or Decimal(0)
    step = max(Decimal(1), (number / 10).to_integral_value()) if target.places == 0 else None
    if step is None:
        step = Decimal(rng.randint(100, 5000)) / 100
    if bound == "floor":
        if met:
            value = number + (step if rng.random() < 0.3 and unit != "%" else 0)
        else:
            value = max(Decimal(0), number - step)
    else:
        value = max(Decimal(0), number - step) if met and rng.random() < 0.3 else number
        if not met:
            value = number + step
    if unit == "%" and met:
        value = min(value, max(number, HUNDRED))
    text = _number(value, target.places)
    return text if rng.random() < 0.15 else f"{text}{unit}"


def _restated(text: str, rng: random.Random) -> str:
    """Another 年度指标值 for the same indicator, or the text itself when none fits."""
    target = parse_target(text)
    if target.number is None:
        alternatives = REWORDINGS.get(target.suffix)
        return rng.choice(alternatives) if alternatives else text
    moved = shift(target, rng.choice((-1, 1)), rng).text
    return moved if moved != text else shift(target, 1, rng).text


def _indicator(indicator: Indicator, weight: int, rng: random.Random) -> EvalIndicator:
    target = indicator.annual_target
    reported = _restated(target, rng) if rng.random() < 0.1 else target
    shape = numeric_shape(reported)
    draw = rng.random()
    reason = ""
    score: Decimal | None = Decimal(weight)
    if draw < 0.08:
        outcome, actual, score = "not_reported", "", None
    elif shape is None:
        outcome = "qualitative"
        actual = reported if rng.random() < 0.6 else rng.choice(QUALITATIVE_ACTUALS)
    elif draw < 0.12:
        outcome, actual = "qualitative", rng.choice(QUALITATIVE_ACTUALS)
    elif draw < 0.30 and (shape[2] == "ceiling" or (shape[0].number or 0) > 0):
        outcome, actual = "missed", _numeric_actual(shape, False, rng)
        score = (Decimal(weight) * Decimal(rng.randint(40, 90)) / HUNDRED).quantize(Decimal("0.1"))
        reason = rng.choice(DEVIATION_REASONS)
    else:
        outcome, actual = "met", _numeric_actual(shape, True, rng)
    return EvalIndicator(
        seq=indicator.seq, level1_code=indicator.level1_code, level1_name=indicator.level1_name,
        level2_code=indicator.level2_code, level2_name=indicator.level2_name, name=indicator.name,
        target=target, reported_target=reported, actual=actual, attainment=outcome,
        weight=weight, score=score, reason=reason,
    )  # fmt: skip


def evaluate_project(table: LogicalTable, unit: str, project: Project, seed: int) -> EvalProject:
    """One project's 自评表 (deterministic for seed, year, department and project)."""
    rng = random.Random(f"{seed}:{table.year}:{table.department}:{project.name}:self-eval")
    initial, adjusted, executed = _execution(project, rng)
    weights = _weights(max(1, len(project.indicators)))
    indicators = tuple(
        _indicator(indicator, weight, rng)
        for indicator, weight in zip(project.indicators, weights, strict=False)
    )
    rate = executed / adjusted
    achieved = "年度目标全部完成。" if rate == 1 else "年度目标基本完成，部分资金未支出。"
    return EvalProject(
        unit=unit, name=project.name, goal=project.goal.replace("\n", ""), achieved=achieved,
        fiscal_only=project.special == 0 and project.other == 0,
        initial=initial, adjusted=adjusted, executed=executed,
        rate_text=rate_text(executed, adjusted),
        execution_score=_money(Decimal(EXECUTION_WEIGHT) * min(rate, Decimal(1))),
        indicators=indicators,
    )  # fmt: skip


def evaluate(table: LogicalTable, seed: int) -> SelfEvaluation:
    """The 自评表 a department files for its 目标表 of the year (pure data, no I/O)."""
    projects = tuple(
        evaluate_project(table, unit.name, project, seed)
        for unit in table.units
        for project in unit.projects
    )
    return SelfEvaluation(table.year, table.department, projects)
