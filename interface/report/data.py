"""What the report shows, read from the catalog's analysis views (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from warehouse.sqlfiles import load_sql

LEVEL1 = (("1", "产出指标"), ("2", "效益指标"), ("3", "满意度指标"))
MOVERS = 8


@dataclass
class YearTotal:
    year: int
    total: Decimal
    change: Decimal | None
    pct: float | None
    n_projects: int
    n_indicators: int


@dataclass
class FundMix:
    year: int
    fiscal: float | None
    special: float | None
    other: float | None


@dataclass
class IndicatorMix:
    year: int
    by_level1: dict[str, int]
    quantitative_pct: float


@dataclass
class Mover:
    project: str
    change: Decimal
    pct: float | None
    total: Decimal
    prev: Decimal


@dataclass
class Department:
    name: str
    totals: list[YearTotal] = field(default_factory=list)
    funds: list[FundMix] = field(default_factory=list)
    indicators: list[IndicatorMix] = field(default_factory=list)
    movers_year: int | None = None
    movers: list[Mover] = field(default_factory=list)
    new_projects: int = 0
    warnings: int = 0
    invented_years: list[int] = field(default_factory=list)  # current batches: is_synthetic

    @property
    def invented(self) -> bool:
        return bool(self.invented_years)


@dataclass
class AttainmentYear:
    """A department's 自评表 in one year: indicators met / missed, budget executed."""

    department: str
    year: int
    n_indicators: int
    n_met: int
    n_missed: int
    met_pct: float | None
    adjusted_budget: Decimal | None
    executed: Decimal | None
    execution_rate: float | None


@dataclass
class MissedTarget:
    department: str
    year: int
    project: str | None
    indicator_seq: int | None
    indicator: str
    target: str | None
    actual: str | None
    reason: str | None


@dataclass
class Attainment:
    """目标完成情况: what the loaded 自评表 say against the targets (empty: none loaded)."""

    years: list[AttainmentYear] = field(default_factory=list)
    missed: list[MissedTarget] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return bool(self.years)


@dataclass
class ReportData:
    built_at: str
    manifest_version: int
    years: list[int]
    departments: list[Department]
    attainment: Attainment = field(default_factory=Attainment)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def _department(con: duckdb.DuckDBPyConnection, name: str) -> Department:
    dept = Department(name)
    dept.totals = [
        YearTotal(*row)
        for row in _rows(
            con,
            "select year, total_amount, yoy_change, yoy_pct, n_projects, n_indicators "
            "from v_department_yoy where department_name = ? order by year",
            [name],
        )
    ]
    dept.funds = [
        FundMix(*row)
        for row in _rows(
            con,
            "select year, fiscal_pct, special_account_pct, other_pct from v_fund_source_mix "
            "where department_name = ? order by year",
            [name],
        )
    ]
    mix: dict[int, IndicatorMix] = {}
    for year, level1, n, n_year, q_year in _rows(
        con,
        "select year, level1_code, sum(n_indicators), "
        "sum(sum(n_indicators)) over (partition by year), "
        "sum(sum(n_quantitative)) over (partition by year) "
        "from v_indicator_mix where department_name = ? group by year, level1_code "
        "order by year, level1_code",
        [name],
    ):
        entry = mix.setdefault(year, IndicatorMix(year, {}, float(q_year) / float(n_year) * 100))
        entry.by_level1[level1 or "?"] = int(n)
    dept.indicators = list(mix.values())
    _add_movers(con, dept)
    dept.warnings = _rows(
        con, "select count(*) from v_quality_finding where department_name = ?", [name]
    )[0][0]
    dept.invented_years = [
        year
        for (year,) in _rows(
            con,
            "select distinct f.year from dim_source_file as f join dim_department as d "
            "using (department_id) where d.department_name = ? and f.status = 'current' "
            "and f.is_synthetic order by f.year",
            [name],
        )
    ]
    return dept


def _add_movers(con: duckdb.DuckDBPyConnection, dept: Department) -> None:
    """The latest year's biggest changes among projects funded in both years."""
    latest = _rows(
        con, "select max(year) from v_project_yoy where department_name = ?", [dept.name]
    )[0][0]
    if latest is None:
        return
    dept.movers_year = latest
    dept.movers = [
        Mover(*row)
        for row in _rows(
            con,
            "select project_name, yoy_change, yoy_pct, total_amount, prev_total_amount "
            "from v_project_yoy where department_name = ? and year = ? "
            "and yoy_change is not null order by abs(yoy_change) desc, project_name limit ?",
            [dept.name, latest, MOVERS],
        )
    ]
    dept.new_projects = _rows(
        con,
        "select count(*) from v_project_yoy where department_name = ? and year = ? "
        "and status = 'new'",
        [dept.name, latest],
    )[0][0]


def _attainment(con: duckdb.DuckDBPyConnection, names: list[str]) -> Attainment:
    """The attainment section's rows (`sql/report_*.sql`), for the departments shown."""
    shown = set(names)
    return Attainment(
        [
            AttainmentYear(*row)
            for row in _rows(con, load_sql("report_attainment_years"), [])
            if row[0] in shown
        ],
        [
            MissedTarget(*row)
            for row in _rows(con, load_sql("report_missed_targets"), [])
            if row[0] in shown
        ],
    )


def load_report_data(catalog: Path, department: str | None = None) -> ReportData:
    """Every department (or those whose name contains `department`), with its trends."""
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        built_at, version = con.execute(
            "select strftime(built_at, '%Y-%m-%d %H:%M'), manifest_version from bpw_catalog"
        ).fetchone()
        names = [
            name
            for (name,) in _rows(
                con,
                "select department_name from dim_department where department_name like "
                "'%' || coalesce(?::varchar, '') || '%' order by department_name",
                [department],
            )
        ]
        years = [
            year for (year,) in _rows(
                con, "select distinct year from fact_project_budget order by year", []
            )
        ]  # fmt: skip
        departments = [_department(con, n) for n in names]
        return ReportData(built_at, version, years, departments, _attainment(con, names))
    finally:
        con.close()
