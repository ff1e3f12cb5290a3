"""Terminal output for the CLI: run summaries, validation reports, query results, status."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from flows.settings import Settings


def _cell(value: Any) -> str:
    from warehouse.query import format_value

    return format_value(value)


def _json_value(value: Any) -> Any:
    """Decimals as exact strings (a float would lose cents); the rest as JSON knows them."""
    return _cell(value) if isinstance(value, Decimal) else value


def print_rows(console: Console, columns: list[str], rows: list[tuple], fmt: str) -> None:
    """Query results as a table (numbers right-aligned), csv or json."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        console.file.write(buffer.getvalue())
        return
    if fmt == "json":
        records = [
            {c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows
        ]
        console.file.write(json.dumps(records, ensure_ascii=False, default=str) + "\n")
        return
    table = Table(show_edge=False, header_style="bold")
    numeric = [
        all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in rows)
        and any(row[i] is not None for row in rows)
        for i in range(len(columns))
    ]
    for column, is_number in zip(columns, numeric, strict=True):
        table.add_column(column, justify="right" if is_number else "left")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)
    console.print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", style="dim")


def print_summary(console: Console, errors: Console, summary: dict[str, Any]) -> None:
    """What a run did, in a few lines; each rejected file on one error line."""
    console.print(
        f"run {summary['run_id']}: {len(summary['loaded'])} file(s) loaded, "
        f"{len(summary['rejected'])} rejected, {summary['files_unchanged']} unchanged; "
        f"{summary['rows']['projects']} projects, {summary['rows']['indicators']} indicators, "
        f"{len(summary['warnings'])} warning(s)",
        markup=False,
    )
    for row in summary["loaded"]:
        console.print(
            f"  loaded {row['year']} {row['department_name']} ({row['file_name']}): "
            f"{row['projects']} projects, {row['indicators']} indicators, "
            f"{row['warnings']} warning(s)",
            markup=False,
        )
    for row in summary["superseded_in_run"]:
        console.print(
            f"  superseded in this run by a newer file: {row['file_name']} "
            f"({row['year']} {row['department_name']})",
            markup=False,
        )
    for line in summary["warnings"]:
        console.print(f"  warning: {line}", markup=False)
    for row in summary["rejected"]:
        errors.print(f"rejected: {row['line']}", markup=False)
    if summary["rejected"]:
        errors.print(f"reports: {summary['quarantine']}", markup=False)


def print_validation(console: Console, errors: Console, outcome: Any) -> int:
    """The gate's findings for `bpw validate`; returns the exit status."""
    from expectations.report import error_line

    findings = outcome.findings.to_dicts()
    files = outcome.frames.files
    n_files = (files.height if files.width else 0) + len(
        {f["source_file_id"] for f in findings if f["suite"] == "read"}
    )
    for finding in findings:
        target = errors if finding["severity"] == "error" else console
        target.print(f"{finding['severity']}: {error_line(finding)}", markup=False)
    console.print(
        f"validated {n_files} file(s): {n_files - len(outcome.rejected_ids)} would load, "
        f"{len(outcome.rejected_ids)} would be rejected (nothing written)",
        markup=False,
    )
    return 1 if outcome.rejected_ids else 0


def print_status(console: Console, settings: Settings) -> None:
    """Loaded years × departments, last runs, rejected files."""
    from interface.status import last_runs, loaded_matrix, rejected_files

    columns, rows = loaded_matrix(settings)
    console.print("[bold]Loaded (projects per year)[/bold]")
    if rows:
        print_rows(console, columns, rows, "table")
    else:
        console.print("  nothing loaded yet")
    console.print("\n[bold]Last runs[/bold]")
    for run in last_runs(settings):
        console.print(f"  {run}", markup=False)
    console.print("\n[bold]Rejected files[/bold]")
    rejected = rejected_files(settings)
    for line in rejected:
        console.print(f"  {line}", markup=False)
    if not rejected:
        console.print("  none")
