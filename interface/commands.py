"""`bpw`'s commands (typer): parse arguments, call the library, print. A thin layer.

Quick commands (sql, yoy, status, --help) import neither Prefect nor Great Expectations;
the commands that run the pipeline import them lazily. `bpw status` itself does not even
load this module (typer builds pydantic validators for every option: ≈ 0.2 s) when its
arguments are the plain ones (`interface.quick`); the entry point is `interface.cli`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.runners import TaskRunnerKind
from flows.settings import LOCAL_SERVER_PORT, LogLevel
from interface.formats import FORMAT_HELP, Format
from interface.invocation import INTERNAL_ERROR, State, err, out, settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="bpw — budget performance warehouse: 项目支出绩效目标表 → gated DuckDB star schema.",
)
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


TaskRunnerOption = Annotated[
    TaskRunnerKind,
    typer.Option(
        "--task-runner",
        help="Where read/normalize/gate run: default (threads in this process) or dask.",
    ),
]
DaskAddressOption = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        help="Scheduler of an existing Dask cluster (tcp://host:8786); without it "
        "--task-runner dask starts a local cluster of 2 worker processes.",
    ),
]


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help=FORMAT_HELP, case_sensitive=False)
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="RUN_ID|ISO-TIME",
        help="Answer from the warehouse as it was then: a run id (bpw runs) or a time "
        "such as 2026-11-28T03:00 (the manifest current at that moment).",
    ),
]


def _require_warehouse(catalog: Path) -> None:
    if not catalog.exists():
        err.print(f"bpw: no warehouse at {catalog} yet: run `bpw nightly` or `bpw demo` first")
        raise typer.Exit(2)


@contextmanager
def _catalog(as_of: str | None) -> Iterator[Path]:
    """The catalog a read command reads: the live one, or one built for `--as-of`."""
    from interface.history import catalog_for

    home = settings()
    _require_warehouse(home.warehouse)
    try:
        with catalog_for(home, as_of) as catalog:
            yield catalog
    except ValueError as exc:  # an as-of moment that cannot be shown: one line
        from warehouse.asof import AsOfError

        if not isinstance(exc, AsOfError):
            raise
        err.print(f"bpw: --as-of {as_of}: {exc}", markup=False)
        raise typer.Exit(2) from None


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        out.print(f"bpw {version('bpw')}", markup=False)
        raise typer.Exit(0)


@app.callback()
def main_options(
    home: Annotated[
        str | None, typer.Option("--home", help="Data home (default $BPW_HOME or ./data).")
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print bpw's version and exit.",
        ),
    ] = False,
    log_level: Annotated[
        LogLevel | None,
        typer.Option(
            "--log-level",
            case_sensitive=False,
            help="Lowest level in the flow run's log on the Prefect server "
            "(default $BPW_LOG_LEVEL, else bpw.toml [logging] level, else INFO).",
        ),
    ] = None,
) -> None:
    State.home = home
    if log_level is not None:  # as BPW_LOG_LEVEL: flow runs and their subprocesses see it
        os.environ["BPW_LOG_LEVEL"] = log_level.value


def _existing_paths(paths: list[Path]) -> list[str]:
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        err.print(f"bpw: no such file or folder: {', '.join(missing)}", markup=False)
        raise typer.Exit(2)
    return [str(p) for p in paths]


def _check_runner(task_runner: str, dask_address: str | None) -> None:
    if dask_address and task_runner != TaskRunnerKind.dask:
        err.print("bpw: --dask-address needs --task-runner dask", markup=False)
        raise typer.Exit(2)


def _run_flow(
    task_runner: str = TaskRunnerKind.default, dask_address: str | None = None, **parameters: Any
) -> dict[str, Any]:
    _check_runner(task_runner, dask_address)
    from flows.api import TemporaryServerFailed, choose_api
    from flows.settings import configure_prefect

    # first, before Prefect or even bpw's pipeline loads: the run's log level, and the
    # server it reports to. A temporary one starts now — its own start (≈ 7 s of CPU) is
    # the longest part of the run's start-up, so it runs on the other core while this
    # process imports — and stops at exit, after Prefect's own exit handlers have sent
    # the run's last logs and events.
    api = choose_api(configure_prefect(settings().log_level))
    from pipeline.datahome import RunLocked, check_unlocked  # polars & co.: ≈ 0.7 s

    try:
        if not parameters.get("wait_for_lock_seconds"):
            check_unlocked(settings())  # fail fast: before Prefect loads
    except RunLocked as exc:
        api.close()  # a temporary server just started goes at once
        err.print(f"bpw: {exc}", markup=False)
        raise typer.Exit(75) from None
    from flows.warmup import freeze_at_exit, freeze_heap, warm_gate

    freeze_at_exit()  # the run leaves a big heap: no final garbage collection over it
    # Great Expectations loads while a temporary server starts, or beside the run's first
    # steps, when there are files to gate; a run over nothing never imports it (warming
    # it, ≈ 4 s, would outlast even a temporary server's start)
    targets = parameters.get("paths") or [settings().inbox]
    warming = warm_gate() if _any_file(targets) else None
    from flows.nightly import nightly
    from flows.runners import flow_parameters, with_task_runner

    flow = with_task_runner(nightly, task_runner, dask_address)
    parameters = {**flow_parameters(task_runner, dask_address), **parameters}
    if warming is None:
        freeze_heap()
    try:
        api.ready()
        done = flow(home=str(settings().home), **parameters)
        _keep_status_summary()
        return done
    except TemporaryServerFailed as exc:
        err.print(f"bpw: {exc}", markup=False)
        raise typer.Exit(INTERNAL_ERROR) from None
    except RunLocked as exc:
        err.print(f"bpw: {exc}", markup=False)
        raise typer.Exit(75) from None
    finally:
        if warming is not None:
            warming.join()


def _any_file(paths: list[str] | list[Path]) -> bool:
    """Is there at least one file under `paths` (a cheap look: the first one found)?"""
    folders = [Path(p) for p in paths]
    while folders:
        path = folders.pop()
        if path.is_file():
            return True
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_file():
                        return True
                    if entry.is_dir():
                        folders.append(Path(entry.path))
        except OSError:  # not a folder, or unreadable: discovery will say so
            continue
    return False


def _keep_status_summary() -> None:
    """What `bpw status` shows of the catalog just published, kept beside the lake now
    (`warehouse.status_summary`); a failure costs only a slower next `bpw status`."""
    from warehouse.status_summary import refresh

    home = settings()
    try:
        refresh(home.lake, home.warehouse)
    except Exception as exc:  # the run is done and recorded: say so, go on
        err.print(f"bpw: status summary not kept: {type(exc).__name__}: {exc}", markup=False)


def _finish(summary: dict[str, Any], fmt: Format = Format.table) -> None:
    from interface.render import print_summary

    print_summary(out, err, summary, fmt)
    raise typer.Exit(summary["exit_status"])


@app.command()
def nightly(
    wait: Annotated[float, typer.Option(help="Seconds to wait for a running run.")] = 0.0,
    task_runner: TaskRunnerOption = TaskRunnerKind.default,
    dask_address: DaskAddressOption = None,
    format: FormatOption = Format.table,
) -> None:
    """The scheduled flow: ingest everything new or changed in the inbox."""
    _finish(_run_flow(task_runner, dask_address, wait_for_lock_seconds=wait), format)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest now.")],
    year: Annotated[int | None, typer.Option(help="Budget year (else from the path).")] = None,
    department: Annotated[str | None, typer.Option(help="Department name override.")] = None,
    task_runner: TaskRunnerOption = TaskRunnerKind.default,
    dask_address: DaskAddressOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Ingest these files or folders now (same gate and publish as nightly)."""
    _finish(
        _run_flow(
            task_runner, dask_address,
            paths=_existing_paths(paths), year=year, department=department,
        ),
        format,
    )  # fmt: skip


