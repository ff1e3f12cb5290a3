"""Check frames: one per suite, the columns each rule looks at, computed in polars.

Great Expectations has no "a = b + c" rule, so sums and differences are computed here
exactly (on decimals) and the suites only test the resulting columns.
Every check frame has `check_row` (its own row number) so a failure traces back to
file, source row and a readable value.
"""

from __future__ import annotations

import polars as pl

from expectations.eval_checks import execution_checks, result_checks
from transforms.normalize import Frames

ROUNDING_PER_PROJECT = 0.005
MIN_ROUNDING = 0.01


def _money(expr: pl.Expr) -> pl.Expr:
    """Decimal 万元 → text with the trailing zeros beyond cents dropped (for messages)."""
    return expr.cast(pl.String).str.replace(r"(\.\d\d\d*?)0+$", "$1").fill_null("空")


def _with_file(frame: pl.DataFrame, files: pl.DataFrame) -> pl.DataFrame:
    return frame.join(
        files.select("source_file_id", "file_name"), on="source_file_id", how="left"
    ).with_row_index("check_row")


def project_checks(frames: Frames) -> pl.DataFrame:
    """One row per project: required fields, amounts, fund-source sum, indicators, duplicates."""
    p = frames.projects
    sources = pl.col("fiscal_amount") + pl.col("special_account_amount") + pl.col("other_amount")
    checks = p.select(
        "source_file_id",
        "source_row",
        pl.when(pl.col("project_name").str.strip_chars() != "").then("project_name")
        .alias("project_name"),
        pl.col("total_amount").cast(pl.Float64).alias("total_amount"),
        pl.min_horizontal(
            "total_amount", "fiscal_amount", "special_account_amount", "other_amount"
        ).cast(pl.Float64).alias("min_amount"),
        (pl.col("total_amount") - sources).cast(pl.Float64).alias("fund_gap"),
        pl.when(pl.col("bad_amount_roles").list.len() > 0)
        .then(pl.col("bad_amount_roles").list.join(","))
        .alias("bad_amount"),
        pl.when(pl.col("typed_amount_roles").list.len() > 0)
        .then(pl.col("typed_amount_roles").list.join(","))
        .alias("typed_amount"),
        pl.when(pl.col("performance_goal").str.strip_chars() != "").then("performance_goal")
        .alias("performance_goal"),
        "n_indicators",
        pl.len().over("source_file_id", "unit_id", "project_id").alias("times_in_unit"),
        pl.concat_str(
            pl.lit("总计 "), _money(pl.col("total_amount")), pl.lit(" ≠ 财政拨款 "),
            _money(pl.col("fiscal_amount")), pl.lit(" + 财政专户拨款 "),
            _money(pl.col("special_account_amount")), pl.lit(" + 其他资金 "),
            _money(pl.col("other_amount")),
        ).alias("fund_detail"),
        pl.concat_str(
            pl.col("total_text"), pl.lit(" | "), pl.col("fiscal_text"), pl.lit(" | "),
            pl.col("special_text"), pl.lit(" | "), pl.col("other_text"),
        ).alias("amount_texts"),
        pl.col("project_name").alias("project_label"),
        pl.col("unaccounted"),
        pl.concat_str(
            pl.col("project_name"), pl.lit(": "), pl.col("unaccounted")
        ).alias("unaccounted_detail"),
    )
    return _with_file(checks, frames.files)


def indicator_checks(frames: Frames) -> pl.DataFrame:
    """One row per indicator: structure, known categories, level-2 under its level-1."""
    i = frames.indicators.join(
        frames.projects.select("source_file_id", "source_row", "project_name"),
        on=["source_file_id", "source_row"],
        how="left",
    )
    checks = i.select(
        "source_file_id",
        "source_row",
        "indicator_seq",
        pl.col("unstructured"),
        pl.col("category_code"),
        (
            (pl.col("level1_code_by_name") == pl.col("category_code").str.slice(0, 1))
            # 财政部's 2015 template files 满意度 as a level-2 under 效益 (效果) 指标
            | ((pl.col("level1_code_by_name") == "2") & (pl.col("category_code") == "31"))
        )
        .fill_null(True)
        .alias("level2_under_level1"),
        pl.col("level1_code_raw").is_in(["1", "2", "3"]).fill_null(True).alias("known_level1"),
        (
            pl.col("level2_code_raw").is_null()
            | ~pl.col("level2_code_raw").str.contains(r"^\d\d$")
            | (pl.col("level2_code_raw") == pl.col("category_code"))
        ).fill_null(False).alias("known_level2_code"),
        pl.col("level1_code_mismatch"),
        pl.any_horizontal(
            pl.col("period_target_kind") == "placeholder",
            pl.col("annual_target_kind") == "placeholder",
        ).fill_null(False).alias("placeholder_target"),
        pl.col("record").alias("value_text"),
        pl.concat_str(
            pl.col("level1_code_raw").fill_null(""), pl.lit("-"),
            pl.col("level1_name_raw").fill_null(""), pl.lit(" / "),
            pl.col("level2_code_raw").fill_null(""), pl.lit("-"),
            pl.col("level2_name_raw").fill_null(""),
        ).alias("level_text"),
        pl.concat_str(
            pl.col("project_name"), pl.lit(" / "),
            pl.col("indicator_name").fill_null(pl.col("record")),
            pl.lit(": "), pl.col("period_target_text").fill_null(""),
            pl.lit(" | "), pl.col("annual_target_text").fill_null(""),
        ).alias("target_text"),
        pl.col("project_name").alias("project_label"),
    ).with_columns(
        pl.when(pl.col("unstructured")).then(pl.lit("unstructured"))
        .otherwise(pl.col("category_code")).alias("category_code")
    )
    return _with_file(checks, frames.files)


