"""The quality gate: run the Great Expectations suites kept in `expectations/suites/`
over a run's combined check frames, and trace every failure back to file, row and value.

Building the check frames (polars, `check_frames`) is cheap and is done per chunk of
files; validating them (GX) has a large fixed cost per suite and expectation, so
`gate_checks` validates the check frames of many chunks stacked, once per suite.

Suites are plain JSON in the repo; each expectation carries a severity ('critical' =
error: the file is rejected; 'warning': the file loads and the finding is recorded)
and meta.rule / meta.message / meta.hint, the sentences a user reads.
Great Expectations is imported lazily: it costs seconds, and only gating needs it.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
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
    "disagreement": "总计",
    "unread": "(not read)",
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
    "unaccounted": "绩效指标",
    "category_code": "绩效指标（二级指标）",
    "known_level1": "绩效指标（一级指标）",
    "known_level2_code": "绩效指标（二级指标）",
    "level2_under_level1": "绩效指标（二级指标）",
    "level1_code_mismatch": "绩效指标（一级指标）",
    # 自评表 (suites executions and results)
    "bad_execution_amount": "年初预算数/全年预算数/全年执行数",
    "execution_not_reported": "全年执行数",
    "rate_inconsistent": "执行率",
    "execution_score_over_weight": "预算执行（得分）",
    "total_score_mismatch": "总分",
    "weight_total_mismatch": "合计（分值）",
    "template_prompt": "模板提示",
    "weight_not_number": "分值/权重",
    "score_not_number": "得分",
    "score_over_weight": "得分",
    "actual_not_reported": "实际完成值",
    "unit_mismatch": "实际完成值（单位）",
}


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


@cache
def load_suite_json(name: str) -> dict[str, Any]:
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


SuiteJson = Mapping[str, Any]  # a suite as stored in expectations/suites/<name>.json


def build_context(suites: Mapping[str, SuiteJson]) -> Any:
    """An ephemeral GX context with a pandas source, one asset per suite, and the suites.

    The gate builds it once from the repo's suites (`_context`); a test builds one from
    suites of its own (e.g. a deliberately broken one) and hands both to `run_gate`.
    """
    import great_expectations as gx

    context = ephemeral_context()
    source = context.data_sources.add_pandas("bpw")
    for name, suite in suites.items():
        asset = source.add_dataframe_asset(name)
        asset.add_batch_definition_whole_dataframe(name)
        context.suites.add(gx.ExpectationSuite(**copy.deepcopy(dict(suite))))
    return context


def repo_suites() -> dict[str, SuiteJson]:
    """The suites kept in the repo, one per check frame."""
    return {name: load_suite_json(name) for name in CHECK_BUILDERS}


@cache
def _context() -> Any:
    """One ephemeral GX context per process, holding the repo's suites."""
    return build_context(repo_suites())


_COLUMN_KWARGS = ("column", "column_A", "column_B")
# A run validates in one thread, but one process may hold several runs' gates (tests,
# `bpw serve`) and they share its GX context: one validation at a time.
_GX_LOCK = threading.Lock()
# what a finding names besides the rule's columns: where it is (`FINDING_SCHEMA`)
_WHERE = ("source_file_id", "source_row")


def columns_of(suite: SuiteJson) -> list[str] | None:
    """`check_row` and the columns `suite` tests; None when an expectation may read
    others (then the whole check frame goes to GX). The message columns stay in polars:
    fewer columns make the pandas copy and GX's fingerprint of the batch cheaper."""
    columns = ["check_row"]
    for expectation in suite["expectations"]:
        kwargs = expectation.get("kwargs", {})
        if any("column" in key and key not in _COLUMN_KWARGS for key in kwargs):
            return None
        if "row_condition" in kwargs:
            return None
        columns += [kwargs[key] for key in _COLUMN_KWARGS if key in kwargs]
    return list(dict.fromkeys(columns))


@cache
def suite_columns(name: str) -> list[str] | None:
    """`columns_of` the repo's suite `name`."""
    return columns_of(load_suite_json(name))