@app.command()
def serve(
    task_runner: TaskRunnerOption = TaskRunnerKind.default,
    dask_address: DaskAddressOption = None,
    port: Annotated[
        int,
        typer.Option(
            help="Port of the local Prefect server started when PREFECT_API_URL is unset "
            "(a free one if taken)."
        ),
    ] = LOCAL_SERVER_PORT,
) -> None:
    """Serve the nightly deployment on its cron schedule (02:00 Asia/Shanghai) until stopped.

    Without PREFECT_API_URL, starts a local Prefect server (loopback) and stops it on exit.
    """
    _check_runner(task_runner, dask_address)
    from flows.serve import ServerFailed, serve_nightly

    try:
        serve_nightly(
            settings(), task_runner, dask_address, port,
            echo=lambda line: out.print(line, markup=False),
        )  # fmt: skip
    except ServerFailed as exc:
        err.print(f"bpw serve: {exc}", markup=False)
        raise typer.Exit(1) from None


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to check.")],
    year: Annotated[int | None, typer.Option(help="Budget year (else from the path).")] = None,
    format: FormatOption = Format.table,
) -> None:
    """Parse and gate only: print the report, write nothing."""
    from interface.render import print_validation
    from pipeline.run import validate as validate_paths

    targets = [Path(p) for p in _existing_paths(paths)]
    outcome = validate_paths(targets, settings().limits, year)
    raise typer.Exit(print_validation(out, err, outcome, format))


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query.")],
    format: FormatOption = Format.table,
    as_of: AsOfOption = None,
) -> None:
    """Run an ad-hoc query on the warehouse, read-only (--as-of: as it was then)."""
    from interface.formats import Result, print_result
    from warehouse.query import QueryRefused, check_readonly, run_readonly

    try:
        check_readonly(query)  # before an as-of catalog is built for it
        with _catalog(as_of) as catalog:
            columns, rows = run_readonly(catalog, query, lake=settings().lake)
    except QueryRefused as exc:
        err.print(f"bpw sql: refused: {exc}", markup=False)
        raise typer.Exit(2) from None
    except typer.Exit:
        raise
    except Exception as exc:  # duckdb's own parse/binder errors: one line, no trace
        err.print(f"bpw sql: {str(exc).splitlines()[0]}", markup=False)
        raise typer.Exit(2) from None
    print_result(out, Result(columns, rows), format)


