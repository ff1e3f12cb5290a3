"""`bpw report`: a static HTML page whose charts draw in a real browser, offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from attainment_home import EVALUATIONS, attainment_home
from conftest_warehouse import SAMPLE_DEPARTMENT, Variant, write_variant
from demo_warehouse import demo_home, ingest
from typer.testing import CliRunner

from flows.settings import Settings
from interface.cli import app
from interface.report import write_report
from interface.report.charts import nice_max
from interface.report.data import ReportData, load_report_data
from interface.report.page import rate_text

# headless Chromium: CI installs it (.ci/run: apt-get install chromium); without it the
# browser test fails, it never skips. BPW_CHROMIUM names another binary.
CHROMIUM = os.environ.get("BPW_CHROMIUM") or next(
    (found for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
     if (found := shutil.which(name))),
    None,
)  # fmt: skip
CHARTS_PER_DEPARTMENT = 4
ATTAINMENT = "<h2>目标完成情况 / attainment</h2>"
OTHER = "虚构市测试局"
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
    assert html.count('<svg class="chart"') == charts_of(data)
    for dept in departments:
        assert f"<h2>{dept.name}</h2>" in html
    assert "<script" not in html and "<link" not in html and " src=" not in html
    urls = set(re.findall(r"https?://[^\"' )]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched


def charts_of(data: ReportData) -> int:
    """Four per department, and the execution-rate and met-share charts when a 自评表 is
    loaded."""
    return CHARTS_PER_DEPARTMENT * len(data.departments) + 2 * data.attainment.loaded


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportData, str]:
    """A warehouse where the real court has only 2026 while another department has 2024
    and 2026: the court's 2024 is a year without a table."""
    root = tmp_path_factory.mktemp("gapped")
    write_variant(root, Variant(tag="court"))
    for year in (2024, 2026):
        write_variant(root, Variant(year=year, department=OTHER, tag=f"other{year}"))
    settings = ingest(root / "home", [root / "court", root / "other2024", root / "other2026"])
    report = write_report(settings.warehouse, root / "report.html")
    return load_report_data(settings.warehouse), report.read_text(encoding="utf-8")


def section_of(html: str, department: str) -> str:
    """The report's section of one department (from its heading to the next)."""
    start = html.index(f"<h2>{department}</h2>")
    end = html.find("<h2>", start + 1)
    return html[start : end if end != -1 else len(html)]


def bars_of(section: str) -> list[str]:
    """The tooltips of a section's yearly total bars."""
    return re.findall(r"<title>(20\d\d: [^<]*)</title>", section)


def test_a_year_without_data_is_a_gap_not_a_zero_bar(gapped: tuple[ReportData, str]) -> None:
    data, html = gapped
    assert data.years == [2024, 2026]
    totals = {d.name: [t.year for t in d.totals] for d in data.departments}
    assert totals == {SAMPLE_DEPARTMENT: [2026], OTHER: [2024, 2026]}
    court, other = section_of(html, SAMPLE_DEPARTMENT), section_of(html, OTHER)
    # the court's 2024 is marked — in each chart over the years (total, fund shares,
    # indicators), and has no bar, not even one of zero
    assert court.count("—</text>") == 3
    assert bars_of(court) == ["2026: 5,373.55 万元"]
    assert other.count("—</text>") == 0
    assert bars_of(other) == ["2024: 5,373.55 万元", "2026: 5,373.55 万元"]


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
    one = load_report_data(home.warehouse, name)
    assert out.read_text(encoding="utf-8").count('<svg class="chart"') == charts_of(one)
    missing = runner.invoke(app, ["--home", str(tmp_path / "empty"), "report"])
    assert missing.exit_code == 2 and "no warehouse" in missing.output


def test_the_charts_draw_in_headless_chromium(
    data: ReportData, report: Path, tmp_path: Path
) -> None:
    assert CHROMIUM and Path(CHROMIUM).is_file(), (
        "headless Chromium is not installed: apt-get install chromium (.ci/run does), "
        "or point BPW_CHROMIUM at a Chromium or Chrome binary"
    )
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
    assert int(charts.group(1)) == charts_of(data)
    bars = sum(len(d.totals) for d in data.departments)  # one bar per department-year
    assert int(marks.group(1)) >= 3 * bars


