"""What each command prints, in the format asked: a run's summary, a validation, the
status, year-over-year figures, revisions. Formatting itself is `interface.formats`'
(one module for every command); this module chooses each command's tables.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console

from flows.settings import Settings
from interface.formats import (
    MISSING,
    Format,
    Reading,
    Result,
    amount_text,
    change_text,
    exact_text,
    percent_text,
    print_document,
    print_result,
)

if TYPE_CHECKING:  # the run's summary loads only to print a run: not on `bpw status`
    from pipeline.summary import RunSummary

# --- bpw ingest / nightly / demo: the run --------------------------------------------

RUN_FILE_COLUMNS = [
    "outcome", "year", "department_name", "file_name", "projects", "indicators",
    "total_amount", "warnings", "rule", "row", "value",
]  # fmt: skip


def run_files(summary: RunSummary) -> Result:
    """One row per file of the run: loaded, superseded in the run, or rejected."""
    rows: list[tuple[Any, ...]] = []
    for outcome, files in (("loaded", summary.loaded), ("superseded", summary.superseded_in_run)):
        rows += [
            (outcome, f.year, f.department_name, f.file_name, f.projects, f.indicators,
             None if f.total_amount is None else Decimal(f.total_amount), f.warnings,
             None, None, None)
            for f in files
        ]  # fmt: skip
    rows += [
        ("rejected", None, None, r.file_name, None, None, None, None, r.rule, r.row, r.value)
        for r in summary.rejected
    ]
    return Result(RUN_FILE_COLUMNS, rows)


def print_summary(
    console: Console,
    errors: Console,
    summary: RunSummary | dict[str, Any],
    fmt: Format = Format.table,
) -> None:
    """What a run did: a few lines (each rejected file one line on stderr), or exactly:
    json the whole summary (runs/<run>.json), csv / excel one row per file."""
    from pipeline.summary import RunSummary

    if isinstance(summary, dict):
        summary = RunSummary.from_dict(summary)
    if fmt is not Format.table:
        print_document(console, summary.to_dict(), fmt, run_files(summary))
        for row in summary.rejected:
            errors.print(f"rejected: {row.line}", markup=False)
        return
    console.print(
        f"run {summary.run_id}: {len(summary.loaded)} file(s) loaded, "
        f"{len(summary.rejected)} rejected, {summary.files_unchanged} unchanged; "
        f"{summary.rows.projects} projects, {summary.rows.indicators} indicators, "
        f"{len(summary.warnings)} warning(s)",
        markup=False,
    )
    for row in summary.loaded:
        console.print(
            f"  loaded {row.year} {row.department_name} ({row.file_name}): "
            f"{row.projects} projects, {row.indicators} indicators, {row.warnings} warning(s)",
            markup=False,
        )
    for row in summary.superseded_in_run:
        console.print(
            f"  superseded in this run by a newer file: {row.file_name} "
            f"({row.year} {row.department_name})",
            markup=False,
        )
    for line in summary.warnings:
        console.print(f"  warning: {line}", markup=False)
    for row in summary.rejected:
        errors.print(f"rejected: {row.line}", markup=False)
    if summary.rejected:
        errors.print(f"reports: {summary.quarantine}", markup=False)


# --- bpw validate ----------------------------------------------------------------------

FINDING_COLUMNS = [
    "file_name", "severity", "suite", "rule", "source_row", "column", "value", "message",
]  # fmt: skip


def print_validation(
    console: Console, errors: Console, outcome: Any, fmt: Format = Format.table
) -> int:
    """The gate's findings for `bpw validate`; returns the exit status (1: a file would be
    rejected)."""
    from expectations.report import error_line

    findings = outcome.findings.to_dicts()
    files = outcome.frames.files
    n_files = (files.height if files.width else 0) + len(
        {f["source_file_id"] for f in findings if f["suite"] == "read"}
    )
    rejected = len(outcome.rejected_ids)
    status = 1 if rejected else 0
    if fmt is not Format.table:
        table = Result(FINDING_COLUMNS, [tuple(f.get(c) for c in FINDING_COLUMNS)
                                         for f in findings])  # fmt: skip
        document = {
            "files": n_files, "would_load": n_files - rejected, "would_reject": rejected,
            "exit_status": status, "findings": table.records(),
        }  # fmt: skip
        print_document(console, document, fmt, table)
        return status
    for finding in findings:
        target = errors if finding["severity"] == "error" else console
        target.print(f"{finding['severity']}: {error_line(finding)}", markup=False)
    console.print(
        f"validated {n_files} file(s): {n_files - rejected} would load, "
        f"{rejected} would be rejected (nothing written)",
        markup=False,
    )
    return status


# --- bpw status ------------------------------------------------------------------------


def print_status(console: Console, settings: Settings, fmt: Format = Format.table) -> None:
    """Loaded years × departments, the last runs, rejected files. json: all three; csv /
    excel: the loaded table. A terminal gets every department and year up to
    `TABLE_ROWS` of them, else the totals per year (rendering a row costs ≈ 0.3 ms)."""
    from interface.status import (
        TABLE_ROWS,
        last_runs,
        loaded_matrix,
        loaded_years,
        rejected_files,
        run_records,
    )

    many, year_columns, years = loaded_years(settings)
    if fmt is not Format.table or many <= TABLE_ROWS:
        columns, rows = loaded_matrix(settings)
        loaded = Result(columns or ["department_name", "year", "projects", "total_amount"], rows)
    if fmt is not Format.table:
        document = {
            "loaded": loaded.records(),
            "last_runs": run_records(settings),
            "rejected": rejected_files(settings, as_records=True),
        }
        print_document(console, document, fmt, loaded)
        return
    if many > TABLE_ROWS:
        console.print(
            f"[bold]Loaded (totals per year of {many:,} department-years; each of them: "
            "bpw status --format csv)[/bold]"
        )
        print_result(console, Result(year_columns, years), fmt)
    else:
        console.print("[bold]Loaded (projects per year)[/bold]")
        if rows:
            print_result(console, loaded, fmt)
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


# --- bpw yoy ---------------------------------------------------------------------------

YOY_READING: dict[str, Reading] = {
    "total_amount": lambda v: amount_text(v, exact=False),
    "prev_total_amount": lambda v: amount_text(v, exact=False),
    "yoy_change": lambda v: change_text(v, exact=False),
    "yoy_pct": percent_text,
}


def print_yoy(console: Console, result: Result, fmt: Format) -> None:
    """Year over year: a table whose figures read easily (amounts grouped, to the cent;
    changes signed; percentages to one decimal; a missing year as —), or exact."""
    print_result(console, result, fmt, YOY_READING)


# --- bpw diff --------------------------------------------------------------------------

DIFF_SHOWN = ("year", "department_name", "change_kind", "project_name", "indicator_name",
              "field")  # fmt: skip
ARROW = " → "


def shorten(text: Any, width: int = 48) -> str:
    """A value for a terminal: one line, at most `width` characters (… when cut)."""
    if text is None:
        return MISSING
    line = " ".join(exact_text(text).split())
    return line if len(line) <= width else line[: width - 1] + "…"


def old_to_new(old: Any, new: Any) -> str:
    """'572.90 → 600.00'; an added value '— → 100.00', a removed one '572.90 → —'."""
    return f"{shorten(old)}{ARROW}{shorten(new)}"


def print_diff(console: Console, result: Result, fmt: Format) -> None:
    """The revisions: a table (one line per change, old → new, times to the second), or
    every column of v_revision_change, exact."""
    if fmt is not Format.table:
        print_result(console, result, fmt)
        return
    if not result.rows:
        console.print("no revisions: no department-year has been replaced by a newer "
                      "version yet", style="dim")  # fmt: skip
        return
    at = {column: index for index, column in enumerate(result.columns)}
    shown = Result(
        [*DIFF_SHOWN, "old → new", "changed_at"],
        [
            (*(row[at[c]] for c in DIFF_SHOWN), old_to_new(row[at["old_value"]],
             row[at["new_value"]]), row[at["changed_at"]])
            for row in result.rows
        ],
    )  # fmt: skip
    print_result(console, shown, fmt, {"changed_at": _when}, noun="change")


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return exact_text(value)
