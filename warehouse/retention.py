"""How long superseded file versions keep their rows in the lake.

A newer file for a batch makes the older one `superseded`, but its rows stay in the
lake (every version stays queryable: `v_revision_change`, `bpw sql --as-of`) until the
retention policy lets them go. The default keeps everything. `keep_versions = N` keeps
the N most recently superseded versions of each batch; `keep_days = D` keeps versions
superseded less than D days ago; with both, a version must satisfy both to stay. A
version whose rows were dropped stays recorded in `source_files` (`rows_dropped_at`).

Versions that were never current (a same-run loser: an older draft sent beside the
winner) never had rows in the lake, so the policy does not count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # settings import this module: quick commands must not load polars
    import polars as pl

ID = "source_file_id"
BATCH = ["year", "department_id", "batch_kind"]  # as warehouse.batches


@dataclass(frozen=True)
class Retention:
    """None = no limit of that kind (the default: keep every version's rows)."""

    keep_versions: int | None = None
    keep_days: float | None = None

    def __post_init__(self) -> None:
        if self.keep_versions is not None and self.keep_versions < 0:
            raise ValueError("keep_versions must be 0 or more")
        if self.keep_days is not None and self.keep_days < 0:
            raise ValueError("keep_days must be 0 or more")

    @property
    def keeps_everything(self) -> bool:
        return self.keep_versions is None and self.keep_days is None

    def describe(self) -> str:
        if self.keeps_everything:
            return "keep every version"
        parts = []
        if self.keep_versions is not None:
            parts.append(f"keep_versions = {self.keep_versions}")
        if self.keep_days is not None:
            parts.append(f"keep_days = {self.keep_days:g}")
        return ", ".join(parts)


KEEP_EVERYTHING = Retention()


def retained_superseded() -> pl.Expr:
    """Superseded versions that were once current and still hold rows in the lake."""
    import polars as pl

    return (
        (pl.col("status") == "superseded")
        & pl.col("rows_dropped_at").is_null()
        & (pl.col("superseded_at") > pl.col("loaded_at"))
    )


def expired_versions(source_files: pl.DataFrame, policy: Retention, now: datetime) -> list[int]:
    """The superseded versions whose rows the policy no longer keeps (ids)."""
    import polars as pl

    if policy.keeps_everything or source_files.is_empty():
        return []
    kept = source_files.filter(retained_superseded()).sort(
        "superseded_at", ID, descending=True
    )
    rank = pl.int_range(1, pl.len() + 1).over(BATCH)  # 1 = the most recently superseded
    expired = pl.lit(False)
    if policy.keep_versions is not None:
        expired = expired | (rank > policy.keep_versions)
    if policy.keep_days is not None:
        cutoff = now - timedelta(days=policy.keep_days)
        expired = expired | (pl.col("superseded_at") < pl.lit(cutoff, pl.Datetime("us", "UTC")))
    return kept.filter(expired)[ID].to_list()


def mark_dropped(source_files: pl.DataFrame, ids: list[int], now: datetime) -> pl.DataFrame:
    """Record when the policy dropped these versions' rows."""
    import polars as pl

    if not ids:
        return source_files
    return source_files.with_columns(
        pl.when(pl.col(ID).is_in(ids))
        .then(pl.lit(now, pl.Datetime("us", "UTC")))
        .otherwise(pl.col("rows_dropped_at"))
        .alias("rows_dropped_at")
    )
