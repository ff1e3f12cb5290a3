"""The quality gate: each rule fires on the row that breaks it, with its severity."""

from __future__ import annotations

import copy

import polars as pl
import pytest

from expectations.gate import (
    SUITES_DIR,
    load_suite_json,
    rejected_file_ids,
    repo_suites,
    run_gate,
)
from tests.conftest import frames_from_texts

PATH = "inbox/2026/广州互联网法院.txt"


def findings_for(text: str) -> pl.DataFrame:
    return run_gate(frames_from_texts((PATH, text)))


def errors_of(findings: pl.DataFrame) -> list[tuple[str, int | None]]:
    errors = findings.filter(pl.col("severity") == "error")
    return list(zip(errors["rule"], errors["source_row"], strict=True))


def test_every_rule_has_a_severity_and_a_sentence():
    for path in SUITES_DIR.glob("*.json"):
        for expectation in load_suite_json(path.stem)["expectations"]:
            assert expectation["severity"] in {"critical", "warning"}
            assert expectation["meta"]["rule"]
            assert expectation["meta"]["message"].endswith(".")
            assert expectation["meta"]["hint"]


def test_a_total_off_by_1000_is_an_error_on_the_total_row(sample_text: str):
    text = sample_text.replace("合计\t5,373.54\t5,373.54", "合计\t6,373.54\t6,373.54")
    findings = findings_for(text)
    assert ("declared_total_matches", 7) in errors_of(findings)
    row = findings.filter(pl.col("rule") == "declared_total_matches").row(0, named=True)
    assert "6373.54" in row["value"]
    assert rejected_file_ids(findings)


def test_a_unit_subtotal_off_by_1000_is_an_error(sample_text: str):
    text = sample_text.replace(
        "广州互联网法院\t5,373.54\t5,373.54", "广州互联网法院\t4,373.54\t4,373.54"
    )
    # units by evidence: its projects do not add up to it, so the row is no unit but a
    # project without indicators, and 合计 (row 7) no longer matches its parts
    errors = errors_of(findings_for(text))
    assert ("project_has_indicators", 8) in errors
    assert ("declared_total_matches", 7) in errors


def test_negative_amount_is_an_error(sample_text: str):
    text = sample_text.replace("司法救助金\t1.00\t1.00", "司法救助金\t-1.00\t-1.00")
    assert ("amounts_not_negative", 14) in errors_of(findings_for(text))


def test_total_must_equal_its_fund_sources(sample_text: str):
    text = sample_text.replace("司法救助金\t1.00\t1.00\t\t", "司法救助金\t1.00\t0.50\t\t")
    findings = findings_for(text)
    assert ("total_equals_fund_sources", 14) in errors_of(findings)
    value = findings.filter(pl.col("rule") == "total_equals_fund_sources")["value"][0]
    assert "财政拨款 0.50" in value


def test_amount_as_text_is_an_error(sample_text: str):
    text = sample_text.replace("司法救助金\t1.00\t1.00", "司法救助金\t一万\t1.00")
    findings = findings_for(text)
    assert ("amount_is_number", 14) in errors_of(findings)


def test_duplicate_project_in_one_unit_is_an_error(sample_text: str):
    lines = sample_text.split("\n")
    duplicated = "\n".join(lines[:14] + [lines[13]] + lines[14:])
    duplicated = duplicated.replace("合计\t5,373.54\t5,373.54", "合计\t5,374.54\t5,374.54")
    duplicated = duplicated.replace(
        "广州互联网法院\t5,373.54\t5,373.54", "广州互联网法院\t5,374.54\t5,374.54"
    )
    assert errors_of(findings_for(duplicated)) == [
        ("no_duplicate_project", 14), ("no_duplicate_project", 15)
    ]


def test_project_without_indicators_is_an_error(sample_text: str):
    lines = sample_text.split("\n")
    cells = lines[13].split("\t")
    lines[13] = "\t".join(cells[:6] + [""])
    assert ("project_has_indicators", 14) in errors_of(findings_for("\n".join(lines)))


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("1-产出指标：12-质量指标：司法救助率", "1-产出指标：19-质量指标：司法救助率",
         "known_level2_code"),
        ("1-产出指标：12-质量指标：司法救助率", "1-产出指标：12-品质指标：司法救助率",
         "known_indicator_level"),
        ("1-产出指标：12-质量指标：司法救助率", "1-效益指标：12-质量指标：司法救助率",
         "level2_under_level1"),
        ("1-产出指标：12-质量指标：司法救助率", "1-产出指标：12-质量指标司法救助率",
         "indicator_structure"),
    ],
)
def test_indicator_level_rules(sample_text: str, old: str, new: str, rule: str):
    assert old in sample_text
    assert (rule, 14) in errors_of(findings_for(sample_text.replace(old, new, 1)))


