"""What `bpw status` reports, read from the catalog, runs/ and quarantine/ (read-only)."""

from __future__ import annotations

import json
from pathlib import Path

from flows.settings import Settings


def loaded_matrix(settings: Settings) -> tuple[list[str], list[tuple]]:
    """Per department and year: projects and total loaded (current versions)."""
    from warehouse.query import run_readonly

    if not settings.warehouse.exists():
        return [], []
    return run_readonly(
        settings.warehouse,
        "select d.department_name, f.year, count(*) as projects, "
        "sum(f.total_amount) as total_amount "
        "from fact_project_budget f join dim_department d using (department_id) "
        "group by all order by d.department_name, f.year",
    )


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


# A rejected file is resolved once a later run loaded a file for the same batch (year and
# department) or with the same name (in the same year, when the year is known).
_RESOLVED = """
select distinct r.sha256
from dim_source_file as r
join dim_source_file as g
    on g.status in ('current', 'superseded')
    and g.loaded_at > r.loaded_at
    and (
        (g.year = r.year and g.department_id = r.department_id)
        or (g.file_name = r.file_name and (r.year is null or g.year = r.year))
    )
where r.status = 'rejected'
"""


def resolved_rejections(settings: Settings) -> set[str]:
    """sha256 of rejected files that a later loaded file has since replaced."""
    from warehouse.query import run_readonly

    if not settings.warehouse.exists():
        return set()
    return {sha for (sha,) in run_readonly(settings.warehouse, _RESOLVED)[1]}


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