# 目标完成情况: the attainment section -------------------------------------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportData, str]:
    """The report of a home holding 目标表 and 自评表 for two departments, 2024–2025."""
    settings = attainment_home(tmp_path_factory)
    out = write_report(settings.warehouse, tmp_path_factory.mktemp("results") / "report.html")
    return load_report_data(settings.warehouse), out.read_text(encoding="utf-8")


def attainment_of(html: str) -> str:
    """The attainment section (from its heading to the first department's)."""
    start = html.index(ATTAINMENT)
    return html[start : html.index("<h2>", start + 1)]


def test_the_attainment_section_lists_each_missed_target_with_its_reason(
    results: tuple[ReportData, str],
) -> None:
    _, html = results
    section = attainment_of(html)
    missed = re.findall(
        r"<tr><td>([^<]*)</td><td class=\"num\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>"
        r"<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        section,
    )
    assert sorted(missed) == sorted(
        (e.department, str(e.year), e.project, i.name, i.target,
         f"{i.actual}{i.unit}", i.reason)
        for e in EVALUATIONS for i in e.missed
    )  # fmt: skip
    assert len(missed) == 3


def test_the_attainment_section_counts_and_rates_by_department_and_year(
    results: tuple[ReportData, str],
) -> None:
    data, html = results
    counts = {
        (row.department, row.year): (row.n_indicators, row.n_missed, row.executed)
        for row in data.attainment.years
    }
    assert counts == {
        (e.department, e.year): (len(e.indicators), len(e.missed), Decimal(e.executed))
        for e in EVALUATIONS
    }
    section = attainment_of(html)
    for e in EVALUATIONS:  # the rate the form printed, to one decimal, in the table row
        row = re.search(
            rf"<tr><td>{e.department}</td><td class=\"num\">{e.year}</td>.*?</tr>", section
        )
        assert row, (e.department, e.year)
        assert f"{e.executed}</td>" in row.group(0)
        assert f">{rate_text(float(e.rate.rstrip('%')))}</td></tr>" in row.group(0)
    # the trend: one point per department-year, its tooltip the rate, one line each
    points = re.findall(r"<title>(\S+) (\d{4}): 执行率 ([\d.]+)%</title>", section)
    assert sorted(points) == sorted(
        (e.department, str(e.year), f"{float(e.rate.rstrip('%')):.1f}") for e in EVALUATIONS
    )
    shares = re.findall(r"<title>(\S+) (\d{4}): 达成率 ([\d.]+)%</title>", section)
    judged = {e: [i for i in e.indicators if i.op != "定性"] for e in EVALUATIONS}
    assert sorted(shares) == sorted(
        (e.department, str(e.year), f"{(len(j) - len(e.missed)) / len(j) * 100:.1f}")
        for e, j in judged.items()
    )
    # two lines per department (execution rate, met share), each over 2024–2025
    assert section.count("<polyline") == 2 * len({e.department for e in EVALUATIONS})
    assert section.count('<svg class="chart"') == 2


def test_without_a_self_evaluation_the_section_says_so_in_one_line(
    gapped: tuple[ReportData, str],
) -> None:
    data, html = gapped  # 目标表 only
    assert not data.attainment.loaded
    section = attainment_of(html)
    assert "<table" not in section and "<svg" not in section
    assert section.count("<p ") == 1 and "No 自评表" in section


def test_invented_departments_are_tagged_in_the_attainment_section(
    data: ReportData, report: Path
) -> None:
    section = attainment_of(report.read_text(encoding="utf-8"))
    invented = {d.name for d in data.departments if d.invented}
    rows = re.findall(r'<tr><td>([^<]*)(<span class="invented">)?', section)
    assert data.attainment.loaded and invented and rows  # the demo history holds 自评表
    assert {name for name, _ in rows} <= {d.name for d in data.departments}
    assert all(bool(tag) == (name in invented) for name, tag in rows)
