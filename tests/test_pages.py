"""One stylesheet and templates for every page bpw writes: the run page, a rejected
file's report and `bpw report` each inline `pages/style.css` (and no other style), and
the templates escape what comes from a file (a name or cell can carry markup)."""

from __future__ import annotations

import re

from expectations.report import report_html
from interface.report.data import ReportData
from interface.report.page import render_page
from pages import stylesheet
from pipeline.summary import LoadedFile, RejectedFile, RowCounts, RunSummary

HOSTILE = "<script>alert(1)</script>.txt"


def summary() -> RunSummary:
    return RunSummary(
        run_id="20261128T020000-abcdef",
        started_at="2026-11-28T02:00:00+00:00",
        finished_at="2026-11-28T02:00:09+00:00",
        home="/data",
        files_new=2,
        files_unchanged=0,
        loaded=[
            LoadedFile(1, "广州互联网法院.txt", 2026, "广州互联网法院", 17, 71, "5373.550000", 1)
        ],  # fmt: skip
        superseded_in_run=[],
        rejected=[RejectedFile(HOSTILE, "header", None, "<b>", 1, f"{HOSTILE}: header")],
        warnings=["a & b"],
        rows=RowCounts(17, 71),
        manifest_version=3,
        quarantine="/data/quarantine",
        warehouse="/data/warehouse.duckdb",
        exit_status=1,
        status="rejected",
        reports={"run_json": "/data/runs/r.json", "rejected": {HOSTILE: "/data/q/report.html"}},
    )


def styles(page: str) -> list[str]:
    return re.findall(r"<style>(.*?)</style>", page, re.DOTALL)


def pages() -> dict[str, str]:
    quarantine = {
        "file": {"file_name": HOSTILE, "sha256": "ab" * 32},
        "errors": [
            {
                "severity": "error",
                "rule": "header",
                "source_row": None,
                "value": "<i>x</i>",
                "message": "no header row",
            }
        ],  # fmt: skip
        "warnings": [],
        "what_to_do": "Fix it.",
    }
    return {
        "run": summary().to_html(),
        "quarantine": report_html(quarantine),
        "report": render_page(ReportData("2026-11-28 02:00", 3, [], [])),
    }


def test_every_page_inlines_the_one_stylesheet_and_nothing_else() -> None:
    assert "td.num" in stylesheet() and "svg.chart" in stylesheet()
    for name, page in pages().items():
        assert styles(page) == [stylesheet()], name
        assert not re.search(r"<script|<link|@import|(src|href)\s*=\s*[\"']?http", page), name
        assert "<meta charset='utf-8'>" in page, name


def test_the_templates_escape_what_comes_from_a_file() -> None:
    for name in ("run", "quarantine"):
        page = pages()[name]
        assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in page
    run = pages()["run"]
    assert "&lt;b&gt;" in run and "a &amp; b" in run
    assert "&lt;i&gt;x&lt;/i&gt;" in pages()["quarantine"]


def test_the_run_page_and_the_markdown_show_the_same_run() -> None:
    run = summary()
    page, markdown = run.to_html(), run.to_markdown()
    for text in ("5373.55", "广州互联网法院.txt", "(rejected)", "/data/runs/r.json"):
        assert text in page
    assert "| 2026 | 广州互联网法院 | 广州互联网法院.txt | 17 | 71 | 5373.55 | 1 |" in markdown
    assert RunSummary.from_dict(run.to_dict()) == run
