"""What `bpw status` shows of the warehouse, kept in one small file: `lake/status-summary.json`.

`bpw status` used to query the catalog every time (the loaded table grouped over every
current project, the rejected files' replacements over every file version): seconds at
scale. The same queries (`sql/status_*.sql`) now run once per catalog, right after it
is swapped in — by the publish itself (`keep_after_publish`, called from
`warehouse.lake`: so also after `bpw serve`'s scheduled runs), after `bpw aliases`
rebuilt it, and after a command-line run (`refresh`) — or, for a catalog nobody
summarized (a home older than this file, a summary that could not be written), by the
first `bpw status` that finds the file stale — and their answers are kept. Then
`bpw status` reads this file only; it never opens DuckDB.

The file is a cache of what the catalog says, so it is keyed by the catalog file
itself: its inode, size and modification time (a rebuilt catalog is a new file, swapped
in by rename), and the manifest version the catalog describes. A file whose key does not
match is ignored. At scale the loaded table (one row per department and year: 1.17
million at L) is not kept, only its per-year totals; a format that asks for every row
(`--format csv|json`) then runs its query on the catalog.

Reading it imports nothing heavier than json (no DuckDB, no polars).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

SUMMARY_FILE = "status-summary.json"
FORMAT = 1
MAX_KEPT_ROWS = 20_000  # loaded rows kept in the file (≈ 1.5 MB); beyond: per-year totals only
LOADED_COLUMNS = ["department_name", "year", "projects", "total_amount"]
YEAR_COLUMNS = ["year", "departments", "projects", "total_amount"]


@dataclass(frozen=True)
class StatusSummary:
    """The catalog's answers for `bpw status`. `loaded` is None when there were more than
    MAX_KEPT_ROWS rows (`department_years` says how many)."""

    key: dict[str, int]
    department_years: int
    years: list[tuple]  # (year, departments, projects, total_amount)
    loaded: list[tuple] | None  # (department_name, year, projects, total_amount)
    resolved_rejections: frozenset[str]


def summary_path(lake: Path) -> Path:
    return Path(lake) / SUMMARY_FILE


def leftover_partials(lake: Path) -> list[Path]:
    """The summary's half-written temp files (`<name>.part-<pid>`) a killed writer left.
    Whoever clears them holds the run or publish lock, so no other run is writing one."""
    path = summary_path(lake)
    return sorted(p for p in path.parent.glob(f"{path.name}.part-*") if p.is_file())


def catalog_key(catalog: Path, lake: Path) -> dict[str, int] | None:
    """What identifies the catalog now: its file (inode, size, mtime) and the current
    manifest's version; None when there is no catalog or no manifest."""
    try:
        stat = os.stat(catalog)
        manifest = json.loads((Path(lake) / "manifest.json").read_text(encoding="utf-8"))
        version = int(manifest["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "manifest_version": version,
    }


def _amount(value: Any) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def compute(catalog: Path, key: dict[str, int] | None = None) -> StatusSummary:
    """Run the status queries on the catalog (read-only)."""
    from warehouse.query import run_readonly
    from warehouse.sqlfiles import load_sql

    _, years = run_readonly(catalog, load_sql("status_years"))
    _, loaded = run_readonly(catalog, load_sql("status_loaded"))
    _, resolved = run_readonly(catalog, load_sql("status_resolved_rejections"))
    return StatusSummary(
        key=key or {},
        department_years=len(loaded),
        years=[tuple(row) for row in years],
        loaded=[tuple(row) for row in loaded],
        resolved_rejections=frozenset(sha for (sha,) in resolved),
    )


def _document(summary: StatusSummary) -> dict[str, Any]:
    kept = summary.loaded if summary.department_years <= MAX_KEPT_ROWS else None
    return {
        "format": FORMAT,
        "key": summary.key,
        "department_years": summary.department_years,
        "years": [[y, d, p, _amount(t)] for y, d, p, t in summary.years],
        "loaded": None if kept is None else [[n, y, p, _amount(t)] for n, y, p, t in kept],
        "resolved_rejections": sorted(summary.resolved_rejections),
    }


def write(lake: Path, summary: StatusSummary) -> Path:
    from warehouse.fsio import write_text_atomic

    path = summary_path(lake)
    text = json.dumps(_document(summary), ensure_ascii=False, separators=(",", ":"))
    write_text_atomic(path, text, "status summary")
    return path


def read(lake: Path, catalog: Path) -> StatusSummary | None:
    """The kept summary, if it describes the catalog as it is now; else None."""
    key = catalog_key(catalog, lake)
    if key is None:
        return None
    try:
        document = json.loads(summary_path(lake).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    if document.get("key") != key:
        return None
    loaded = document.get("loaded")
    return StatusSummary(
        key=key,
        department_years=int(document["department_years"]),
        years=[(y, d, p, _decimal(t)) for y, d, p, t in document["years"]],
        loaded=None if loaded is None else [(n, y, p, _decimal(t)) for n, y, p, t in loaded],
        resolved_rejections=frozenset(document["resolved_rejections"]),
    )


def refresh(lake: Path, catalog: Path) -> StatusSummary | None:
    """The summary of the catalog as it is now: the kept one when it still matches, else
    computed and kept (a file that cannot be written is only not kept). None when there
    is no catalog or no manifest yet."""
    kept = read(lake, catalog)
    if kept is not None:
        return kept
    key = catalog_key(catalog, lake)
    if key is None:
        return None
    summary = compute(catalog, key)
    if catalog_key(catalog, lake) == key:  # no publish swapped the catalog meanwhile
        with contextlib.suppress(OSError):  # a read-only home: not kept, still answered
            write(lake, summary)
    return summary


def keep_after_publish(lake: Path, catalog: Path) -> StatusSummary | None:
    """Compute and keep the summary of a catalog just swapped in: for `warehouse.lake`
    (a publish, or a stale catalog healed), right after the catalog's swap and inside the
    publish lock (no other publish swaps it meanwhile), so that every run — the command
    line's, `bpw serve`'s scheduled ones — leaves a summary the next `bpw status` reads.

    Never fails what called it (the catalog is published already): a summary that
    cannot be computed or written is logged and left to the next `bpw status`, which
    computes it once. None then, or when nothing is published.
    """
    try:
        return refresh(lake, catalog)
    except Exception as exc:  # any query or file error: the publish stands regardless
        import logging

        logging.getLogger(__name__).warning(
            "status summary not kept (the next bpw status computes it): %s: %s",
            type(exc).__name__, exc,
        )  # fmt: skip
        return None
