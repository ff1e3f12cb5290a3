"""The Prefect flow: discover → read → normalize → gate → publish.

Thin by design: each task wraps a step from `flows.steps`, `transforms`, `expectations`
or `warehouse`. Tasks are coarse (a chunk of files, not a row) and return values in
memory only (results are never persisted). Read and gate are submitted to the task
runner (threads, or Dask workers: `flows.runners`); their results pickle. Tasks that
touch the disk retry on OSError only: a data error fails the same way every time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.settings import Limits, Settings, configure_prefect, load_settings

configure_prefect()

import polars as pl  # noqa: E402
from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.logging import get_run_logger  # noqa: E402

from flows import datahome, runreport, steps  # noqa: E402
from flows.progress import RunProgress, Stage  # noqa: E402
from flows.summary import run_summary  # noqa: E402
from transforms.discover import Refusal, discover  # noqa: E402
from transforms.hashcache import HashCache  # noqa: E402
from transforms.identity import source_file_id  # noqa: E402
from transforms.table import SourceFile  # noqa: E402
from warehouse import fsio, lake  # noqa: E402
from warehouse.faults import checkpoint  # noqa: E402

CHUNK_SIZE = 1000  # files per read task: few tasks, each vectorized over many files
HASH_CACHE = "_hashcache.parquet"  # in lake/: (path, stat) → sha256 of the inbox's files
REJECTED_STATE = "CompletedWithRejections"  # a finished run that rejected files


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def on_os_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry condition: transient I/O (OSError) is retried, anything else is not."""
    return isinstance(state.data, OSError)


IO_RETRIES: dict[str, Any] = {
    "retries": 2, "retry_delay_seconds": [1, 5], "retry_condition_fn": on_os_error,
}  # fmt: skip


@dataclass
class GateRun:
    """What the gate task hands back: the outcome, every read failure, the GX results."""

    outcome: steps.GateOutcome
    failures: list[steps.ReadFailure]
    validations: list[Any]


@task(name="discover", persist_result=False, **IO_RETRIES)
def discover_files(
    settings: Settings, paths: list[Path], year: int | None, department: str | None
) -> tuple[list[SourceFile], list[Refusal], list[SourceFile]]:
    """Hash every candidate (unless its stat is as last run's: `HashCache`); split new
    files from those already loaded (same bytes)."""
    cache = HashCache(settings.lake / HASH_CACHE)
    sources, refusals = discover(
        paths, settings.limits.max_file_bytes, year, department, cache, inbox=settings.inbox
    )
    cache.save()
    known = lake.loaded_hashes(settings.lake)
    new, unchanged = [], []
    for source in sources:  # a second copy of the same bytes in one run is not new either
        (unchanged if source.sha256 in known else new).append(source)
        known.add(source.sha256)
    known_refusals = {r.sha256 for r in refusals} & known
    return new, [r for r in refusals if r.sha256 not in known_refusals], unchanged


@task(name="read-chunk", persist_result=False, **IO_RETRIES)
def read_chunk(sources: list[SourceFile], limits: Limits | None = None) -> steps.ChunkResult:
    return steps.read_chunk(sources, limits)


@task(name="normalize-and-gate", persist_result=False)
def normalize_and_gate(
    chunks: list[steps.ChunkResult], refused: list[steps.ReadFailure]
) -> GateRun:
    """All chunks' tables normalized and gated together (one GX run per suite)."""
    from expectations.datadocs import compact_result
    from expectations.gate import recording_validations

    tables = [table for chunk in chunks for table in chunk.tables]
    failures = [f for chunk in chunks for f in chunk.failures] + refused
    with recording_validations() as validations:
        outcome = steps.gate_tables(tables, failures)
    return GateRun(outcome, failures, [compact_result(v) for v in validations])


@task(name="archive-and-quarantine", persist_result=False, **IO_RETRIES)
def archive_and_quarantine(
    settings: Settings,
    new: list[SourceFile],
    refused: list[SourceFile],
    outcome: steps.GateOutcome,
    run_id: str,
) -> tuple[dict[int, str], dict[str, str]]:
    """Archive every new file's bytes; quarantine rejected files with their reports.

    Returns the archive path per source_file_id and the HTML report per rejected file.
    """
    with fsio.batched_copies():  # two syncs for the whole batch, not two per file
        archived = {source_file_id(s.sha256): str(datahome.archive_file(settings, s)) for s in new}
    reports: dict[str, str] = {}
    for source in new + refused:
        file_id = source_file_id(source.sha256)
        if file_id in outcome.rejected_ids:
            findings = outcome.findings.filter(pl.col("source_file_id") == file_id)
            folder = datahome.quarantine_file(
                settings, source, findings, run_id, copy_bytes=source in new
            )
            reports[str(source.path)] = str(folder / "report.html")
    return archived, reports


@task(name="publish", persist_result=False, **IO_RETRIES)
def publish(
    settings: Settings, outcome: steps.GateOutcome, failures: list[steps.ReadFailure],
    archived: dict[int, str], run_id: str, now: datetime,
) -> lake.PublishResult:
    accepted, rejected_files, findings = steps.publish_inputs(outcome, failures, archived, run_id)
    return lake.publish(
        settings.lake, settings.warehouse, accepted, rejected_files, findings, run_id, now,
        retention=settings.retention,
    )


@task(name="build-data-docs", persist_result=False)
def build_data_docs(
    settings: Settings, validations: list[Any], run_id: str, now: datetime
) -> str | None:
    """GX Data Docs for this run's validations (docs/); a failure is logged, never fatal."""
    from expectations.datadocs import build_data_docs as build

    try:
        return str(build(settings.docs, validations, run_id, now))
    except Exception as exc:  # the data is published by now: docs are a report, not the load
        get_run_logger().warning("Data Docs not built: %s: %s", type(exc).__name__, exc)
        return None


