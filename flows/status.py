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


def last_runs(settings: Settings, limit: int = 5) -> list[str]:
    """One line per recent run, newest first."""
    if not settings.runs.exists():
        return []
    paths = sorted(settings.runs.glob("*.json"), reverse=True)[:limit]
    lines = []
    for path in paths:
        run = json.loads(path.read_text(encoding="utf-8"))
        lines.append(
            f"{run['run_id']}: {len(run['loaded'])} loaded, {len(run['rejected'])} rejected, "
            f"{run['files_unchanged']} unchanged, {len(run['warnings'])} warning(s)"
        )
    return lines


def rejected_files(settings: Settings) -> list[str]:
    """One line per quarantined file that has no loaded newer version, with its report."""
    if not settings.quarantine.exists():
        return []
    lines = []
    for report in sorted(settings.quarantine.glob("*/report.json")):
        payload = json.loads(report.read_text(encoding="utf-8"))
        first = payload["errors"][0] if payload["errors"] else {}
        lines.append(
            f"{payload['file']['file_name']}: {first.get('rule', '?')} at row "
            f"{first.get('source_row') or '-'} — see {Path(report).with_suffix('.txt')}"
        )
    return lines
