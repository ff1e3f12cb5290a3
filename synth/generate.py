"""Seeded generation of logical tables: departments, their projects over the years.

Each department is planned on its own random stream (seeded by the corpus seed and the
department's name), so department *i* is the same whether 5 or 800 are generated. A plan
holds project *lines* that run over several years:

- recurring projects (机构运行辅助经费 …): same name every year, amounts drift, and some
  start late, stop early or skip a year — year-over-year comparisons meet gaps;
- year-spanning series (`<dept>2022-2023年信息化运维项目`): a new member most years, each
  member funded for a few years, so several members of one family share a table;
- one-off dated projects (`<dept>2020年…建设项目`) funded for one to three years.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from synth import vocabulary as vocab
from synth.model import CENT, ZERO, Corpus, Funds, Indicator, LogicalTable, Project, Unit
from synth.values import Target, annual_text, drift, localize, parse_target

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..999 in Chinese numerals (第十六中学, 第一百零二小学)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    head = _DIGITS[n // 100] + "百"
    if not rest:
        return head
    return head + ("零" + _DIGITS[rest] if rest < 10 else _DIGITS[rest // 10] + "十"
                   + (_DIGITS[rest % 10] if rest % 10 else ""))


def _department_pool() -> list[str]:
    """Every combination-built department name, in a fixed order (about 500), all invented."""
    pool = list(vocab.COURTS)
    pool += [f"{d}人民法院" for d in vocab.DISTRICTS]
    pool += [f"{d}人民检察院" for d in vocab.DISTRICTS]
    pool += [f"{vocab.FICTIONAL_PREFIX}{body}" for body in vocab.CITY_BODIES]
    pool += [f"{d}{body}" for d in vocab.DISTRICTS for body in vocab.DISTRICT_BODIES]
    pool += [f"{d}{s}街道办事处" for d in vocab.DISTRICTS for s in vocab.STREET_STEMS]
    pool += list(vocab.SCHOOLS) + list(vocab.HOSPITALS)
    return pool


def is_fictional(name: str) -> bool:
    """Whether a department name is one the generator invents (it names no real body)."""
    return name.startswith(vocab.FICTIONAL_PREFIX)


def department_names(count: int, seed: int) -> list[str]:
    """`count` distinct invented names; 虚构市互联网法院 (the sample's counterpart, with its
    vocabulary) first, then a seeded shuffle. Every name starts with 虚构市.

    Past the combinations, numbered district schools (虚构市甲区第十二中学) keep names unique.
    """
    pool = _department_pool()
    random.Random(f"{seed}:departments").shuffle(pool)
    names = [vocab.SYNTHETIC_COURT, *pool]
    seen = set(names)
    number = 1
    while len(names) < count:
        for district in vocab.DISTRICTS:
            for kind in ("中学", "小学"):
                name = f"{district}第{chinese_number(number)}{kind}"
                if name not in seen:
                    seen.add(name)
                    names.append(name)
        number += 1
    return names[:count]


def department_kind(name: str) -> str:
    """Which project vocabulary fits: court, school, street, hospital or bureau."""
    if name.endswith("法院"):
        return "court"
    if name.endswith(("中学", "小学", "学校")):
        return "school"
    if name.endswith("办事处"):
        return "street"
    if name.endswith(("医院", "医疗中心", "防治所")):
        return "hospital"
    return "bureau"


@dataclass
class Line:
    """One project over the years: name, unit, template and the years it is funded."""

    name: str
    unit: int
    template: vocab.Template
    years: list[int]
    start_year: int
    projects: dict[int, Project] = field(default_factory=dict)


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0.1):.2f}")


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _fill(words: str, department: str, unit: str) -> str:
    text = words.replace("{dept}", department).replace("{unit}", unit)
    return text if department.endswith("法院") else text.replace("本院", "本单位")


class _Planner:
    """Builds one department's lines, then its projects year by year."""

    def __init__(self, department: str, years: list[int], seed: int, units: int) -> None:
        self.department = department
        self.years = years
        self.rng = random.Random(f"{seed}:{department}")
        self.kind = department_kind(department)
        self.unit_names = self._unit_names(units)
        self.lines: list[Line] = []

    def _unit_names(self, count: int) -> list[str]:
        suffixes = list(vocab.SUB_UNIT_SUFFIXES)
        self.rng.shuffle(suffixes)
        extra = [f"{self.department}{s}" for s in suffixes]
        while len(extra) < count - 1:
            extra.append(f"{self.department}第{chinese_number(len(extra) + 1)}分中心")
        return [self.department, *extra[: count - 1]]

    def _pick_unit(self) -> int:
        if len(self.unit_names) == 1 or self.rng.random() < 0.5:
            return 0
        return self.rng.randrange(len(self.unit_names))

    def _span(self, first: int, last: int) -> list[int]:
        return [y for y in self.years if first <= y <= last]

    def plan(self) -> None:
        rng, years = self.rng, self.years
        first, last = years[0], years[-1]
        pool = vocab.RECURRING_BY_KIND[self.kind]
        chosen = rng.sample(pool, rng.randint(min(5, len(pool)), min(11, len(pool))))
        for index, template in enumerate(chosen):
            start = first if index == 0 or rng.random() < 0.75 else rng.randint(first, last)
            end = last if index == 0 or rng.random() < 0.8 else rng.randint(start, last)
            span = self._span(start, end)
            if index and len(span) > 2 and rng.random() < 0.1:
                span.remove(rng.choice(span[1:-1]))  # a year without it, then it is back
            unit = 0 if index == 0 else self._pick_unit()
            self.lines.append(Line(template.stem, unit, template, span, start))
        for unit in range(1, len(self.unit_names)):
            name = vocab.UNIT_UPKEEP.stem.replace("{unit}", self.unit_names[unit])
            self.lines.append(Line(name, unit, vocab.UNIT_UPKEEP, list(years), first))
        self._plan_families(first, last)
        self._plan_one_offs(first, last)
        rng.shuffle(self.lines)

    def _plan_families(self, first: int, last: int) -> None:
        rng = self.rng
        families = list(vocab.FAMILIES[1:])
        count = rng.randint(0, 2) if self.kind != "court" else rng.randint(0, 1)
        picked = rng.sample(families, count)
        if self.kind == "court" or rng.random() < 0.6:
            picked.insert(0, vocab.FAMILIES[0])
        for family in picked:
            unit = self._pick_unit()
            spans_from = rng.randint(first - 3, last + 1)  # naming switches to 2022-2023年
            for start in range(first - 5, last + 1):
                if rng.random() > 0.8:
                    continue
                lifetime = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))
                span = self._span(start, start + lifetime - 1)
                if not span:
                    continue
                label = f"{start}-{start + 1}年" if start >= spans_from else f"{start}年"
                name = f"{self.department}{label}{family.stem}"
                self.lines.append(Line(name, unit, family, span, start))

    def _plan_one_offs(self, first: int, last: int) -> None:
        rng = self.rng
        pool = vocab.ONE_OFF_BY_KIND[self.kind]
        for start in range(first - 2, last + 1):
            if rng.random() > 0.5:
                continue
            template = rng.choice(pool)
            span = self._span(start, start + rng.choice((0, 0, 1, 2)))
            if span:
                name = f"{self.department}{start}年{template.stem}"
                self.lines.append(Line(name, self._pick_unit(), template, span, start))

    def fund_projects(self) -> None:
        """Every line's project in every year it runs: amounts, goal, indicators."""
        for line in self.lines:
            self._fund(line)

    def _fund(self, line: Line) -> None:
        rng = self.rng
        template = line.template
        unit = self.unit_names[line.unit]
        goals = [_fill(g, self.department, unit) for g in template.goals]
        if rng.random() < 0.04 and "；" in goals[0]:
            goals[0] = goals[0].replace("；", "；\n", 1)  # a line break typed into the cell
        menu = list(template.indicators)
        if len(menu) > 3:
            kept = [item for item in menu if rng.random() < 0.8]
            menu = kept if len(kept) >= 2 else menu[:2]
        targets: list[Target] = [localize(parse_target(v), rng) for _, _, v in menu]
        amount = _log_uniform(rng, template.low, template.high)
        special_share = rng.uniform(0.1, 0.6) if rng.random() < 0.1 else 0.0
        other_share = rng.uniform(0.05, 0.4) if rng.random() < 0.12 else 0.0
        no_fiscal = (special_share or other_share) and rng.random() < 0.2
        for position, year in enumerate(line.years):
            if position:
                amount *= rng.uniform(0.85, 1.2)
                targets = [drift(t, rng) for t in targets]
            total = _money(amount)
            special = _money(amount * special_share) if special_share else ZERO
            other = _money(amount * other_share) if other_share else ZERO
            if no_fiscal:  # all money from 财政专户 or other sources: a blank fiscal cell
                special, other = (total - other, other) if special_share else (ZERO, total)
            if special + other > total:
                other = total - special
            fiscal = total - special - other
            goal = goals[-1] if len(goals) > 1 and rng.random() < 0.3 else goals[0]
            indicators = tuple(
                Indicator(
                    seq=seq,
                    level1_code=code[0],
                    level1_name=vocab.LEVEL1_NAMES[code[0]],
                    level2_code=code,
                    level2_name=vocab.LEVEL2_NAMES[code],
                    name=name,
                    period_target=target.text,
                    annual_target=annual_text(target, rng),
                )
                for seq, ((code, name, _), target) in enumerate(zip(menu, targets, strict=True), 1)
            )
            line.projects[year] = Project(line.name, fiscal, special, other, goal, indicators)

    def tables(self) -> list[LogicalTable]:
        rng = self.rng
        tables = []
        for year in self.years:
            per_unit: list[list[Project]] = [[] for _ in self.unit_names]
            seen: set[str] = set()
            for line in self.lines:
                project = line.projects.get(year)
                if project is not None and project.name not in seen:
                    seen.add(project.name)
                    per_unit[line.unit].append(project)
            units = [Unit(n, tuple(p)) for n, p in zip(self.unit_names, per_unit, strict=True)]
            units = [u for u in units if u.projects]
            exact = Funds.of(p for u in units for p in u.projects)
            declared = exact
            if rng.random() < 0.1:
                declared = _off_by_a_cent(exact, rng.choice((-CENT, CENT)))
                if len(units) == 1:
                    units[0].declared = declared  # the sample prints the same subtotal
            amount_unit = "元" if rng.random() < 0.12 else "万元"
            tables.append(
                LogicalTable(year, self.department, amount_unit, tuple(units), declared,
                             synthetic=True)
            )  # fmt: skip
        return tables