@app.command()
def yoy(
    department: Annotated[str | None, typer.Option(help="Department name (substring).")] = None,
    project: Annotated[
        str | None, typer.Option(help="Project name (substring): one row per project-year.")
    ] = None,
    family: Annotated[
        str | None,
        typer.Option(help="Project family (substring), e.g. 信息化: one row per family-year."),
    ] = None,
    from_year: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    to_year: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    format: FormatOption = Format.table,
) -> None:
    """Year-over-year trends: per department, or per --project / --family series."""
    from interface.formats import Result
    from interface.render import print_yoy
    from warehouse.query import run_readonly
    from warehouse.yoy import yoy_query

    try:
        query = yoy_query(department, project, family, from_year, to_year)
    except ValueError as exc:
        err.print(f"bpw yoy: {exc}", markup=False)
        raise typer.Exit(2) from None
    catalog = settings().warehouse
    if not catalog.exists():
        err.print(f"bpw: no warehouse at {catalog} yet: run `bpw nightly` or `bpw demo` first")
        raise typer.Exit(2)
    columns, rows = run_readonly(catalog, query.sql, query.parameters)
    print_yoy(out, Result(columns, rows), format)


@app.command()
def diff(
    department: Annotated[str | None, typer.Option(help="Department name (substring).")] = None,
    year: Annotated[int | None, typer.Option(help="Budget year.")] = None,
    format: FormatOption = Format.table,
    as_of: AsOfOption = None,
) -> None:
    """What changed between the versions of a department-year (old → new)."""
    from interface.formats import Result
    from interface.render import print_diff
    from warehouse.query import run_readonly
    from warehouse.revisions import diff_query

    query = diff_query(department, year)
    with _catalog(as_of) as catalog:
        columns, rows = run_readonly(catalog, query.sql, query.parameters, settings().lake)
    print_diff(out, Result(columns, rows), format)


