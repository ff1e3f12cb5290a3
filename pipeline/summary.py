"""A run's summary: what was loaded, rejected, superseded — as a dict (runs/<id>.json),
as markdown (the Prefect artifact) and as the lines printed on the terminal; where its
reports are; and the summary a failed run leaves behind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl

from expectations.report import error_line
from pipeline.home import Settings
from pipeline.steps import GateOutcome
from transforms.table import SourceFile


def _loaded(outcome: GateOutcome, superseded: set[int]) -> list[dict[str, Any]]:
    files = outcome.accepted.files
    if not files.width:
        return []
    counts = outcome.accepted.projects.group_by("source_file_id").agg(
        pl.len().alias("projects"), pl.col("n_indicators").sum().alias("indicators"),
        pl.col("total_amount").sum().cast(pl.String).alias("total_amount"),
    )
    warnings = outcome.findings.filter(pl.col("severity") == "warning").group_by(
        "source_file_id"
    ).agg(pl.len().alias("warnings"))
    rows = (
        files.select("source_file_id", "file_name", "year", "department_name")
        .join(counts, on="source_file_id", how="left")
        .join(warnings, on="source_file_id", how="left")
        .with_columns(pl.col("warnings").fill_null(0))
        .sort("year", "department_name")
        .to_dicts()
    )
    for row in rows:
        row["superseded_in_run"] = row["source_file_id"] in superseded
    return rows


def _rejected(outcome: GateOutcome) -> list[dict[str, Any]]:
    errors = outcome.findings.filter(pl.col("severity") == "error")
    first = errors.group_by("source_file_id", maintain_order=True).agg(
        pl.all().first(), pl.len().alias("n_errors")
    )
    return [
        {"file_name": r["file_name"], "rule": r["rule"], "row": r["source_row"],
         "value": r["value"], "errors": r["n_errors"], "line": error_line(r)}
        for r in first.to_dicts()
    ]


def run_summary(
    run_id: str,
    started: datetime,
    settings: Settings,
    new: list[SourceFile],
    unchanged: list[SourceFile],
    outcome: GateOutcome,
    published: Any,
) -> dict[str, Any]:
    superseded = set(getattr(published, "superseded", []) or [])
    loaded = _loaded(outcome, superseded)
    rejected = _rejected(outcome)
    warnings = outcome.findings.filter(pl.col("severity") == "warning")
    return {
        "run_id": run_id,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "home": str(settings.home),
        "files_new": len(new),
        "files_unchanged": len(unchanged),
        "loaded": [r for r in loaded if not r["superseded_in_run"]],
        "superseded_in_run": [r for r in loaded if r["superseded_in_run"]],
        "rejected": rejected,
        "warnings": [error_line(w) for w in warnings.to_dicts()],
        "rows": {
            "projects": sum(r["projects"] or 0 for r in loaded if not r["superseded_in_run"]),
            "indicators": sum(r["indicators"] or 0 for r in loaded
                              if not r["superseded_in_run"]),
        },
        "manifest_version": getattr(published, "version", None),
        "quarantine": str(settings.quarantine),
        "warehouse": str(settings.warehouse),
        "exit_status": 1 if rejected else 0,
    }


def markdown_summary(summary: dict[str, Any]) -> str:
    """The Prefect artifact: a markdown table of the run."""
    lines = [
        f"# bpw run {summary['run_id']}",
        "",
        "| files loaded | rejected | unchanged | projects | indicators | warnings |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {len(summary['loaded'])} | {len(summary['rejected'])} | "
        f"{summary['files_unchanged']} | {summary['rows']['projects']} | "
        f"{summary['rows']['indicators']} | {len(summary['warnings'])} |",
        "",
    ]
    if summary["rejected"]:
        lines += ["## Rejected", "", "| file | rule | row | value |", "|---|---|---:|---|"]
        lines += [
            f"| {r['file_name']} | {r['rule']} | {r['row'] or ''} | {str(r['value'] or '')[:60]} |"
            for r in summary["rejected"]
        ]
        lines += ["", f"Reports: `{summary['quarantine']}`"]
    return "\n".join(lines) + "\n"


def report_paths(settings: Settings, run_id: str) -> dict[str, str]:
    """Where this run's reports are (added to the summary as `reports`)."""
    stem = settings.runs / run_id
    return {
        "run_json": str(stem.with_suffix(".json")),
        "run_html": str(stem.with_suffix(".html")),
        "data_docs": str(settings.docs / "index.html"),
        "quarantine": str(settings.quarantine),
    }


def failed_summary(
    run_id: str, started: datetime, settings: Settings, error: BaseException
) -> dict[str, Any]:
    """The summary a run that raised leaves behind: nothing loaded, and why it failed."""
    return {
        "run_id": run_id,
        "status": "failed",
        "error": f"{type(error).__name__}: {error}"[:1000],
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "home": str(settings.home),
        "files_new": 0,
        "files_unchanged": 0,
        "loaded": [],
        "superseded_in_run": [],
        "rejected": [],
        "warnings": [],
        "rows": {"projects": 0, "indicators": 0},
        "manifest_version": None,
        "quarantine": str(settings.quarantine),
        "warehouse": str(settings.warehouse),
        "reports": report_paths(settings, run_id),
        "exit_status": 1,
    }