def test_level1_code_disagreeing_with_level2_code_is_a_warning(sample_text: str):
    text = sample_text.replace("2-1-产出指标：13-时效指标：司法救助发放及时性",
                               "2-2-产出指标：13-时效指标：司法救助发放及时性")
    findings = findings_for(text)
    assert errors_of(findings) == []
    warning = findings.filter(pl.col("rule") == "level1_code_matches_level2")
    assert warning["source_row"].to_list() == [14]


def test_rules_report_the_file_they_came_from(sample_text: str):
    bad = sample_text.replace("司法救助金\t1.00\t1.00", "司法救助金\t-1.00\t-1.00")
    frames = frames_from_texts((PATH, sample_text), ("inbox/2026/坏的.txt", bad))
    findings = run_gate(frames)
    errors = findings.filter(pl.col("severity") == "error")
    assert set(errors["file_name"]) == {"坏的.txt"}
    assert len(rejected_file_ids(findings)) == 1


# --- the gate fails closed ----------------------------------------------------------------

def two_files(sample_text: str):
    """The sample and a second good copy of it (other bytes, other name)."""
    return frames_from_texts(
        (PATH, sample_text), ("inbox/2026/副本.txt", sample_text + "\n注：副本\n")
    )


def broken_suites(suite: str, change) -> dict:
    """The repo's suites, with suite `suite` changed by `change(suite_json)`."""
    suites = copy.deepcopy(repo_suites())
    change(suites[suite])
    return suites


def gate_errors(findings: pl.DataFrame) -> pl.DataFrame:
    return findings.filter(pl.col("rule") == "gate_error")


def test_an_expectation_that_raises_rejects_every_file_of_its_frame(sample_text: str):
    def misname(suite: dict) -> None:
        suite["expectations"][0]["kwargs"]["column"] = "no_such_column"

    frames = two_files(sample_text)
    assert rejected_file_ids(run_gate(frames)) == set()  # the repo's suites pass both
    findings = run_gate(frames, broken_suites("projects", misname))
    errors = gate_errors(findings)
    assert sorted(errors["file_name"]) == ["副本.txt", "广州互联网法院.txt"]
    assert set(errors["severity"]) == {"error"} and errors["source_row"].null_count() == 2
    for message in errors["message"]:
        assert "\n" not in message
        assert message.startswith("suite projects: expect_column_values_to_not_be_null raised")
        assert "no_such_column" in message
    assert rejected_file_ids(findings) == set(frames.files["source_file_id"])


def test_an_expectation_that_fails_without_naming_rows_rejects_every_file(sample_text: str):
    def add_table_level(suite: dict) -> None:
        suite["expectations"].append({
            "type": "expect_table_row_count_to_equal", "kwargs": {"value": 1},
            "severity": "critical", "meta": {"rule": "one_total_only"},
        })  # fmt: skip

    frames = two_files(sample_text)
    findings = run_gate(frames, broken_suites("totals", add_table_level))
    errors = gate_errors(findings)
    assert sorted(errors["file_name"]) == ["副本.txt", "广州互联网法院.txt"]
    assert "one_total_only" not in set(findings["rule"])
    message = errors["message"][0]
    assert message.startswith("suite totals: expect_table_row_count_to_equal failed without")
    assert rejected_file_ids(findings) == set(frames.files["source_file_id"])


def test_a_warning_expectation_that_raises_still_rejects(sample_text: str):
    def misname_warning(suite: dict) -> None:
        (warning,) = [e for e in suite["expectations"] if e["severity"] == "warning"]
        warning["kwargs"]["column"] = "no_such_column"

    frames = two_files(sample_text)
    findings = run_gate(frames, broken_suites("totals", misname_warning))
    assert sorted(gate_errors(findings)["file_name"]) == ["副本.txt", "广州互联网法院.txt"]
    assert rejected_file_ids(findings) == set(frames.files["source_file_id"])


def test_a_suite_great_expectations_cannot_build_rejects_every_file(sample_text: str):
    def bad_kwarg(suite: dict) -> None:
        suite["expectations"][0]["kwargs"]["mostly"] = 7

    findings = run_gate(two_files(sample_text), broken_suites("indicators", bad_kwarg))
    errors = gate_errors(findings)
    assert sorted(set(errors["suite"])) == ["indicators", "projects", "totals"]
    assert errors.group_by("suite").len()["len"].to_list() == [2, 2, 2]
    assert all("validation raised ValidationError" in m for m in errors["message"])
    assert all("\n" not in m for m in errors["message"])
