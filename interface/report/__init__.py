"""`bpw report`: a static HTML report of year-over-year trends per department.

One self-contained file (`pages/templates/report.html`, the one stylesheet inlined) with
inline SVG charts drawn in Python, no script
and nothing fetched from the network, so it opens anywhere, offline. Per department:
total funding by year, fund-source mix, indicator mix and the biggest movers. A
department whose loaded tables are synthetic (`dim_source_file.is_synthetic`) carries a
visible 虚构示例数据 note saying which years are invented. A 目标完成情况 section
opens the page when a 自评表 is loaded (the queries: `warehouse/sql/report_*.sql`): the
targets missed with their 偏差原因, and execution rate and met share by department and
year; without one, a single line says so.
"""

from __future__ import annotations

from pathlib import Path

from interface.report.data import load_report_data
from interface.report.page import render_page
from warehouse.fsio import write_text_atomic

__all__ = ["write_report"]


def write_report(catalog: Path, out: Path, department: str | None = None) -> Path:
    """Render the report from the catalog into `out`, written whole (temp file, fsync,
    rename: `warehouse.fsio`)."""

    html = render_page(load_report_data(catalog, department))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, html, "report")
    return out
