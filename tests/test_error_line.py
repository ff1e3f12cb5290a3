"""A rejected file's error line is one line, whatever its name or value holds."""

from __future__ import annotations

import polars as pl

from expectations.report import error_line, report_html, report_payload


def finding(**overrides: object) -> dict:
    base = {"file_name": "a.txt", "rule": "amount_is_number", "severity": "error",
            "source_row": 9, "column": "总计", "value": "一万", "message": "Not a number.",
            "hint": "Write numbers."}
    return {**base, **overrides}


def test_it_names_file_rule_row_column_and_value():
    line = error_line(finding())
    assert line == ("a.txt: amount_is_number (error) at row 9, column 总计: '一万' — "
                    "Not a number.")


def test_line_breaks_in_a_name_or_value_never_split_the_line():
    line = error_line(finding(file_name="bad\nname.txt", value="x\r\ny"))
    assert "\n" not in line and "\r" not in line


def test_a_whole_file_rule_says_so():
    assert "at whole file" in error_line(finding(source_row=None, column=None))


def test_the_html_report_escapes_cell_text():
    rows = pl.DataFrame([finding(value="<script>alert(1)</script>")])
    page = report_html(report_payload({"file_name": "a.txt", "sha256": "00"}, rows))
    assert "<script>" not in page and "&lt;script&gt;" in page
