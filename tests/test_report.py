"""`bpw report`: a static HTML page whose charts draw in a real browser, offline."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from demo_warehouse import demo_home
from typer.testing import CliRunner

from flows.cli import app
from flows.settings import Settings
from warehouse.report import write_report
from warehouse.report.charts import nice_max
from warehouse.report.data import ReportData, load_report_data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHARTS_PER_DEPARTMENT = 4
# Counts what the browser really laid out: charts and marks with a non-zero box.
PROBE = """<script>
const drawn = (selector) => [...document.querySelectorAll(selector)].filter((e) => {
  const box = e.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}).length;
document.body.setAttribute("data-charts", drawn("svg.chart"));
document.body.setAttribute("data-marks", drawn("svg.chart rect, svg.chart polyline"));
</script>"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return demo_home(tmp_path_factory)


@pytest.fixture(scope="module")
def report(home: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(home.warehouse, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def data(home: Settings) -> ReportData:
    return load_report_data(home.warehouse)


def test_the_report_has_four_charts_per_department_and_nothing_from_the_network(
    data: ReportData, report: Path
) -> None:
    html = report.read_text(encoding="utf-8")
    departments = data.departments
    assert len(departments) >= 1
    assert html.count('<svg class="chart"') == CHARTS_PER_DEPARTMENT * len(departments)
    for dept in departments:
        assert f"<h2>{dept.name}</h2>" in html
    assert "<script" not in html and "<link" not in html and " src=" not in html
    urls = set(re.findall(r"https?://[^\"' )]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched


def test_a_year_without_data_is_a_gap_not_a_zero_bar(data: ReportData, report: Path) -> None:
    years = set(data.years)
    partial = [d for d in data.departments if {t.year for t in d.totals} != years]
    html = report.read_text(encoding="utf-8")
    if partial:  # the real 2026 court table stands alone only without the synthetic history
        assert "—</text>" in html
    for dept in data.departments:
        for total in dept.totals:
            assert f"{total.year}: " in html


def test_nice_axis_maxima() -> None:
    assert [nice_max(v) for v in (0, 0.7, 1, 3, 240, 1909.22, 5373.55)] == [
        1.0, 1.0, 1.0, 5.0, 250.0, 2000.0, 10000.0,
    ]  # fmt: skip


def test_bpw_report_writes_the_file_and_filters_departments(
    home: Settings, data: ReportData, tmp_path: Path
) -> None:
    runner = CliRunner()
    name = data.departments[0].name
    out = tmp_path / "one.html"
    args = ["--home", str(home.home), "report", "--out", str(out), "--department", name]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert out.read_text(encoding="utf-8").count('<svg class="chart"') == CHARTS_PER_DEPARTMENT
    missing = runner.invoke(app, ["--home", str(tmp_path / "empty"), "report"])
    assert missing.exit_code == 2 and "no warehouse" in missing.output


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="headless Chromium is not installed (apt-get install chromium; .ci/run does)",
)
def test_the_charts_draw_in_headless_chromium(
    data: ReportData, report: Path, tmp_path: Path
) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(
        report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
        "--dump-dom", probe.as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    charts = re.search(r'data-charts="(\d+)"', dom)
    marks = re.search(r'data-marks="(\d+)"', dom)
    assert charts and marks, dom[-2000:]
    assert int(charts.group(1)) == CHARTS_PER_DEPARTMENT * len(data.departments)
    bars = sum(len(d.totals) for d in data.departments)  # one bar per department-year
    assert int(marks.group(1)) >= 3 * bars
