"""`bpw`, the command line. A thin layer: parse arguments, call the library, print.

Quick commands (sql, yoy, status, --help) import neither Prefect nor Great Expectations;
the commands that run the pipeline import them lazily.
"""

from __future__ import annotations

import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from flows.settings import Settings, load_settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="bpw — budget performance warehouse: 项目支出绩效目标表 → gated DuckDB star schema.",
)
# piped output keeps natural table widths (a terminal folds to its own width)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 1000)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 1000)
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class State:
    home: str | None = None


def settings() -> Settings:
    return load_settings(State.home)


@app.callback()
def main_options(
    home: Annotated[
        str | None, typer.Option("--home", help="Data home (default $BPW_HOME or ./data).")
    ] = None,
) -> None:
    State.home = home


def _existing_paths(paths: list[Path]) -> list[str]:
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        err.print(f"bpw: no such file or folder: {', '.join(missing)}", markup=False)
        raise typer.Exit(2)
    return [str(p) for p in paths]


def _run_flow(**parameters: Any) -> dict[str, Any]:
    from flows.datahome import RunLocked
    from flows.nightly import nightly

    try:
        return nightly(home=str(settings().home), **parameters)
    except RunLocked as exc:
        err.print(f"bpw: {exc}", markup=False)
        raise typer.Exit(75) from None


def _finish(summary: dict[str, Any]) -> None:
    from flows.render import print_summary

    print_summary(out, err, summary)
    raise typer.Exit(summary["exit_status"])


@app.command()
def nightly(
    wait: Annotated[float, typer.Option(help="Seconds to wait for a running run.")] = 0.0,
) -> None:
    """The scheduled flow: ingest everything new or changed in the inbox."""
    _finish(_run_flow(wait_for_lock_seconds=wait))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest now.")],
    year: Annotated[int | None, typer.Option(help="Budget year (else from the path).")] = None,
    department: Annotated[str | None, typer.Option(help="Department name override.")] = None,
) -> None:
    """Ingest these files or folders now (same gate and publish as nightly)."""
    _finish(_run_flow(paths=_existing_paths(paths), year=year, department=department))


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to check.")],
    year: Annotated[int | None, typer.Option(help="Budget year (else from the path).")] = None,
) -> None:
    """Parse and gate only: print the report, write nothing."""
    from flows.render import print_validation
    from flows.steps import gate_tables, read_chunk, refusal_failure
    from transforms.discover import discover

    targets = [Path(p) for p in _existing_paths(paths)]
    sources, refusals = discover(targets, settings().limits.max_file_bytes, year)
    chunk = read_chunk(sources)
    outcome = gate_tables(chunk.tables, chunk.failures + [refusal_failure(r) for r in refusals])
    raise typer.Exit(print_validation(out, err, outcome))


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Run an ad-hoc query on the warehouse, read-only."""
    from flows.render import print_rows
    from warehouse.query import QueryRefused, run_readonly

    catalog = settings().warehouse
    if not catalog.exists():
        err.print(f"bpw: no warehouse at {catalog} yet: run `bpw nightly` or `bpw demo` first")
        raise typer.Exit(2)
    try:
        columns, rows = run_readonly(catalog, query)
    except QueryRefused as exc:
        err.print(f"bpw sql: refused: {exc}", markup=False)
        raise typer.Exit(2) from None
    except Exception as exc:  # duckdb's own parse/binder errors: one line, no trace
        err.print(f"bpw sql: {str(exc).splitlines()[0]}", markup=False)
        raise typer.Exit(2) from None
    print_rows(out, columns, rows, format.value)


@app.command()
def yoy(
    department: Annotated[str | None, typer.Option(help="Department name (substring).")] = None,
    from_year: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    to_year: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Year-over-year totals per department (v_department_yoy)."""
    from flows.render import print_rows
    from warehouse.query import run_readonly

    sql_text = (
        "select * from v_department_yoy where ($1::varchar is null or department_name like "
        "'%' || $1 || '%') and ($2::integer is null or year >= $2) and "
        "($3::integer is null or year <= $3) order by department_name, year"
    )
    catalog = settings().warehouse
    if not catalog.exists():
        err.print(f"bpw: no warehouse at {catalog} yet: run `bpw nightly` or `bpw demo` first")
        raise typer.Exit(2)
    columns, rows = run_readonly(catalog, sql_text, [department, from_year, to_year])
    print_rows(out, columns, rows, format.value)


@app.command()
def status() -> None:
    """What is loaded (years × departments), the last runs, rejected files."""
    from flows.render import print_status

    print_status(out, settings())


def _copy_samples(inbox: Path, history: bool) -> int:
    """The real 2026 sample; with `history`, also the synthetic 2019–2026 corpus."""
    patterns = ["[0-9][0-9][0-9][0-9]/*"] + (["synthetic/*/*"] if history else [])
    copied = 0
    for pattern in patterns:
        for sample in sorted(SAMPLES.glob(pattern)):
            if sample.suffix.lower() not in {".txt", ".tsv", ".csv", ".xlsx", ".xls"}:
                continue
            target = inbox / sample.parent.name / sample.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copy2(sample, target)
                copied += 1
    return copied


@app.command()
def demo(
    history: Annotated[
        bool,
        typer.Option(help="Also load the bundled synthetic departments for 2019–2026."),
    ] = False,
) -> None:
    """Put the bundled samples in the inbox, run the nightly flow, show the result."""
    from flows.render import print_rows, print_summary
    from warehouse.query import run_readonly

    home = settings().ensure()
    copied = _copy_samples(home.inbox, history)
    out.print(f"bpw demo: {copied} sample file(s) copied into {home.inbox}", markup=False)
    summary = _run_flow()
    print_summary(out, err, summary)
    query = "select * from v_department_yoy order by department_name, year"
    out.print(f"\n{query}", markup=False)
    columns, rows = run_readonly(home.warehouse, query)
    print_rows(out, columns, rows, "table")
    raise typer.Exit(summary["exit_status"])


def _register_synth() -> None:
    from transforms.synth.cli import synth

    app.command(help="Write realistic synthetic tables (every form) with their ground truth.")(
        synth
    )


_register_synth()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, never a trace
        err.print(f"bpw: {type(exc).__name__}: {exc}", markup=False)
        sys.exit(1)