def _off_by_a_cent(exact: Funds, delta: Decimal) -> Funds:
    """The 合计 row as real tables print it after rounding: total and one source off."""
    total = exact.total + delta
    if exact.fiscal + delta >= 0 and exact.fiscal:
        return Funds(total, exact.fiscal + delta, exact.special, exact.other)
    if exact.special:
        return Funds(total, exact.fiscal, exact.special + delta, exact.other)
    return Funds(total, exact.fiscal, exact.special, exact.other + delta)


def generate_department(
    department: str, years: range | list[int], seed: int, units_per_department: int = 1
) -> list[LogicalTable]:
    """One department's tables for the given years (deterministic for seed and name).

    The name must be an invented one (see `is_fictional`): invented figures never wear a
    real department's name.
    """
    if not is_fictional(department):
        raise ValueError(
            f"department {department!r}: synthetic tables take invented names only "
            f"(starting with {vocab.FICTIONAL_PREFIX})"
        )
    planner = _Planner(department, list(years), seed, max(1, units_per_department))
    planner.plan()
    planner.fund_projects()
    return planner.tables()


def generate(
    departments: int, years: range, seed: int, units_per_department: int = 1
) -> Corpus:
    """The logical tables of `departments` departments over `years` (pure data, no I/O)."""
    names = department_names(departments, seed)
    by_department = [generate_department(n, years, seed, units_per_department) for n in names]
    tables = sorted(
        (t for tables in by_department for t in tables), key=lambda t: (t.year, t.department)
    )
    return Corpus(seed=seed, years=tuple(years), departments=tuple(names), tables=tuple(tables))