def record_run(settings: Settings, summary: dict[str, Any]) -> None:
    """runs/<run>.json and runs/<run>.html, and the Prefect artifact — for every run."""
    datahome.write_run_summary(settings, summary["run_id"], summary)
    checkpoint("run page")  # runreport writes it whole (temp + rename): a crash point
    runreport.write_run_page(settings, summary)
    create_markdown_artifact(
        key="bpw-run-summary",
        markdown=runreport.artifact_markdown(summary),
        description="bpw run summary",
    )


def read_and_gate(
    new: list[SourceFile], refusals: list[Refusal], chunk_size: int, progress: RunProgress,
    limits: Limits | None = None,
) -> GateRun:
    """Read chunks of files on the task runner, then gate all of them together there."""
    chunks = [new[i : i + chunk_size] for i in range(0, len(new), chunk_size)]
    with progress.stage("read", total=len(chunks)) as stage:
        reads = [read_chunk.submit(chunk, limits) for chunk in chunks]
        for _ in as_completed(reads):
            stage.advance()
        stage.note = f"{len(new)} file(s)"
    with progress.stage("gate") as stage:
        refused = [steps.refusal_failure(refusal) for refusal in refusals]
        gated = normalize_and_gate.submit(reads, refused).result()
        stage.note = f"{len(gated.outcome.rejected_ids)} file(s) rejected"
    return gated


def _discover(
    settings: Settings, targets: list[Path], year: int | None, department: str | None,
    stage: Stage,
) -> tuple[list[SourceFile], list[Refusal], list[SourceFile]]:
    datahome.clear_partials(settings)  # what a killed run left half-written
    lake.rebuild_catalog_if_stale(settings.lake, settings.warehouse)
    new, refusals, unchanged = discover_files(settings, targets, year, department)
    stage.note = f"{len(new)} new, {len(unchanged)} unchanged, {len(refusals)} refused"
    return new, refusals, unchanged


def ingest(
    settings: Settings, targets: list[Path], year: int | None, department: str | None,
    chunk_size: int, run_id: str, now: datetime,
) -> dict[str, Any]:
    """The run's stages, each shown by `flows.progress`; returns the run summary."""
    with RunProgress(run_id) as progress:
        with progress.stage("discover") as stage:
            new, refusals, unchanged = _discover(settings, targets, year, department, stage)
        gated = read_and_gate(new, refusals, chunk_size, progress, settings.limits)
        published, rejected_reports = None, {}
        if new or refusals:
            # a file that could not be opened (vanished, not ours to read) has no bytes to
            # archive: it is quarantined with its report only, like a refused path
            unread = [f.source for f in gated.failures if f.bytes_unread]
            refused = [steps.refusal_failure(r).source for r in refusals] + unread
            readable = [s for s in new if s.path not in {u.path for u in unread}]
            with progress.stage("archive"):
                archived, rejected_reports = archive_and_quarantine(
                    settings, readable, refused, gated.outcome, run_id
                )
            with progress.stage("publish") as stage:
                published = publish(
                    settings, gated.outcome, gated.failures, archived, run_id, now
                )
                stage.note = f"manifest version {published.version}"
        with progress.stage("data docs") as stage:
            stage.note = build_data_docs(settings, gated.validations, run_id, now) or "not built"
    summary = run_summary(run_id, now, settings, new, unchanged, gated.outcome, published)
    summary["reports"] = {**runreport.report_paths(settings, run_id), "rejected": rejected_reports}
    return summary


@flow(name="nightly", log_prints=False, validate_parameters=False)
def nightly(
    home: str | None = None,
    paths: list[str] | None = None,
    year: int | None = None,
    department: str | None = None,
    wait_for_lock_seconds: float = 0.0,
    chunk_size: int = CHUNK_SIZE,
) -> dict[str, Any]:
    """Ingest everything new or changed (in the inbox, or in `paths`) and publish it.

    A run that fails still records itself (runs/, artifact); the warehouse it leaves is
    the previous one, whole (the publish swaps manifest and catalog atomically).
    """
    settings = load_settings(home).ensure()
    now = datetime.now(UTC)
    run_id = new_run_id(now)
    targets = [Path(p) for p in paths] if paths else [settings.inbox]
    with datahome.run_lock(settings, wait_for_lock_seconds):
        try:
            summary = ingest(settings, targets, year, department, chunk_size, run_id, now)
        except Exception as exc:
            record_run(settings, runreport.failed_summary(run_id, now, settings, exc))
            raise
        record_run(settings, summary)
    return final_state(summary)


def final_state(summary: dict[str, Any]) -> Any:
    """How a flow run ends. Rejected files never fail a run (the good files are loaded):
    it is Completed, named `CompletedWithRejections`, its message naming the rejected
    files; `bpw` exits 1. Prefect hands the caller the summary either way; outside a
    flow run (`nightly.fn`) it is returned as is.
    """
    from prefect.context import FlowRunContext
    from prefect.states import Completed

    rejected = [r["file_name"] for r in summary["rejected"]]
    if not rejected or FlowRunContext.get() is None:
        return summary
    names = ", ".join(rejected[:10])
    if len(rejected) > 10:
        names += f" and {len(rejected) - 10} more"
    return Completed(
        data=summary,
        name=REJECTED_STATE,
        message=f"{len(rejected)} file(s) rejected: {names} (reports in {summary['quarantine']})",
    )
