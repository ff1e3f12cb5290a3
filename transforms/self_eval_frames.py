"""`self_evaluation` batches → the warehouse's execution and result frames, vectorized
over every file of a run: exact 万元 amounts, 执行率 in percent, targets and actuals
split into op / value / unit, attainment decided (`transforms.attainment`).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms.amounts import AMOUNT_DTYPE, is_bad_amount, parse_amount, parse_typed_amount
from transforms.attainment import attainment
from transforms.identity import normalized_name, stable_ids
from transforms.indicators import listed_records, normalize_indicators
from transforms.self_eval_batch import EXECUTION_COLUMNS, RESULT_TEXT_COLUMNS, EvalBatch
from transforms.targets import split_target

AMOUNTS = {
    "initial": "initial_budget_amount",
    "adjusted": "adjusted_budget_amount",
    "executed": "executed_amount",
}
KEYS = ["source_file_id", "source_row", "year", "department_id", "unit_id", "project_id"]
_NUMBER = r"^-?\d+(?:\.\d+)?$"


def number(text: pl.Expr) -> pl.Expr:
    """A score or weight cell as a number; blank, `/` or words → null."""
    cleaned = text.str.normalize("NFKC").str.replace_all(r"[,\s分]", "")
    return pl.when(cleaned.str.contains(_NUMBER)).then(cleaned).cast(pl.Float64, strict=False)


def rate_percent(text: pl.Expr) -> pl.Expr:
    """执行率 in percent: `100.00%` → 100.0; a fraction from a percent-formatted workbook
    cell (`0.9961`) → 99.61; a bare number above 1.5 is already percent."""
    cleaned = text.str.normalize("NFKC").str.replace_all(r"[,\s]", "")
    percent = cleaned.str.ends_with("%")
    value = cleaned.str.strip_suffix("%").cast(pl.Float64, strict=False)
    return pl.when(percent | (value > 1.5)).then(value).otherwise(value * 100)


def _stacked(frames: list[pl.DataFrame], ids: list[int], schema: dict) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema={"source_file_id": pl.Int64, **schema})
    heights = [frame.height for frame in frames]
    return pl.concat(frames, how="vertical").with_columns(
        pl.Series("source_file_id", np.repeat(np.asarray(ids, dtype=np.int64), heights))
    )


def _executions(stacked: pl.DataFrame, files: pl.DataFrame) -> pl.DataFrame:
    meta = files.select(
        "source_file_id", "year", "department_name", "department_key", "amount_unit"
    )
    rows = stacked.join(meta, on="source_file_id", how="left")
    unit = pl.col("amount_unit")
    amounts = [
        pl.coalesce(
            parse_amount(pl.col(f"{role}_text"), unit),
            parse_typed_amount(pl.col(f"{role}_text"), unit),
        ).alias(column)
        for role, column in AMOUNTS.items()
    ]
    bad = pl.concat_list(
        [pl.when(is_bad_amount(pl.col(f"{r}_text"), unit)).then(pl.lit(r)) for r in AMOUNTS]
    ).list.drop_nulls()
    rows = rows.with_columns(
        *amounts,
        bad.alias("bad_amount_roles"),
        rate_percent(pl.col("rate_text")).alias("execution_rate"),
        number(pl.col("execution_weight_text")).alias("execution_weight"),
        number(pl.col("execution_score_text")).alias("execution_score"),
        number(pl.col("total_score_text")).alias("total_score"),
        number(pl.col("weight_total_text")).alias("weight_total"),
        normalized_name(pl.col("unit_name")).alias("unit_key"),
        normalized_name(pl.col("project_name")).alias("name_key"),
    )
    return rows.with_columns(
        stable_ids(rows, ["department_key"], "department").alias("department_id"),
        stable_ids(rows, ["department_key", "unit_key"], "unit").alias("unit_id"),
        stable_ids(rows, ["department_key", "name_key"], "project").alias("project_id"),
    ).drop("unit_key", "name_key", "department_key")


def _results(stacked: pl.DataFrame, executions: pl.DataFrame) -> pl.DataFrame:
    listed = stacked.with_columns(pl.col("annual").alias("period"))
    records = listed_records(
        listed.select("source_file_id", "source_row", "indicator_row", "indicator_pos",
                      "record", "level1_text", "level2_text", "name", "period", "annual"),
        executions, KEYS,
    )  # fmt: skip
    indicators = normalize_indicators(records).drop(
        [c for c in ("period_target_text", "period_target_op", "period_target_value",
                     "period_target_unit", "period_target_kind") if c]
    )  # fmt: skip
    extras = stacked.select(
        "source_file_id", "source_row", "indicator_pos", "indicator_row", "actual_text",
        "weight_text", "score_text", "deviation_reason", "direction_text", "op_text",
    )  # fmt: skip
    actual = split_target(pl.col("actual_text"))
    frame = indicators.join(
        extras, on=["source_file_id", "source_row", "indicator_pos"], how="left"
    ).with_columns(
        actual.struct.field("value").alias("actual_value"),
        actual.struct.field("unit").alias("actual_unit"),
        number(pl.col("weight_text")).alias("weight"),
        number(pl.col("score_text")).alias("score"),
    )
    return frame.with_columns(
        attainment(
            pl.col("annual_target_kind"), pl.col("annual_target_op"),
            pl.col("annual_target_value"), pl.col("annual_target_unit"),
            pl.col("actual_text"), pl.col("actual_value"), pl.col("actual_unit"),
            pl.col("direction_text"),
        ).alias("attainment")
    )  # fmt: skip


def evaluation_frames(
    batches: list[tuple[int, EvalBatch]], files: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(executions, results) of every (source_file_id, batch) given, with stable ids
    (the same project gets the same `project_id` as in its 目标表). No 自评表 in the run:
    two frames without columns, at no cost (the lake writes its empty tables then)."""
    if not batches:
        return pl.DataFrame(), pl.DataFrame()
    ids = [file_id for file_id, _ in batches]
    executions = _executions(
        _stacked([b.executions for _, b in batches], ids, EXECUTION_COLUMNS), files
    )
    stacked = _stacked([b.results for _, b in batches], ids, RESULT_TEXT_COLUMNS)
    results = _results(stacked, executions)
    counts = results.group_by("source_file_id", "source_row").agg(
        pl.len().cast(pl.Int32).alias("n_indicators"),
        pl.col("weight").sum().alias("weight_sum"),
        pl.col("score").sum().alias("score_sum"),
        pl.col("score").count().alias("n_scored"),
    )
    executions = executions.join(counts, on=["source_file_id", "source_row"], how="left")
    executions = executions.with_columns(pl.col("n_indicators").fill_null(0))
    return executions.with_columns(pl.col(c).cast(AMOUNT_DTYPE) for c in AMOUNTS.values()), results
