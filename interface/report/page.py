"""The report page: its figures and charts, into `pages/templates/report.html` (one
self-contained file: the one stylesheet inlined, SVG inline, no script)."""

from __future__ import annotations

from interface.formats import MISSING, amount_text, change_text, percent_text
from interface.report.charts import (
    FUND_COLORS,
    indicator_chart,
    movers_chart,
    rate_chart,
    sparkline,
    stacked_share_chart,
    total_chart,
)
from interface.report.data import LEVEL1, Attainment, Department, ReportData
from pages import Markup, render

FUNDS = ("财政拨款", "财政专户拨款", "其他资金")
INVENTED_TAG = Markup('<span class="invented">虚构 invented</span>')


def _years_text(years: list[int]) -> str:
    """2019, 2020, 2021 → '2019–2021'; gaps listed: '2019–2020, 2023'."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def invented_scope(dept: Department) -> str:
    """What the invented-data note on a department says is made up ('' if nothing)."""
    if not dept.invented:
        return ""
    loaded = [t.year for t in dept.totals]
    if set(loaded) <= set(dept.invented_years):
        return "every figure in this section is invented"
    return (
        f"the figures of {_years_text(dept.invented_years)} are invented, and so is "
        "every change computed against them"
    )


def _signed_class(value: object) -> str:
    if value is None or value == 0:
        return ""
    return "up" if value > 0 else "down"  # type: ignore[operator]


def _overview_row(dept: Department) -> dict[str, object]:
    last = dept.totals[-1] if dept.totals else None
    return {
        "name": dept.name,
        "invented": dept.invented,
        "year": last.year if last else MISSING,
        "total": amount_text(last.total) if last else MISSING,
        "change": change_text(last.change) if last else MISSING,
        "change_class": _signed_class(last and last.change),
        "pct": percent_text(last.pct) if last else MISSING,
        "pct_class": _signed_class(last and last.pct),
        "sparkline": Markup(sparkline([float(t.total) for t in dept.totals])),
    }


def _section(dept: Department, years: list[int]) -> dict[str, object]:
    totals = {t.year: t.total for t in dept.totals}
    funds = {f.year: (f.fiscal, f.special, f.other) for f in dept.funds}
    counts = {m.year: m.by_level1 for m in dept.indicators}
    quantitative = {m.year: m.quantitative_pct for m in dept.indicators}
    movers = [(m.project, m.change) for m in dept.movers]
    movers_year = dept.movers_year or MISSING
    figures = [
        ("总计 Total funding by year (万元)",
         total_chart(years, totals, f"{dept.name} 总计")),
        ("资金来源结构 Fund mix (% of total)",
         stacked_share_chart(years, funds, FUNDS, FUND_COLORS, f"{dept.name} 资金来源")),
        ("绩效指标结构 Indicator mix (count by 一级指标)",
         indicator_chart(years, counts, quantitative, LEVEL1, f"{dept.name} 绩效指标")),
        (f"变动最大的项目 Biggest movers {movers_year} vs year before (万元)",
         movers_chart(movers, f"{dept.name} 变动最大的项目")),
    ]  # fmt: skip
    last = dept.totals[-1] if dept.totals else None
    summary = (
        f"{last.year}: {amount_text(last.total)} 万元, {last.n_projects} projects "
        f"({dept.new_projects} new), {last.n_indicators} indicators; "
        f"change {change_text(last.change)} ({percent_text(last.pct)}); "
        f"{dept.warnings} quality warning(s) in all years"
        if last
        else "no data"
    )
    return {
        "name": dept.name,
        "invented_scope": invented_scope(dept),
        "summary": summary,
        "figures": [{"heading": h, "svg": Markup(svg)} for h, svg in figures],
    }


def rate_text(value: float | None) -> str:
    """A share or rate in percent, unsigned ('95.3%'), or — when there is none."""
    return MISSING if value is None else f"{value:.1f}%"


def _attainment(attainment: Attainment, invented: set[str]) -> dict[str, object]:
    """目标完成情况: the department × year counts and execution, the missed targets with
    their 偏差原因, and the execution-rate and met-share trends (empty when no 自评表 is
    loaded). A row of an `invented` department is tagged as such."""
    if not attainment.loaded:
        return {"loaded": False}
    years = sorted({row.year for row in attainment.years})
    rates: dict[str, dict[int, float]] = {}
    met: dict[str, dict[int, float]] = {}
    for row in attainment.years:
        if row.execution_rate is not None:
            rates.setdefault(row.department, {})[row.year] = row.execution_rate
        if row.met_pct is not None:
            met.setdefault(row.department, {})[row.year] = row.met_pct
    rows = [
        {
            "department": row.department,
            "invented": row.department in invented,
            "year": row.year,
            "n_indicators": row.n_indicators,
            "n_met": row.n_met,
            "n_missed": row.n_missed,
            "missed_class": "down" if row.n_missed else "",
            "met_pct": rate_text(row.met_pct),
            "adjusted_budget": amount_text(row.adjusted_budget),
            "executed": amount_text(row.executed),
            "execution_rate": rate_text(row.execution_rate),
        }
        for row in attainment.years
    ]
    figures = [
        ("预算执行率 Execution rate by year (%)",
         rate_chart(years, rates, "预算执行率 Execution rate by department", "执行率",
                    "执行率 % (全年执行数 / 全年预算数)")),
        ("指标达成率 Targets met by year (% of those judged)",
         rate_chart(years, met, "指标达成率 Targets met by department", "达成率",
                    "达成率 % (met / (met + missed))")),
    ]  # fmt: skip
    return {
        "loaded": True,
        "rows": rows,
        "missed": [{"m": m, "invented": m.department in invented} for m in attainment.missed],
        "n_missed": len(attainment.missed),
        "figures": [{"heading": h, "svg": Markup(svg)} for h, svg in figures],
    }


def render_page(data: ReportData) -> str:
    """The whole report as one HTML document (`pages/templates/report.html`)."""
    return render(
        "report.html",
        span=f"{data.years[0]}–{data.years[-1]}" if data.years else "no years loaded",
        built_at=data.built_at,
        manifest_version=data.manifest_version,
        invented_count=sum(1 for d in data.departments if d.invented),
        invented_tag=INVENTED_TAG,
        overview=[_overview_row(d) for d in data.departments],
        sections=[_section(d, data.years) for d in data.departments],
        attainment=_attainment(data.attainment, {d.name for d in data.departments if d.invented}),
    )
