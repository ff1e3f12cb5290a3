"""What did the warehouse say then? Published manifests, and catalogs built for one of them.

Every publish keeps its manifest (`lake/manifests/`), and the lake keeps superseded
versions' rows (`warehouse.retention`), so the warehouse as it was when any manifest was
published is the current lake with the file versions' statuses as they were then. An
as-of catalog is built for that moment in a temporary folder, read-only, beside nothing
of the live one; `bpw sql --as-of` and `bpw report --as-of` read it, confined to the lake
as every query is. Its `v_*` views are computed from the lake by their sql/ definitions:
the derived files a publish writes (`warehouse.derived`) describe the current version.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from warehouse.catalog import AsOfMoment, build_catalog
from warehouse.manifest import manifest_history, read_manifest

__all__ = ["AsOfError", "AsOfMoment", "as_of_catalog", "moments", "resolve_as_of"]


class AsOfError(ValueError):
    """The moment asked for cannot be shown (one line saying why)."""


def moments(lake: Path) -> list[AsOfMoment]:
    """Every published manifest on record, oldest first."""
    return [
        AsOfMoment(int(m["version"]), str(m.get("run_id", "")), _utc(m["published_at"]))
        for m in manifest_history(lake)
    ]


def _utc(text: str) -> datetime:
    """A recorded or given time as a UTC moment; one without a zone is local time (how
    older manifests recorded it, and how a person types it)."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _shown(moment: datetime) -> str:
    """A moment as local time with its offset, to the second: '2026-11-28 03:00:00+08:00'."""
    return moment.astimezone().isoformat(sep=" ", timespec="seconds")


def _run_version(runs: Path, run_id: str) -> int | None:
    """The manifest version a run left current (runs/<run>.json), if it recorded one."""
    path = runs / f"{run_id}.json"
    if "/" in run_id or not path.is_file():
        return None
    try:
        version = json.loads(path.read_text(encoding="utf-8")).get("manifest_version")
    except (OSError, ValueError):
        return None
    return int(version) if version is not None else None


def resolve_as_of(lake: Path, runs: Path, when: str) -> AsOfMoment:
    """The manifest current at `when`: a run id (the manifest it published, or the one
    current after it), or an ISO time (`2026-11-28`, `2026-11-28T03:00`, with or without
    a zone): the last manifest published at or before it (a time without fractions of a
    second covers the whole second)."""
    history = moments(lake)
    if not history:
        raise AsOfError("nothing has been published yet")
    by_run = [m for m in history if m.run_id == when]
    if by_run:
        return by_run[-1]
    version = _run_version(runs, when)
    if version is not None:
        for moment in history:
            if moment.version == version:
                return moment
        raise AsOfError(f"run {when} left manifest version {version}, which is not on record")
    try:
        asked = _utc(when)
    except ValueError:
        raise AsOfError(
            f"{when!r} is neither a run id (see `bpw runs`) nor an ISO time such as "
            "2026-11-28T03:00"
        ) from None
    # a time to the second (as `bpw runs` prints them) covers that whole second
    whole = asked.microsecond == 0
    earlier = [
        m for m in history
        if (m.published_at.replace(microsecond=0) if whole else m.published_at) <= asked
    ]
    if not earlier:
        first = _shown(history[0].published_at)
        raise AsOfError(f"nothing was published by {_shown(asked)} (first: {first})")
    return earlier[-1]


# current file versions whose rows are gone: a 目标表 holds projects, a 自评表 executions
_MISSING_ROWS = """
select count(*), string_agg(file_name || ' (' || year || ')', ', ' order by file_name)
from lake_source_files as f
where status = 'current'
    and source_file_id not in (select source_file_id from lake_projects)
    and source_file_id not in (select source_file_id from lake_executions)
"""


@contextmanager
def as_of_catalog(lake: Path, aliases: Path, moment: AsOfMoment) -> Iterator[Path]:
    """A catalog showing the warehouse as of `moment`, in a temporary folder removed on
    exit. AsOfError if the lake no longer holds the rows of a version current then (the
    retention policy dropped them, or they were replaced before versions were kept)."""
    import duckdb

    lake = Path(lake).resolve()
    folder = Path(tempfile.mkdtemp(prefix="bpw-asof-"))
    try:
        catalog = folder / f"warehouse-v{moment.version}.duckdb"
        build_catalog(lake, catalog, read_manifest(lake), aliases, as_of=moment)
        con = duckdb.connect(str(catalog), read_only=True)
        try:
            (missing, names) = con.execute(_MISSING_ROWS).fetchone()
        finally:
            con.close()
        if missing:
            raise AsOfError(
                f"the lake no longer holds the rows of {missing} file version(s) current at "
                f"{_shown(moment.published_at)} ({names}): the retention policy "
                "dropped them (or they were replaced before bpw kept old versions)"
            )
        yield catalog
    finally:
        shutil.rmtree(folder, ignore_errors=True)
