"""Lake table schemas: the columns the views rely on, with their exact types.

Frames from `transforms` may carry more columns; those are kept (raw text stays next
to every parsed value). Known columns are cast to these types so every year file
agrees (DECIMAL(18,6) amounts, INTEGER year, times in UTC); nested columns are dropped.
Keys the views match by are computed here, once, when rows are written (`KEYS`): a lake
file written before a key was stored lacks it, and staging computes it for those rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import polars as pl

from transforms.identity import indicator_key

AMOUNT = pl.Decimal(18, 6)
UTC_TIME = pl.Datetime("us", "UTC")  # a moment; DuckDB reads it as TIMESTAMPTZ
FACT_TABLES = ("units", "projects", "indicators", "findings", "executions", "results")
# tables a lake published before 自评表 were read lacks (its manifest lists no files)
LATER_TABLES = ("executions", "results")
SOURCE_FILES = "source_files"
ALL_TABLES = (*FACT_TABLES, SOURCE_FILES)

_FUNDS = {
    "total_amount": AMOUNT,
    "fiscal_amount": AMOUNT,
    "special_account_amount": AMOUNT,
    "other_amount": AMOUNT,
    "total_text": pl.String,
    "fiscal_text": pl.String,
    "special_text": pl.String,
    "other_text": pl.String,
}
_KEYS = {
    "source_file_id": pl.Int64,
    "source_row": pl.Int32,
    "year": pl.Int32,
    "department_id": pl.Int64,
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "units": {**_KEYS, "unit_id": pl.Int64, "unit_name": pl.String, **_FUNDS},
    "projects": {
        **_KEYS,
        "department_name": pl.String,
        "unit_id": pl.Int64,
        "unit_name": pl.String,
        "project_id": pl.Int64,
        "project_name": pl.String,
        "project_family": pl.String,
        **_FUNDS,
        "performance_goal": pl.String,
        "indicator_text": pl.String,
        "n_indicators": pl.Int32,
    },
    "indicators": {
        **_KEYS,
        "unit_id": pl.Int64,
        "project_id": pl.Int64,
        "record": pl.String,
        "indicator_pos": pl.Int32,
        "indicator_seq": pl.Int32,
        "category_code": pl.String,
        "level1_code": pl.String,
        "indicator_name": pl.String,
        "indicator_key": pl.String,  # stored at load (`transforms.identity.indicator_key`)
        **{
            f"{when}_target_{part}": kind
            for when in ("period", "annual")
            for part, kind in (
                ("text", pl.String),
                ("op", pl.String),
                ("value", pl.Float64),
                ("unit", pl.String),
                ("kind", pl.String),
            )
        },
    },
    "executions": {
        **_KEYS,
        "department_name": pl.String,
        "unit_id": pl.Int64,
        "unit_name": pl.String,
        "project_id": pl.Int64,
        "project_name": pl.String,
        "initial_budget_amount": AMOUNT,
        "adjusted_budget_amount": AMOUNT,
        "executed_amount": AMOUNT,
        "execution_rate": pl.Float64,
        "execution_weight": pl.Float64,
        "execution_score": pl.Float64,
        "total_score": pl.Float64,
        "initial_text": pl.String,
        "adjusted_text": pl.String,
        "executed_text": pl.String,
        "rate_text": pl.String,
        "execution_reason": pl.String,
        "performance_goal": pl.String,
        "template_prompts": pl.String,
        "n_indicators": pl.Int32,
        "details": pl.String,
    },
    "results": {
        **_KEYS,
        "unit_id": pl.Int64,
        "project_id": pl.Int64,
        "record": pl.String,
        "indicator_pos": pl.Int32,
        "indicator_seq": pl.Int32,
        "category_code": pl.String,
        "indicator_name": pl.String,
        "indicator_key": pl.String,
        "annual_target_text": pl.String,
        "annual_target_op": pl.String,
        "annual_target_value": pl.Float64,
        "annual_target_unit": pl.String,
        "annual_target_kind": pl.String,
        "actual_text": pl.String,
        "actual_value": pl.Float64,
        "actual_unit": pl.String,
        "weight": pl.Float64,
        "score": pl.Float64,
        "deviation_reason": pl.String,
        "direction_text": pl.String,
        "attainment": pl.String,
    },
    "findings": {
        "source_file_id": pl.Int64,
        "file_name": pl.String,
        "year": pl.Int32,
        "department_id": pl.Int64,
        "rule": pl.String,
        "severity": pl.String,
        "source_row": pl.Int32,
        "column": pl.String,
        "value": pl.String,
        "message": pl.String,
        "run_id": pl.String,
    },
    "source_files": {
        "source_file_id": pl.Int64,
        "file_name": pl.String,
        "file_path": pl.String,
        "sha256": pl.String,
        "year": pl.Int32,
        "department_id": pl.Int64,
        "department_name": pl.String,
        "status": pl.String,
        "loaded_at": UTC_TIME,
        "superseded_at": UTC_TIME,
        "superseded_by": pl.Int64,
        "declared_total_amount": AMOUNT,
        "amount_unit": pl.String,
        "encoding": pl.String,
        "sheet": pl.String,
        "file_size": pl.Int64,
        "file_mtime": pl.Float64,
        "run_id": pl.String,
        "archive_path": pl.String,
        "is_synthetic": pl.Boolean,
        "rows_dropped_at": UTC_TIME,
        "batch_kind": pl.String,  # targets (目标表) or self_evaluation (自评表)
    },
}

# stored key column → (the column it is computed from, how); used when a frame lacks it
KEYS: dict[str, tuple[str, Callable[[pl.Expr], pl.Expr]]] = {
    "indicator_key": ("indicator_name", indicator_key),
}
_NESTED = (pl.List, pl.Array, pl.Struct, pl.Object)


def local_zone() -> str:
    """This machine's time zone, as polars names it: $TZ or /etc/localtime's zone name,
    else the current UTC offset."""
    named = os.environ.get("TZ", "").lstrip(":")
    if not named:
        target = str(Path("/etc/localtime").resolve())
        named = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    if named:
        return named
    offset = datetime.now().astimezone().utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _cast(name: str, source: pl.DataType, kind: pl.DataType) -> pl.Expr:
    """Cast one column; a naive time (a lake written before bpw recorded UTC holds local
    wall-clock times) is read as this machine's local time, then converted to UTC."""
    if (
        isinstance(kind, pl.Datetime)
        and kind.time_zone
        and isinstance(source, pl.Datetime)
        and not source.time_zone
    ):
        local = pl.col(name).dt.replace_time_zone(local_zone(), ambiguous="earliest")
        return local.dt.convert_time_zone(kind.time_zone).cast(kind)
    return pl.col(name).cast(kind)


def conform(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Known columns first, cast to their lake type (a missing key computed, other missing
    columns as nulls); extras after."""
    schema = SCHEMAS[table]
    keys = {
        name: compute(pl.col(source).cast(pl.String)).alias(name)
        for name, (source, compute) in KEYS.items()
        if name in schema and name not in frame.columns and source in frame.columns
    }
    known = [
        _cast(name, frame.schema[name], kind)
        if name in frame.columns
        else keys[name].cast(kind)
        if name in keys
        else pl.lit(pl.Series(name, [None] * frame.height, dtype=kind))
        for name, kind in schema.items()
    ]
    extras = [
        name
        for name, kind in frame.schema.items()
        if name not in schema and not isinstance(kind, _NESTED) and kind != pl.Null
    ]
    return frame.select(*known, *extras)


def empty(table: str) -> pl.DataFrame:
    """A zero-row frame with the table's schema (views exist before any data does)."""
    return pl.DataFrame(schema=SCHEMAS[table])