def kept_columns(suite: SuiteJson) -> list[str] | None:
    """What the gate reads of a check frame for `suite`: GX's columns (`columns_of`), the
    file and row a finding names, and the value it shows (meta.value_column, else the
    rule's column); None when GX may read any column."""
    columns = columns_of(suite)
    if columns is None:
        return None
    for expectation in suite["expectations"]:
        column = expectation.get("kwargs", {}).get("column")
        value = (expectation.get("meta") or {}).get("value_column", column)
        columns += [value] if isinstance(value, str) else []
    return list(dict.fromkeys([*columns, *_WHERE]))


def check_frames(
    frames: Frames, suites: Mapping[str, SuiteJson] | None = None
) -> dict[str, pl.DataFrame]:
    """Each suite's check frame for `frames`, narrowed to `kept_columns` (the file names
    are joined back onto the findings only); suites with nothing to check are left out.

    This is the gate's polars half, cheap and per chunk; `gate_checks` is its GX half."""
    checks: dict[str, pl.DataFrame] = {}
    for name, build in CHECK_BUILDERS.items():
        frame = build(frames)
        if frame.is_empty():
            continue
        suite = load_suite_json(name) if suites is None else suites.get(name)
        keep = kept_columns(suite) if suite is not None else None
        if keep is None:
            checks[name] = frame.drop("file_name", strict=False)
        else:
            checks[name] = frame.select([c for c in keep if c in frame.columns])
    return checks


def validate_frame(
    name: str,
    checks: pl.DataFrame,
    context: Any = None,
    suite: SuiteJson | None = None,
) -> Any:
    """Run suite `name` on its check frame; the GX validation result.

    `context` and `suite` default to the repo's (`_context`, `load_suite_json`); a column
    an expectation names but the frame lacks is left for GX to report (`gate_error`).
    """
    columns = suite_columns(name) if suite is None else columns_of(suite)
    present = [c for c in columns or checks.columns if c in checks.columns]
    frame = checks.select(present).to_pandas()
    with _GX_LOCK:
        context = _context() if context is None else context
        definition = context.data_sources.get("bpw").get_asset(name).get_batch_definition(name)
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
    indexes = (result.result or {}).get("unexpected_index_list") or []
    return [int(entry["check_row"]) for entry in indexes]


GATE_ERROR = "gate_error"
GATE_ERROR_HINT = (
    "The quality gate could not check this file (a broken expectation or a Great "
    "Expectations error), so it is not loaded; report it to whoever maintains "
    "expectations/suites/, then run again."
)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _raised(result: Any) -> str | None:
    """The message of the exception GX recorded for `result`, if one was raised.

    GX 1.x keeps either one {raised_exception, exception_message, …} dict or one such
    dict per metric it tried to compute."""
    info = result.exception_info or {}
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message") or "an exception without a message")
    return None


def gate_error_findings(
    name: str,
    checks: pl.DataFrame,
    what: str,
    column: str | None = None,
    value: str | None = None,
) -> pl.DataFrame:
    """One `gate_error` per file of check frame `checks`: the gate failed closed (the file
    names are joined by `gate_checks`)."""
    files = checks.select("source_file_id").unique(maintain_order=True)
    return files.select(
        pl.col("source_file_id").cast(pl.Int64),
        pl.lit(None, pl.String).alias("file_name"),
        pl.lit(name).alias("suite"),
        pl.lit(GATE_ERROR).alias("rule"),
        pl.lit("error").alias("severity"),
        pl.lit(None, pl.Int32).alias("source_row"),
        pl.lit(column, pl.String).alias("column"),
        pl.lit(value, pl.String).alias("value"),
        pl.lit(_one_line(f"suite {name}: {what}")).alias("message"),
        pl.lit(GATE_ERROR_HINT).alias("hint"),
    )


def _gate_error_for(name: str, checks: pl.DataFrame, result: Any) -> pl.DataFrame:
    """`gate_error` findings for an expectation that raised or failed without rows."""
    config = result.expectation_config
    raised = _raised(result)
    observed = None if raised else (result.result or {}).get("observed_value")
    if raised is not None:
        what = f"{config.type} raised: {raised}"
    else:
        what = f"{config.type} failed without naming any row"
        what += f" (observed {observed!r})" if observed is not None else ""
    value = None if observed is None else str(observed)
    return gate_error_findings(name, checks, what, config.kwargs.get("column"), value)


