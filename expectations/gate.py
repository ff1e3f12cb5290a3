"""The quality gate: run the Great Expectations suites kept in `expectations/suites/`
over a run's combined check frames, and trace every failure back to file, row and value.

Suites are plain JSON in the repo; each expectation carries a severity ('critical' =
error: the file is rejected; 'warning': the file loads and the finding is recorded)
and meta.rule / meta.message / meta.hint, the sentences a user reads.
Great Expectations is imported lazily: it costs seconds, and only gating needs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from expectations.checks import CHECK_BUILDERS
from expectations.context import ephemeral_context
from transforms.normalize import Frames

SUITES_DIR = Path(__file__).parent / "suites"
FINDING_SCHEMA = {
    "source_file_id": pl.Int64,
    "file_name": pl.String,
    "suite": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "source_row": pl.Int32,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
    "hint": pl.String,
}
# check column → the source column a user sees in the table
SOURCE_COLUMNS = {
    "project_name": "项目名称",
    "bad_amount": "总计/财政拨款/财政专户拨款/其他资金",
    "total_amount": "总计",
    "min_amount": "总计/财政拨款/财政专户拨款/其他资金",
    "fund_gap": "总计",
    "n_indicators": "绩效指标",
    "times_in_unit": "项目名称",
    "performance_goal": "绩效目标",
    "gap_beyond_rounding": "总计",
    "rounding_gap": "总计",
    "placeholder_target": "绩效指标（指标值）",
    "unstructured": "绩效指标",
    "category_code": "绩效指标（二级指标）",
    "known_level1": "绩效指标（一级指标）",
    "known_level2_code": "绩效指标（二级指标）",
    "level2_under_level1": "绩效指标（二级指标）",
    "level1_code_mismatch": "绩效指标（一级指标）",
}


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


@cache
def load_suite_json(name: str) -> dict[str, Any]:
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _context() -> Any:
    """One ephemeral GX context per process, with a pandas source and the suites."""
    context = ephemeral_context()
    source = context.data_sources.add_pandas("bpw")
    for name in CHECK_BUILDERS:
        asset = source.add_dataframe_asset(name)
        asset.add_batch_definition_whole_dataframe(name)
        context.suites.add(_suite(name))
    return context


def _suite(name: str) -> Any:
    import great_expectations as gx

    return gx.ExpectationSuite(**load_suite_json(name))


_COLUMN_KWARGS = ("column", "column_A", "column_B")


@cache
def suite_columns(name: str) -> list[str] | None:
    """`check_row` and the columns suite `name` tests; None when an expectation may read
    others (then the whole check frame goes to GX). The message columns stay in polars:
    fewer columns make the pandas copy and GX's fingerprint of the batch cheaper."""
    columns = ["check_row"]
    for expectation in load_suite_json(name)["expectations"]:
        kwargs = expectation.get("kwargs", {})
        if any("column" in key and key not in _COLUMN_KWARGS for key in kwargs):
            return None
        if "row_condition" in kwargs:
            return None
        columns += [kwargs[key] for key in _COLUMN_KWARGS if key in kwargs]
    return list(dict.fromkeys(columns))


def validate_frame(name: str, checks: pl.DataFrame) -> Any:
    """Run suite `name` on its check frame; the GX validation result."""
    context = _context()
    definition = (
        context.data_sources.get("bpw").get_asset(name).get_batch_definition(name)
    )
    frame = checks.select(suite_columns(name) or checks.columns).to_pandas()
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        context.suites.get(name),
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["check_row"],
        },
    )
    recorder = _RECORDER.get()
    if recorder is not None:
        recorder.append(result)
    return result


_RECORDER: ContextVar[list[Any] | None] = ContextVar("bpw_gate_recorder", default=None)


@contextmanager
def recording_validations() -> Iterator[list[Any]]:
    """Collect the GX validation result of every suite run inside the block.

    The flow keeps them for Data Docs (`expectations.datadocs`); `bpw validate`, which
    writes nothing, does not record.
    """
    results: list[Any] = []
    token = _RECORDER.set(results)
    try:
        yield results
    finally:
        _RECORDER.reset(token)


def _failed_rows(result: Any) -> list[int]:
    indexes = result.result.get("unexpected_index_list") or []
    return [int(entry["check_row"]) for entry in indexes]


def findings_for(name: str, checks: pl.DataFrame, validation: Any) -> pl.DataFrame:
    """Turn one suite's failed expectations into findings (file, rule, row, value…)."""
    parts = [empty_findings()]
    for result in validation.results:
        if result.success:
            continue
        config = result.expectation_config
        meta = config.meta or {}
        column = config.kwargs.get("column")
        severity = "warning" if str(config.severity.value) == "warning" else "error"
        rows = checks.filter(pl.col("check_row").is_in(_failed_rows(result)))
        parts.append(
            rows.select(
                "source_file_id",
                "file_name",
                pl.lit(name).alias("suite"),
                pl.lit(meta.get("rule", config.type)).alias("rule"),
                pl.lit(severity).alias("severity"),
                pl.col("source_row").cast(pl.Int32),
                pl.lit(SOURCE_COLUMNS.get(column, column)).alias("column"),
                pl.col(meta.get("value_column", column)).cast(pl.String).alias("value"),
                pl.lit(meta.get("message", "")).alias("message"),
                pl.lit(meta.get("hint", "")).alias("hint"),
            )
        )
    return pl.concat(parts, how="vertical_relaxed")


def run_gate(frames: Frames) -> pl.DataFrame:
    """All findings for all files in `frames`, sorted by file, row and rule."""
    parts = [empty_findings()]
    for name, build in CHECK_BUILDERS.items():
        checks = build(frames)
        if checks.is_empty():
            continue
        parts.append(findings_for(name, checks, validate_frame(name, checks)))
    return pl.concat(parts, how="vertical_relaxed").sort(
        "source_file_id", "source_row", "rule", nulls_last=True
    )


def rejected_file_ids(findings: pl.DataFrame) -> set[int]:
    """Files with at least one error-severity finding."""
    errors = findings.filter(pl.col("severity") == "error")
    return set(errors["source_file_id"].to_list())
