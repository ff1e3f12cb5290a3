"""Many files' classified rows → the warehouse's frames, vectorized over all of them.

Output frames (one `Frames`): files, units (subtotal rows), projects, indicators.
Every row carries `source_file_id` and `source_row`, so any failure traces back to
its file and row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from transforms.amounts import AMOUNT_DTYPE, with_amounts
from transforms.identity import normalized_name, source_file_id, stable_ids
from transforms.indicators import listed_records, normalize_indicators, split_packed
from transforms.leftovers import NOTE_COLUMNS
from transforms.long_layout import LISTED_COLUMNS
from transforms.self_eval_frames import evaluation_frames
from transforms.table import SourceFile, TableRows

FUND_COLUMNS = {
    "total": "total_amount",
    "fiscal": "fiscal_amount",
    "special": "special_account_amount",
    "other": "other_amount",
}
_YEAR_SPAN = r"[（(]?(?:19|20)\d{2}\s*(?:[-—－~～至到]\s*(?:19|20)?\d{2,4})?\s*年度?[）)]?"


@dataclass(frozen=True)
class Frames:
    files: pl.DataFrame
    units: pl.DataFrame
    projects: pl.DataFrame
    indicators: pl.DataFrame
    # every declared grand-total row (合计), however many a table has
    totals: pl.DataFrame = field(default_factory=pl.DataFrame)
    # body cells no parsed field holds: recorded as notes (`transforms.leftovers`)
    unread: pl.DataFrame = field(default_factory=pl.DataFrame)
    # 自评表 batches: budget execution per project, actual result per indicator
    executions: pl.DataFrame = field(default_factory=pl.DataFrame)
    results: pl.DataFrame = field(default_factory=pl.DataFrame)

    def for_files(self, ids: set[int]) -> Frames:
        """The subset belonging to the given source files."""
        keep = pl.col("source_file_id").is_in(list(ids))
        return Frames(*(frame.filter(keep) if frame.width else frame for frame in self.tables()))

    def tables(self) -> tuple[pl.DataFrame, ...]:
        return (
            self.files, self.units, self.projects, self.indicators, self.totals, self.unread,
            self.executions, self.results,
        )  # fmt: skip


def source_frame(
    sources: list[SourceFile], years: list[int | None], departments: list[str | None]
) -> pl.DataFrame:
    """One row per file version: id, name, path, hash, size, mtime, year, department."""
    return pl.DataFrame(
        {
            "source_file_id": [source_file_id(s.sha256) for s in sources],
            "file_name": [s.path.name for s in sources],
            "file_path": [str(s.path) for s in sources],
            "sha256": [s.sha256 for s in sources],
            "file_size": [s.size for s in sources],
            "file_mtime": [s.mtime for s in sources],
            "year": years,
            "department_name": departments,
        },
        schema_overrides={
            "source_file_id": pl.Int64, "file_size": pl.Int64, "file_mtime": pl.Float64,
            "year": pl.Int32, "department_name": pl.String,
        },
    )


def files_frame(tables: list[TableRows]) -> pl.DataFrame:
    """One row per file with its metadata, resolved year and department, and whether it
    declares its figures invented (`is_synthetic`)."""
    frame = source_frame(
        [t.source for t in tables], [t.year for t in tables], [t.department_name for t in tables]
    )
    return frame.with_columns(
        pl.Series("amount_unit", [t.amount_unit for t in tables], dtype=pl.String),
        pl.Series("encoding", [t.encoding for t in tables], dtype=pl.String),
        pl.Series("sheet", [t.sheet for t in tables], dtype=pl.String),
        pl.Series("is_synthetic", [t.synthetic for t in tables], dtype=pl.Boolean),
        pl.Series("fund_sources", [t.fund_sources for t in tables], dtype=pl.Boolean),
        pl.Series("batch_kind", [t.kind for t in tables], dtype=pl.String),
    ).with_columns(
        normalized_name(pl.col("department_name")).alias("department_key"),
    )


def _with_file_ids(frames: list[pl.DataFrame], ids: list[int]) -> pl.DataFrame:
    """The frames stacked, each row tagged with its frame's `source_file_id` (one pass)."""
    same = all(frame.columns == frames[0].columns for frame in frames)
    # a card table carries extra columns (details, weights): stacked by name then
    stacked = pl.concat(frames, how="vertical" if same else "diagonal_relaxed", rechunk=True)
    heights = [frame.height for frame in frames]
    return stacked.with_columns(
        pl.Series("source_file_id", np.repeat(np.asarray(ids, dtype=np.int64), heights))
    )


def rows_frame(tables: list[TableRows], files: pl.DataFrame) -> pl.DataFrame:
    """All files' classified rows, with file metadata and exact amounts."""
    rows = _with_file_ids([t.rows for t in tables], files["source_file_id"].to_list())
    rows = rows.join(
        files.select("source_file_id", "year", "department_name", "department_key",
                     "amount_unit", "fund_sources"),
        on="source_file_id",
        how="left",
    )
    return with_amounts(rows, FUND_COLUMNS, "amount_unit").with_columns(
        pl.when(pl.col("fund_sources")).then(
            pl.col(name).fill_null(pl.lit(0).cast(AMOUNT_DTYPE))
        ).otherwise(pl.col(name)).alias(name)  # fmt: skip
        for name in ("fiscal_amount", "special_account_amount", "other_amount")
    ).with_columns(
        normalized_name(pl.col("unit_name")).alias("unit_key"),
        normalized_name(pl.col("name")).alias("name_key"),
    )


