"""What `bpw status` reports: the loaded table and the rejected files' replacements from
the status summary kept beside the lake (`warehouse.status_summary`: one small file, no
DuckDB), the recent runs from runs/, the rejected files from quarantine/ (read-only,
except that a missing or stale summary is computed from the catalog once and kept)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from flows.settings import Settings
from warehouse import status_summary
from warehouse.status_summary import LOADED_COLUMNS, YEAR_COLUMNS, StatusSummary

# a terminal shows every department-year up to this many; beyond, the per-year totals
TABLE_ROWS = 500
_kept: dict[tuple[str, str], StatusSummary | None] = {}


def summary(settings: Settings) -> StatusSummary | None:
    """The status summary of the data home's catalog (None: nothing published yet);
    computed from the catalog only when no kept summary matches it."""
    place = (str(settings.lake), str(settings.warehouse))
    if place in _kept and _kept[place] is not None:
        current = status_summary.catalog_key(settings.warehouse, settings.lake)
        if current == _kept[place].key:
            return _kept[place]
    found = status_summary.read(settings.lake, settings.warehouse)
    if found is None and status_summary.catalog_key(settings.warehouse, settings.lake):
        sys.stderr.write(
            "bpw status: no summary of this catalog yet: read from the catalog "
            "(kept for the next time)\n"
        )
        found = status_summary.refresh(settings.lake, settings.warehouse)
    _kept[place] = found
    return found


def loaded_matrix(settings: Settings) -> tuple[list[str], list[tuple]]:
    """Per department and year: projects and total loaded (current versions)."""
    if not settings.warehouse.exists():
        return [], []
    found = summary(settings)
    if found is not None and found.loaded is not None:
        return list(LOADED_COLUMNS), list(found.loaded)
    from warehouse.query import run_readonly
    from warehouse.sqlfiles import load_sql

    return run_readonly(settings.warehouse, load_sql("status_loaded"))


def loaded_years(settings: Settings) -> tuple[int, list[str], list[tuple]]:
    """(department-years loaded, per-year columns, per-year rows)."""
    found = summary(settings) if settings.warehouse.exists() else None
    if found is None:
        return 0, list(YEAR_COLUMNS), []
    return found.department_years, list(YEAR_COLUMNS), list(found.years)


def _recent_runs(settings: Settings, limit: int) -> list[dict]:
    if not settings.runs.exists():
        return []
    paths = sorted(settings.runs.glob("*.json"), reverse=True)[:limit]
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    return [run for run in runs if isinstance(run, dict) and "run_id" in run]


def run_records(settings: Settings, limit: int = 5) -> list[dict]:
    """The recent runs, newest first, as plain data (`bpw status --format json`)."""
    return [
        {
            "run_id": run["run_id"],
            "status": run.get("status") or ("rejected" if run.get("rejected") else "ok"),
            "started_at": run.get("started_at"),
            "finished_at": run.get("finished_at"),
            "loaded": len(run.get("loaded", [])),
            "rejected": len(run.get("rejected", [])),
            "unchanged": run.get("files_unchanged"),
            "warnings": len(run.get("warnings", [])),
            "manifest_version": run.get("manifest_version"),
        }
        for run in _recent_runs(settings, limit)
    ]


def last_runs(settings: Settings, limit: int = 5) -> list[str]:
    """One line per recent run, newest first."""
    return [
        f"{run['run_id']}: {run['loaded']} loaded, {run['rejected']} rejected, "
        f"{run['unchanged']} unchanged, {run['warnings']} warning(s)"
        for run in run_records(settings, limit)
    ]


def resolved_rejections(settings: Settings) -> set[str]:
    """sha256 of rejected files that a later loaded file has since replaced (for the same
    year and department, or with the same name: sql/status_resolved_rejections.sql)."""
    if not settings.warehouse.exists():
        return set()
    found = summary(settings)
    if found is not None:
        return set(found.resolved_rejections)
    from warehouse.query import run_readonly
    from warehouse.sqlfiles import load_sql

    return {
        sha
        for (sha,) in run_readonly(settings.warehouse, load_sql("status_resolved_rejections"))[1]
    }


def rejected_files(settings: Settings, as_records: bool = False) -> list:
    """Every quarantined file that has no loaded newer version, with its first error and
    its report: one line each, or (`as_records`) one dict each."""
    if not settings.quarantine.exists():
        return []
    resolved = resolved_rejections(settings)
    found = []
    for report in sorted(settings.quarantine.glob("*/report.json")):
        payload = json.loads(report.read_text(encoding="utf-8"))
        if payload["file"]["sha256"] in resolved:
            continue
        first = payload["errors"][0] if payload["errors"] else {}
        found.append({
            "file_name": payload["file"]["file_name"],
            "rule": first.get("rule"),
            "source_row": first.get("source_row"),
            "report": str(Path(report).with_suffix(".txt")),
        })  # fmt: skip
    if as_records:
        return found
    return [
        f"{r['file_name']}: {r['rule'] or '?'} at row {r['source_row'] or '-'} — see {r['report']}"
        for r in found
    ]