def total_checks(frames: Frames) -> pl.DataFrame:
    """One row per declared total against what it sums: a unit's subtotal against its
    projects; every 合计 row against the unit subtotals (or the projects when there are
    no units). Each declared amount must be a number, and a table's 合计 rows must agree."""
    projects, units = frames.projects, frames.units
    totals = frames.totals if frames.totals.width else _no_totals(units)
    per_unit = projects.group_by("source_file_id", "unit_id").agg(
        pl.col("total_amount").sum().alias("computed"), pl.len().alias("n_parts")
    )
    parts = pl.concat(
        [
            units.select("source_file_id", "total_amount"),
            projects.filter(~pl.col("source_file_id").is_in(units["source_file_id"].implode()))
            .select("source_file_id", "total_amount"),
        ]
    ).group_by("source_file_id").agg(
        pl.col("total_amount").sum().alias("computed"), pl.len().alias("n_parts")
    )
    first_grand = pl.col("declared").first().over("source_file_id", order_by="source_row")
    declared_grand = totals.select(
        "source_file_id",
        "source_row",
        pl.col("label"),
        pl.col("total_amount").alias("declared"),
        pl.col("total_text").alias("declared_text"),
        "bad_amount_roles",
    ).with_columns(
        pl.when(pl.col("declared") != first_grand)
        .then(
            pl.format("{} declared {} here but {} above", pl.col("label"),
                      _money(pl.col("declared")), _money(first_grand))
        )
        .alias("disagreement")
    ).join(parts, on="source_file_id", how="left")
    declared_units = units.select(
        "source_file_id", "source_row", "unit_id",
        pl.col("unit_name").alias("label"), pl.col("total_amount").alias("declared"),
        pl.col("total_text").alias("declared_text"), "bad_amount_roles",
    ).join(per_unit, on=["source_file_id", "unit_id"], how="left").drop("unit_id")
    both = pl.concat([declared_grand, declared_units], how="diagonal_relaxed")
    gap = (pl.col("declared") - pl.col("computed").fill_null(0)).cast(pl.Float64)
    tolerance = pl.max_horizontal(
        pl.lit(MIN_ROUNDING), pl.col("n_parts").fill_null(0) * ROUNDING_PER_PROJECT
    )
    checks = both.select(
        "source_file_id",
        "source_row",
        # the warning covers only gaps within rounding; the error covers the rest
        pl.when(gap.abs() <= tolerance).then(gap).otherwise(0.0).alias("rounding_gap"),
        (gap.abs() - tolerance).round(6).alias("gap_beyond_rounding"),
        pl.concat_str(
            pl.col("label"), pl.lit(" declared "), _money(pl.col("declared")),
            pl.lit(", its parts sum to "), _money(pl.col("computed").fill_null(0)),
        ).alias("total_detail"),
        pl.when(pl.col("bad_amount_roles").list.len() > 0)
        .then(pl.col("bad_amount_roles").list.join(","))
        .alias("bad_amount"),
        pl.concat_str(pl.col("label"), pl.lit(": "), pl.col("declared_text").fill_null(""))
        .alias("declared_text"),
        pl.col("disagreement"),
        pl.col("label").alias("project_label"),
    )
    return _with_file(checks, frames.files)


def _no_totals(units: pl.DataFrame) -> pl.DataFrame:
    """An empty totals frame (frames built without one) with the columns used here."""
    return units.clear().select(
        "source_file_id", "source_row", pl.col("unit_name").alias("label"),
        "total_amount", "total_text", "bad_amount_roles",
    )


def cell_checks(frames: Frames) -> pl.DataFrame:
    """One row per group of body cells no parsed field holds (a recorded note)."""
    unread = frames.unread
    if not unread.width:
        unread = pl.DataFrame(
            schema={"source_file_id": pl.Int64, "source_row": pl.Int32, "column": pl.String,
                    "text": pl.String}
        )
    checks = unread.select(
        "source_file_id",
        "source_row",
        pl.concat_str(pl.col("column"), pl.lit(": "), pl.col("text")).alias("unread"),
        pl.col("column").alias("project_label"),
    )
    return _with_file(checks, frames.files)


CHECK_BUILDERS = {
    "projects": project_checks,
    "indicators": indicator_checks,
    "totals": total_checks,
    "cells": cell_checks,
    "executions": execution_checks,
    "results": result_checks,
}