def findings_for(name: str, checks: pl.DataFrame, validation: Any) -> pl.DataFrame:
    """Turn one suite's failed expectations into findings (file, rule, row, value…).

    Fails closed: an expectation that raised inside GX, or failed without naming the
    rows at fault, gives every file of the frame a `gate_error` finding."""
    parts = [empty_findings()]
    for result in validation.results:
        if result.success:
            continue
        config = result.expectation_config
        rows = checks.filter(pl.col("check_row").is_in(_failed_rows(result)))
        if _raised(result) is not None or rows.is_empty():
            parts.append(_gate_error_for(name, checks, result))
            continue
        meta = config.meta or {}
        column = config.kwargs.get("column")
        severity = "warning" if str(config.severity.value) == "warning" else "error"
        parts.append(
            rows.select(
                "source_file_id",
                pl.lit(None, pl.String).alias("file_name"),  # joined by `gate_checks`
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


def _stacked(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """One suite's check frames (of several chunks) as one, `check_row` renumbered."""
    present = [frame for frame in frames if not frame.is_empty()]
    same = all(frame.schema == present[0].schema for frame in present)
    stacked = (
        present[0]
        if len(present) == 1
        else pl.concat(present, how="vertical" if same else "diagonal_relaxed")
    )
    return stacked.drop("check_row", strict=False).with_row_index("check_row")


def gate_checks(
    checks: Mapping[str, Sequence[pl.DataFrame]],
    files: pl.DataFrame,
    suites: Mapping[str, SuiteJson] | None = None,
) -> pl.DataFrame:
    """All findings for the check frames `checks` (per suite, e.g. one per chunk of
    files), sorted by file, row and rule; `files` names the files (`source_file_id`,
    `file_name`). Each suite is validated once, over its frames stacked.

    `suites` (default: the repo's) replaces the suites run, one per check frame. The
    gate fails closed: a suite that cannot be built or whose validation raises gives
    every file of its check frame a `gate_error` finding, as `findings_for` does for
    an expectation that raised or failed without naming rows."""
    parts = [empty_findings()]
    try:
        context: Any = _context() if suites is None else build_context(suites)
    except Exception as exc:  # a suite GX cannot even build: no frame is checked
        context = exc
    for name in CHECK_BUILDERS:
        if not any(not frame.is_empty() for frame in checks.get(name, ())):
            continue
        stacked = _stacked(checks[name])
        try:
            if isinstance(context, Exception):
                raise context
            validation = validate_frame(
                name, stacked, context, None if suites is None else suites[name]
            )
        except Exception as exc:  # fail closed: nothing in this frame was checked
            what = f"validation raised {type(exc).__name__}: {exc}"
            parts.append(gate_error_findings(name, stacked, what))
            continue
        parts.append(findings_for(name, stacked, validation))
        del stacked
    findings = pl.concat(parts, how="vertical_relaxed")
    names = files.select(
        pl.col("source_file_id").cast(pl.Int64), pl.col("file_name").cast(pl.String)
    ).unique("source_file_id", keep="first")
    findings = findings.drop("file_name").join(
        names, on="source_file_id", how="left", maintain_order="left"
    )
    return findings.select(list(FINDING_SCHEMA)).sort(
        "source_file_id", "source_row", "rule", nulls_last=True, maintain_order=True
    )


def run_gate(frames: Frames, suites: Mapping[str, SuiteJson] | None = None) -> pl.DataFrame:
    """All findings for all files in `frames`, sorted by file, row and rule: their check
    frames built and validated at once (`check_frames`, `gate_checks`)."""
    checks = check_frames(frames, suites)
    return gate_checks({name: [frame] for name, frame in checks.items()}, frames.files, suites)


def rejected_file_ids(findings: pl.DataFrame) -> set[int]:
    """Files with at least one error-severity finding."""
    errors = findings.filter(pl.col("severity") == "error")
    return set(errors["source_file_id"].to_list())