@app.command()
def attainment(
    department: Annotated[str | None, typer.Option(help="Department name (substring).")] = None,
    year: Annotated[int | None, typer.Option(help="Budget year.")] = None,
    missed: Annotated[bool, typer.Option("--missed", help="Only the targets missed.")] = False,
    format: FormatOption = Format.table,
) -> None:
    """Targets against actual results (自评表), with the 目标表's target beside them."""
    from interface.formats import Result, print_result
    from warehouse.attainment import attainment_query
    from warehouse.query import run_readonly

    query = attainment_query(department, year, missed)
    with _catalog(None) as catalog:
        columns, rows = run_readonly(catalog, query.sql, query.parameters, settings().lake)
    print_result(out, Result(columns, rows), format, noun="indicator")


@app.command()
def runs(
    format: FormatOption = Format.table,
) -> None:
    """Every run and every published manifest, with their times (for --as-of)."""
    from interface.formats import Result, print_result
    from interface.history import runs_table

    columns, rows = runs_table(settings())
    print_result(out, Result(columns, rows), format)


@app.command()
def aliases(
    add: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--add", metavar="ALIAS CANONICAL", help="Append one alias line to the file first."
        ),
    ] = None,
) -> None:
    """Show the department aliases ($BPW_HOME/aliases.csv) and rebuild the catalog with them."""
    from interface.aliases import show_aliases

    raise typer.Exit(show_aliases(out, err, settings(), add))


@app.command()
def report(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file (default $BPW_HOME/report.html).")
    ] = None,
    department: Annotated[str | None, typer.Option(help="Department name (substring).")] = None,
    as_of: AsOfOption = None,
) -> None:
    """Write a static HTML report: trend charts per department, readable offline."""
    from interface.report import write_report

    home = settings()
    with _catalog(as_of) as catalog:
        path = write_report(catalog, output or home.report, department)
    out.print(f"bpw report: wrote {path}", markup=False)


@app.command()
def status(format: FormatOption = Format.table) -> None:
    """What is loaded (years × departments), the last runs, rejected files."""
    from interface.render import print_status

    print_status(out, settings(), format)


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
    from interface.formats import Result, print_result
    from interface.render import print_summary
    from warehouse.query import run_readonly

    home = settings().ensure()
    copied = _copy_samples(home.inbox, history)
    out.print(f"bpw demo: {copied} sample file(s) copied into {home.inbox}", markup=False)
    summary = _run_flow()
    print_summary(out, err, summary)
    query = "select * from v_department_yoy order by department_name, year"
    out.print(f"\n{query}", markup=False)
    columns, rows = run_readonly(home.warehouse, query)
    print_result(out, Result(columns, rows), Format.table)
    raise typer.Exit(summary["exit_status"])


SYNTH_HELP = "Write realistic synthetic tables (every form) with their ground truth."


@app.command(
    name="synth",
    help=SYNTH_HELP,
    add_help_option=False,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
def synth(ctx: typer.Context) -> None:
    """`bpw synth …`: the generator (and polars) load only when this command runs, so the
    other commands start fast; its options and --help are the generator's own."""
    from synth.cli import synth as generate_corpus

    command = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    command.command(help=SYNTH_HELP)(generate_corpus)
    command(args=ctx.args, prog_name=ctx.command_path)