def listed_frame(tables: list[TableRows], files: pl.DataFrame) -> pl.DataFrame:
    """Long-layout tables' indicator records (already one per row), with their file ids."""
    ids = files["source_file_id"].to_list()
    listed = [(ids[i], t.indicators) for i, t in enumerate(tables) if t.indicators is not None]
    if not listed:
        return pl.DataFrame(schema={"source_file_id": pl.Int64, **LISTED_COLUMNS}).drop(
            "indicator_row"
        )
    stacked = _with_file_ids([frame for _, frame in listed], [file_id for file_id, _ in listed])
    extras = [name for name in stacked.columns if name not in LISTED_COLUMNS]
    return stacked.select(*extras, *LISTED_COLUMNS).drop("indicator_row")


def project_family(name: pl.Expr) -> pl.Expr:
    """The project's name with year spans dropped: a recurring series groups together."""
    return normalized_name(name).str.replace_all(_YEAR_SPAN, "")


def with_ids(rows: pl.DataFrame) -> pl.DataFrame:
    """department_id, unit_id, project_id from normalized names (stable across years)."""
    return rows.with_columns(
        stable_ids(rows, ["department_key"], "department").alias("department_id"),
        stable_ids(rows, ["department_key", "unit_key"], "unit").alias("unit_id"),
        stable_ids(rows, ["department_key", "name_key"], "project").alias("project_id"),
    )


def normalize(tables: list[TableRows]) -> Frames:
    """The vectorized heart: every table in one go."""
    files = files_frame(tables)
    rows = with_ids(rows_frame(tables, files))
    files = files.join(
        rows.filter(pl.col("row_kind") == "total")
        .group_by("source_file_id")
        .agg(
            pl.col("total_amount").first().alias("declared_total_amount"),
            pl.col("source_row").first().alias("declared_total_row"),
            pl.col("total_text").first().alias("declared_total_text"),
        ),
        on="source_file_id",
        how="left",
    ).with_columns(
        rows.select("source_file_id", "department_id").unique("source_file_id")
        .join(files.select("source_file_id"), on="source_file_id", how="right")["department_id"]
    )
    totals = rows.filter(pl.col("row_kind") == "total").select(
        "source_file_id", "source_row", pl.col("name").alias("label"),
        *FUND_COLUMNS.values(), *(f"{r}_text" for r in FUND_COLUMNS), "bad_amount_roles",
    )
    units = rows.filter(pl.col("row_kind") == "unit").select(
        "source_file_id", "source_row", "year", "department_id", "unit_id",
        pl.col("name").alias("unit_name"),
        *FUND_COLUMNS.values(), *(f"{r}_text" for r in FUND_COLUMNS), "bad_amount_roles",
    )
    projects = rows.filter(pl.col("row_kind") == "project").select(
        "source_file_id", "source_row", "year", "department_id", "department_name", "unit_id",
        "unit_name", "project_id", pl.col("name").alias("project_name"),
        project_family(pl.col("name")).alias("project_family"),
        *FUND_COLUMNS.values(), *(f"{r}_text" for r in FUND_COLUMNS), "bad_amount_roles",
        "typed_amount_roles", "performance_goal", "indicator_text",
        *(["details"] if "details" in rows.columns else []),
    )
    keys = ["source_file_id", "source_row", "year", "department_id", "unit_id", "project_id"]
    packed, unaccounted = split_packed(projects, keys)
    records = pl.concat(
        [packed, listed_records(listed_frame(tables, files), projects, keys)],
        how="diagonal_relaxed",
    )
    indicators = normalize_indicators(records)
    counts = indicators.group_by("source_file_id", "source_row").agg(
        pl.len().cast(pl.Int32).alias("n_indicators")
    )
    projects = (
        projects.join(counts, on=["source_file_id", "source_row"], how="left")
        .join(unaccounted, on=["source_file_id", "source_row"], how="left")
        .with_columns(pl.col("n_indicators").fill_null(0))
    )
    executions, results = evaluation_frames(
        [(ids, t.evaluation) for ids, t in zip(files["source_file_id"], tables, strict=True)
         if t.evaluation is not None],
        files,
    )  # fmt: skip
    if executions.height:  # a 自评表 has no budget rows: its department id comes from here
        own = executions.select("source_file_id", pl.col("department_id").alias("_dept"))
        files = files.join(own.unique("source_file_id"), on="source_file_id", how="left")
        files = files.with_columns(pl.coalesce("department_id", "_dept").alias("department_id"))
        files = files.drop("_dept")
    return Frames(
        files=files, units=units, projects=projects, indicators=indicators, totals=totals,
        unread=unread_frame(tables, files), executions=executions, results=results,
    )


def unread_frame(tables: list[TableRows], files: pl.DataFrame) -> pl.DataFrame:
    """Every table's unread cells (`transforms.leftovers`), with their file ids."""
    ids = files["source_file_id"].to_list()
    found = [(ids[i], t.unread) for i, t in enumerate(tables) if t.unread is not None]
    found = [(file_id, frame) for file_id, frame in found if frame.height]
    if not found:
        return pl.DataFrame(schema={"source_file_id": pl.Int64, **NOTE_COLUMNS})
    stacked = _with_file_ids([frame for _, frame in found], [file_id for file_id, _ in found])
    return stacked.select("source_file_id", *NOTE_COLUMNS)
