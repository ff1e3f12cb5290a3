"""Packed indicator cells → one row per indicator, vectorized over every project at once.

A packed cell (the summary layout) is split by `transforms.packed`, which also checks
that its records account for all of its text.

A long-layout table lists its indicators one per row instead (`listed_records`); both
paths yield the same raw-record columns, so `normalize_indicators` treats them alike.
"""

from __future__ import annotations

import polars as pl

from transforms.categories import category_code_of, level1_code_of
from transforms.long_layout import INDICATOR_EXTRAS
from transforms.packed import split_packed_cells
from transforms.targets import split_target

# `11-数量指标`, `1.1 数量指标`, `1.数量指标`, `数量指标` → code (or null), name
_LEVEL = r"(?s)^\s*(?:(?P<code>\d+(?:\.\d+)*)\s*[-.、．:：\s]?\s*)?(?P<name>.*?)\s*$"
# a level-2 code whose first digit is its level-1 code: 12, 1.2 (not 1, 2 … per level 1)
_LEVEL2_CODE = r"^(\d)(?:\d|\.\d+)$"


def split_packed(
    projects: pl.DataFrame, keys: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Explode each project's packed `indicator_text` into raw indicator records.

    Returns (records, unaccounted): records hold `keys` + indicator_pos (1-based
    position in the cell), record (raw text) and the captured groups (null where a
    record is unparsable: the gate rejects it); unaccounted holds the first two keys
    (file, row) and why a cell's records do not account for all of its text
    (`transforms.packed`), only for the cells that break that law.
    """
    cells = (
        projects.select(*keys, "indicator_text")
        .filter(pl.col("indicator_text").str.strip_chars() != "")
        .with_row_index("cell_id")
    )
    records, unaccounted = split_packed_cells(cells.select("cell_id", "indicator_text"))
    by_cell = cells.select("cell_id", *keys)
    records = records.join(by_cell, on="cell_id", how="left").select(
        *keys, pl.exclude("cell_id", *keys)
    )
    unaccounted = unaccounted.join(by_cell, on="cell_id", how="left").select(
        *keys[:2], "unaccounted"
    )
    return records, unaccounted


def _level_parts(text: pl.Expr, prefix: str) -> list[pl.Expr]:
    """A level cell's code and name (`1.1 数量指标` → '1.1', '数量指标'); no code → null."""
    parts = text.str.extract_groups(_LEVEL)
    return [
        parts.struct.field("code").alias(f"{prefix}code"),
        pl.when(text.is_not_null()).then(parts.struct.field("name")).alias(f"{prefix}name"),
    ]


def listed_records(listed: pl.DataFrame, projects: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Long-layout records (one per source row) → the columns `split_packed` returns.

    `listed` has source_file_id plus `transforms.long_layout.LISTED_COLUMNS`; it is
    joined to `projects` on (source_file_id, source_row) to pick up the keys.
    """
    return (
        listed.lazy()
        .join(
            projects.lazy().select(keys),
            on=["source_file_id", "source_row"],
            how="inner",
            maintain_order="left",
        )
        .select(
            *keys,
            "record",
            "indicator_pos",
            pl.lit(None, dtype=pl.String).alias("seq"),
            *_level_parts(pl.col("level1_text"), "l1"),
            *_level_parts(pl.col("level2_text"), "l2"),
            "name",
            "period",
            "annual",
            *(name for name in INDICATOR_EXTRAS if name in listed.columns),
        )
        .collect()
    )


def _split_targets(texts: pl.Series) -> pl.DataFrame:
    """`split_target` of each distinct text once (a corpus repeats its target texts a lot):
    text, op, value, unit, kind."""
    distinct = pl.DataFrame({"text": texts.unique()}, schema={"text": pl.String})
    return distinct.with_columns(split_target(pl.col("text")).alias("_t")).unnest("_t")


def _with_targets(frame: pl.LazyFrame, targets: pl.DataFrame, prefix: str) -> pl.LazyFrame:
    """`<prefix>_target_op / _value / _unit / _kind` looked up by `<prefix>_target_text`."""
    names = {"text": f"{prefix}_target_text"} | {
        field: f"{prefix}_target_{field}" for field in ("op", "value", "unit", "kind")
    }
    return frame.join(
        targets.lazy().rename(names),
        on=f"{prefix}_target_text",
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )


def normalize_indicators(records: pl.DataFrame) -> pl.DataFrame:
    """Raw records → indicator rows: canonical category, level-1 check, split targets."""
    level1_from_code = pl.col("level2_code_raw").str.extract(_LEVEL2_CODE, 1)
    targets = _split_targets(pl.concat([records["period"], records["annual"]]))
    indicators = (
        records.lazy()
        .rename(
            {
                "l1code": "level1_code_raw",
                "l1name": "level1_name_raw",
                "l2code": "level2_code_raw",
                "l2name": "level2_name_raw",
                "name": "indicator_name",
                "period": "period_target_text",
                "annual": "annual_target_text",
            }
        )
        .with_columns(
            pl.coalesce(pl.col("seq").cast(pl.Int32, strict=False), pl.col("indicator_pos"))
            .alias("indicator_seq"),
            pl.col("indicator_name").is_null().alias("unstructured"),
        )
        .with_columns(
            category_code_of(pl.col("level2_name_raw")).alias("category_code"),
            level1_code_of(pl.col("level1_name_raw")).alias("level1_code_by_name"),
        )
        .with_columns(
            pl.coalesce(level1_from_code, pl.col("category_code").str.slice(0, 1))
            .alias("level1_code"),
        )
        .with_columns(
            (pl.col("level1_code") != pl.col("level1_code_raw")).fill_null(False)
            .alias("level1_code_mismatch"),
        )
    )
    indicators = _with_targets(_with_targets(indicators, targets, "period"), targets, "annual")
    return indicators.drop("seq").collect()
