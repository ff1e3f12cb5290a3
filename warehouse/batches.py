"""Which file versions become current, superseded or rejected in one publish.

A batch is (year, department_id, batch_kind): a department-year's 目标表 (`targets`)
and its 自评表 (`self_evaluation`) are two batches, neither replaces the other; a file
recorded before kinds existed is `targets`. The newest accepted file of a batch replaces the
current one; within one publish the larger `file_mtime` wins. Files already recorded
as current or superseded change nothing (same bytes twice); a file recorded as
rejected may later be accepted. A rejected file never touches the current version.
A replaced version's rows stay in the lake (`warehouse.retention` decides how long).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from warehouse.schemas import UTC_TIME, conform, empty

BATCH = ["year", "department_id", "batch_kind"]
DEFAULT_KIND = "targets"
ID = "source_file_id"


@dataclass(frozen=True)
class Plan:
    source_files: pl.DataFrame  # the whole table after this publish
    loaded: list[int]  # winners: their rows enter the lake
    superseded: list[int]  # newly superseded: replaced current versions and same-run losers
    rejected: list[int]  # newly recorded as rejected
    dropped: list[int]  # ids whose rows are (re)written: the winners, never twice

    @property
    def changed(self) -> bool:
        return bool(self.loaded or self.superseded or self.rejected)


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame conformed, its batch kind filled (an older lake's rows are `targets`)."""
    kind = pl.col("batch_kind").fill_null(DEFAULT_KIND)
    return conform(frame, "source_files").with_columns(kind)


def _ids(frame: pl.DataFrame) -> list[int]:
    return frame[ID].to_list()


def _new_rows(frame: pl.DataFrame, status: str, run_id: str, now: datetime) -> pl.DataFrame:
    return conform(frame, "source_files").with_columns(
        pl.lit(status).alias("status"),
        pl.lit(now, UTC_TIME).alias("loaded_at"),
        pl.lit(run_id).alias("run_id"),
    )


def _winners(accepted: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(winners, losers): per batch the largest mtime wins (ties: path, then id)."""
    ranked = accepted.sort([*BATCH, "file_mtime", "file_path", ID], nulls_last=False)
    last = pl.int_range(pl.len()).over(BATCH) == pl.len().over(BATCH) - 1
    return ranked.filter(last), ranked.filter(~last)


def _supersede(frame: pl.DataFrame, winners: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """Mark `frame` superseded by the winner of its batch."""
    by = winners.select(*BATCH, pl.col(ID).alias("superseded_by"))
    return (
        frame.drop("superseded_by")
        .join(by, on=BATCH, how="left", nulls_equal=True)
        .with_columns(
            pl.lit("superseded").alias("status"),
            pl.lit(now, UTC_TIME).alias("superseded_at"),
        )
        .select(frame.columns)
    )


def plan(
    old: pl.DataFrame,
    accepted: pl.DataFrame,
    rejected: pl.DataFrame,
    run_id: str,
    now: datetime,
) -> Plan:
    """Decide the new `source_files` table and which rows enter or leave the lake."""
    old = _keyed(old) if old.height else empty("source_files")
    accepted, rejected = _keyed(accepted), _keyed(rejected)
    settled = old.filter(pl.col("status").is_in(["current", "superseded"]))[ID]
    fresh = accepted.filter(~pl.col(ID).is_in(settled.implode())).unique(ID, keep="first")
    winners, losers = _winners(fresh)
    keys = winners.select(BATCH)
    replaced = (
        old.filter(pl.col("status") == "current")
        .join(keys, on=BATCH, how="semi", nulls_equal=True)
        .filter(~pl.col(ID).is_in(winners[ID].implode()))
    )
    recorded = pl.concat([old[ID], fresh[ID]])
    new_rejected = rejected.filter(~pl.col(ID).is_in(recorded.implode())).unique(ID, keep="first")
    untouched = old.filter(~pl.col(ID).is_in(pl.concat([replaced[ID], fresh[ID]]).implode()))
    table = pl.concat(
        [
            untouched,
            _supersede(replaced, winners, now),
            _new_rows(winners, "current", run_id, now),
            _supersede(_new_rows(losers, "superseded", run_id, now), winners, now),
            _new_rows(new_rejected, "rejected", run_id, now),
        ],
        how="diagonal_relaxed",
    )
    return Plan(
        source_files=table,
        loaded=_ids(winners),
        superseded=_ids(replaced) + _ids(losers),
        rejected=_ids(new_rejected),
        dropped=_ids(winners),
    )
