"""Check frames for 自评表 batches (`self_evaluation`): one row per project's budget
execution (`execution_checks`) and one per indicator result (`result_checks`).

Each rule is a column that is NULL when the row passes and otherwise holds the text a
user reads (the suites in `expectations/suites/executions.json` and `results.json`
expect those columns to be null, with the rule's severity).
"""

from __future__ import annotations

import polars as pl

from transforms.normalize import Frames

SCORE_TOLERANCE = 1e-6


def _num(expr: pl.Expr | str) -> pl.Expr:
    """A number for a message: 100.0 → '100', 99.61 → '99.61'."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    return expr.round(4).cast(pl.String).str.replace(r"\.0+$", "").str.replace(r"(\.\d*?)0+$", "$1")


def _rate_tolerance(text: pl.Expr) -> pl.Expr:
    """Half a unit of the last printed digit of the 执行率 (in percentage points): 100.00%
    → 0.005; 100% → 0.5; a fraction 0.9961 (two digits fewer in percent) → 0.005."""
    cleaned = text.str.strip_chars()
    decimals = cleaned.str.extract(r"\.(\d+)", 1).str.len_chars().fill_null(0).cast(pl.Int32)
    percent_decimals = pl.when(cleaned.str.ends_with("%")).then(decimals).otherwise(decimals - 2)
    return pl.lit(0.5) * pl.lit(10.0).pow(-percent_decimals.cast(pl.Float64)) + 1e-9


def _with_file(frame: pl.DataFrame, files: pl.DataFrame) -> pl.DataFrame:
    return frame.join(
        files.select("source_file_id", "file_name"), on="source_file_id", how="left"
    ).with_row_index("check_row")


def execution_checks(frames: Frames) -> pl.DataFrame:
    """One row per 自评表 project: amounts numbers, 执行率 consistent, scores in range."""
    e = frames.executions
    if not e.width or e.is_empty():
        return pl.DataFrame()
    computed = (pl.col("executed_amount") / pl.col("adjusted_budget_amount")).cast(pl.Float64) * 100
    rate_gap = (pl.col("execution_rate") - computed).abs()
    parts = pl.col("execution_weight").fill_null(0) + pl.col("weight_sum").fill_null(0)
    score_parts = pl.col("execution_score").fill_null(0) + pl.col("score_sum").fill_null(0)
    checks = e.select(
        "source_file_id",
        pl.coalesce("budget_row", "source_row").alias("source_row"),
        pl.when(pl.col("bad_amount_roles").list.len() > 0)
        .then(
            pl.concat_str(
                pl.col("bad_amount_roles").list.join(","), pl.lit(": "),
                pl.concat_str("initial_text", "adjusted_text", "executed_text", separator=" | "),
            )
        )
        .alias("bad_execution_amount"),
        pl.when(pl.col("executed_amount").is_null() & pl.col("bad_amount_roles").list.len().eq(0))
        .then(pl.col("project_name"))
        .alias("execution_not_reported"),
        pl.when(
            pl.col("execution_rate").is_not_null()
            & pl.col("adjusted_budget_amount").cast(pl.Float64).ne(0)
            & (rate_gap > _rate_tolerance(pl.col("rate_text")))
        )
        .then(
            pl.format(
                "执行率 {} but 执行数 {} / 预算数 {} = {}%", pl.col("rate_text"),
                _num(pl.col("executed_amount").cast(pl.Float64)),
                _num(pl.col("adjusted_budget_amount").cast(pl.Float64)), _num(computed),
            )
        )
        .alias("rate_inconsistent"),
        pl.when(pl.col("execution_score") > pl.col("execution_weight") + SCORE_TOLERANCE)
        .then(
            pl.format("得分 {} > 分值 {}", _num(pl.col("execution_score")),
                      _num(pl.col("execution_weight")))
        )
        .alias("execution_score_over_weight"),
        pl.when((pl.col("total_score") - score_parts).abs() > SCORE_TOLERANCE)
        .then(pl.format("总分 {} ≠ 得分之和 {}", _num(pl.col("total_score")), _num(score_parts)))
        .alias("total_score_mismatch"),
        pl.when((pl.col("weight_total") - parts).abs() > SCORE_TOLERANCE)
        .then(pl.format("合计 {} ≠ 分值之和 {}", _num(pl.col("weight_total")), _num(parts)))
        .alias("weight_total_mismatch"),
        pl.col("template_prompts").alias("template_prompt"),
    )  # fmt: skip
    return _with_file(checks, frames.files)


def result_checks(frames: Frames) -> pl.DataFrame:
    """One row per 自评表 indicator: numbers where numbers belong, scores ≤ weights,
    actuals reported, units comparable."""
    r = frames.results
    if not r.width or r.is_empty():
        return pl.DataFrame()
    label = pl.concat_str(pl.col("indicator_name").fill_null("?"), pl.lit(": "))
    checks = r.select(
        "source_file_id",
        pl.coalesce("indicator_row", "source_row").cast(pl.Int32).alias("source_row"),
        pl.when(pl.col("weight_text").is_not_null() & pl.col("weight").is_null())
        .then(pl.concat_str(label, pl.col("weight_text")))
        .alias("weight_not_number"),
        pl.when(pl.col("score_text").is_not_null() & pl.col("score").is_null())
        .then(pl.concat_str(label, pl.col("score_text")))
        .alias("score_not_number"),
        pl.when(pl.col("score") > pl.col("weight") + SCORE_TOLERANCE)
        .then(pl.format("{}得分 {} > 分值 {}", label, _num("score"), _num("weight")))
        .alias("score_over_weight"),
        pl.when(pl.col("attainment") == "not_reported")
        .then(pl.concat_str(label, pl.col("annual_target_text").fill_null("")))
        .alias("actual_not_reported"),
        pl.when(pl.col("attainment") == "unit_mismatch")
        .then(
            pl.concat_str(label, "annual_target_text", pl.lit(" vs "), "actual_text")
        )
        .alias("unit_mismatch"),
    )  # fmt: skip
    return _with_file(checks, frames.files)
