"""The report page: one self-contained HTML file (inline CSS and SVG, no script)."""

from __future__ import annotations

from html import escape

from warehouse.report.charts import (
    FUND_COLORS,
    indicator_chart,
    movers_chart,
    sparkline,
    stacked_share_chart,
    total_chart,
)
from warehouse.report.data import LEVEL1, Department, ReportData
from warehouse.yoy import MISSING, amount_text, change_text, percent_text

FUNDS = ("财政拨款", "财政专户拨款", "其他资金")
CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 1200px; padding: 24px;
       color: #1a202c; background: #ffffff; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 20px; margin-top: 40px; border-bottom: 2px solid #e2e8f0; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 8px 0 4px; color: #2d3748; }
p.meta, p.note { color: #718096; font-size: 13px; }
table.overview { border-collapse: collapse; font-size: 13px; }
table.overview th, table.overview td { padding: 4px 10px; border-bottom: 1px solid #e2e8f0; }
table.overview td.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; }
figure { margin: 0; padding: 8px; border: 1px solid #e2e8f0; border-radius: 6px; }
svg.chart { width: 100%; height: auto; display: block; }
.up { color: #2f855a; } .down { color: #c53030; }
"""


def _signed_class(value: object) -> str:
    if value is None or value == 0:
        return ""
    return "up" if value > 0 else "down"  # type: ignore[operator]


def _overview(data: ReportData) -> str:
    rows = []
    for dept in data.departments:
        last = dept.totals[-1] if dept.totals else None
        rows.append(
            "<tr>"
            f'<td><a href="#d{data.departments.index(dept)}">{escape(dept.name)}</a></td>'
            f"<td class=num>{last.year if last else MISSING}</td>"
            f"<td class=num>{amount_text(last.total) if last else MISSING}</td>"
            f'<td class="num {_signed_class(last and last.change)}">'
            f"{change_text(last.change) if last else MISSING}</td>"
            f'<td class="num {_signed_class(last and last.pct)}">'
            f"{percent_text(last.pct) if last else MISSING}</td>"
            f"<td>{sparkline([float(t.total) for t in dept.totals])}</td>"
            "</tr>"
        )
    head = (
        "<tr><th>部门 department</th><th>年度 year</th><th>总计 total (万元)</th>"
        "<th>同比增减 change</th><th>同比 %</th><th>趋势 trend</th></tr>"
    )
    return f'<table class="overview">{head}{"".join(rows)}</table>'


def _figure(heading: str, svg: str) -> str:
    return f"<figure><h3>{escape(heading)}</h3>{svg}</figure>"


def _department(index: int, dept: Department, years: list[int]) -> str:
    totals = {t.year: t.total for t in dept.totals}
    funds = {f.year: (f.fiscal, f.special, f.other) for f in dept.funds}
    counts = {m.year: m.by_level1 for m in dept.indicators}
    quantitative = {m.year: m.quantitative_pct for m in dept.indicators}
    movers = [(m.project, m.change) for m in dept.movers]
    movers_year = dept.movers_year or MISSING
    charts = [
        _figure("总计 Total funding by year (万元)",
                total_chart(years, totals, f"{dept.name} 总计")),
        _figure("资金来源结构 Fund mix (% of total)",
                stacked_share_chart(years, funds, FUNDS, FUND_COLORS, f"{dept.name} 资金来源")),
        _figure("绩效指标结构 Indicator mix (count by 一级指标)",
                indicator_chart(years, counts, quantitative, LEVEL1, f"{dept.name} 绩效指标")),
        _figure(f"变动最大的项目 Biggest movers {movers_year} vs year before (万元)",
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
    return (
        f'<section id="d{index}"><h2>{escape(dept.name)}</h2>'
        f'<p class="note">{escape(summary)}</p><div class="grid">{"".join(charts)}</div>'
        "</section>"
    )


def render_page(data: ReportData) -> str:
    """The whole report as one HTML document."""
    sections = "".join(
        _department(i, dept, data.years) for i, dept in enumerate(data.departments)
    )
    span = f"{data.years[0]}–{data.years[-1]}" if data.years else "no years loaded"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>bpw report — 项目支出绩效目标 {escape(span)}</title>"
        f"<style>{CSS}</style></head><body>"
        "<h1>项目支出绩效目标 — year-over-year report</h1>"
        f'<p class="meta">Budget years {escape(span)} · {len(data.departments)} department(s) · '
        f"catalog built {escape(data.built_at)} (lake manifest v{data.manifest_version}). "
        "Amounts in 万元, exact; a year without a table shows as —, never as zero.</p>"
        f"{_overview(data)}{sections}</body></html>\n"
    )
