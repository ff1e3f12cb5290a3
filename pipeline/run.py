"""A run, in plain Python: discover → read and normalize per chunk (with its check
frames) → gate per batch of chunks → assemble → archive → publish (→ data docs), and
validate (read and gate only, nothing written).

Each step is one function here; `flows.nightly` makes each of them one Prefect task.
`ingest` drives the steps through a `Runner`: the plain one (`Runner`) calls them in
order in this process; the flow's runner submits them to its task runner. `run` adds
what every run does around them: the data-home lock, and its record (`record`), also
for a run that raised.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from pipeline import datahome, steps
from pipeline.home import Limits, Settings
from pipeline.summary import RunSummary, failed_summary, report_paths, run_summary
from transforms.discover import Refusal, discover
from transforms.hashcache import HashCache
from transforms.identity import source_file_id
from transforms.table import SourceFile
from warehouse import fsio, lake, scratch

CHUNK_SIZE = 1000  # files per chunk task: few tasks, each vectorized over many files
HASH_CACHE = "_hashcache.parquet"  # in lake/: (path, stat) → sha256 of the inbox's files

log = logging.getLogger("bpw")


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


@dataclass
class GateRun:
    """What the gate step hands back: the outcome, every read failure, the GX results."""

    outcome: steps.GateOutcome
    failures: list[steps.ReadFailure]
    validations: list[Any]


# --- the steps ------------------------------------------------------------------------


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


def check_chunk(
    sources: list[SourceFile], limits: Limits | None = None, scratch: Path | None = None
) -> steps.ChunkOutcome:
    """Read and normalize one chunk of files, with its check frames; its rows written
    into the run's `scratch` folder (`steps.check_chunk`)."""
    return steps.check_chunk(sources, limits, scratch)


def gate_batch(chunks: list[steps.ChunkOutcome]) -> steps.GatedBatch:
    """Gate a batch of chunks, one GX validation per suite (`steps.gate_batch`)."""
    return steps.gate_batch(chunks)


def assemble(batches: list[steps.GatedBatch], refused: list[steps.ReadFailure]) -> GateRun:
    """The gate batches' outcomes as the run's: findings, rejected files, accepted rows,
    and one GX result per suite (`expectations.merge`)."""
    from expectations.merge import merge_results

    outcome = steps.assemble_batches(batches, refused)
    failures = [f for batch in batches for f in batch.failures] + refused
    validations = merge_results([v for batch in batches for v in batch.validations])
    return GateRun(outcome, failures, validations)


def archive(
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


def publish(
    settings: Settings,
    outcome: steps.GateOutcome,
    failures: list[steps.ReadFailure],
    archived: dict[int, str],
    run_id: str,
    now: datetime,
) -> lake.PublishResult:
    """The accepted rows, the rejected files and the findings into the lake, atomically."""
    accepted, rejected_files, findings = steps.publish_inputs(outcome, failures, archived, run_id)
    return lake.publish(
        settings.lake,
        settings.warehouse,
        accepted,
        rejected_files,
        findings,
        run_id,
        now,
        retention=settings.retention,
    )


def build_data_docs(
    settings: Settings,
    validations: list[Any],
    run_id: str,
    now: datetime,
    logger: logging.Logger | logging.LoggerAdapter | None = None,
) -> str | None:
    """GX Data Docs for this run's validations (docs/); a failure is logged, never fatal."""
    from expectations.datadocs import build_data_docs as build

    try:
        return str(build(settings.docs, validations, run_id, now))
    except Exception as exc:  # the data is published by now: docs are a report, not the load
        (logger or log).warning("Data Docs not built: %s: %s", type(exc).__name__, exc)
        return None


def validate(
    paths: list[Path], limits: Limits, year: int | None = None, chunk_size: int = CHUNK_SIZE
) -> steps.GateOutcome:
    """Read and gate `paths` (files or folders) as a run would, chunk by chunk; write
    nothing."""
    sources, refusals = discover(paths, limits.max_file_bytes, year)
    batches = steps.GateBatches()
    gated = []
    for i in range(0, len(sources), chunk_size):
        chunk = steps.check_chunk(sources[i : i + chunk_size], limits)
        gated += [steps.gate_batch(batch, record=False) for batch in batches.add(chunk)]
    gated += [steps.gate_batch(batch, record=False) for batch in batches.close()]
    return steps.assemble_batches(gated, [steps.refusal_failure(r) for r in refusals])


# --- driving them ---------------------------------------------------------------------


class Stage(Protocol):
    note: str

    def advance(self) -> None: ...


class Progress(Protocol):
    """How a run shows its stages (`flows.progress.RunProgress` on a terminal)."""

    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> Any: ...
    def stage(self, name: str, total: int | None = None) -> AbstractContextManager[Stage]: ...


class _Stage:
    note = ""

    def advance(self) -> None:
        pass


class Quiet:
    """A `Progress` that shows nothing."""

    def __enter__(self) -> Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[_Stage]:
        yield _Stage()


class Runner:
    """Runs the steps: here, each a plain call in this process, in order. A subclass
    (`flows.nightly`) runs them as tasks by naming its tasks in place of these functions,
    and reads the chunks on its task runner."""

    discover = staticmethod(discover_files)
    gate = staticmethod(gate_batch)
    archive = staticmethod(archive)
    publish = staticmethod(publish)
    data_docs = staticmethod(build_data_docs)

    def read(
        self, chunks: list[list[SourceFile]], limits: Limits | None, scratch: Path | None
    ) -> Iterator[steps.ChunkOutcome]:
        """Every chunk read and normalized with its check frames (its rows written into
        `scratch`), handed back in order as each finishes (the caller gates them in
        batches and lets go of them)."""
        for chunk in chunks:
            yield check_chunk(chunk, limits, scratch)


def read_and_gate(
    runner: Runner,
    new: list[SourceFile],
    refusals: list[Refusal],
    chunk_size: int,
    progress: Progress,
    limits: Limits | None = None,
    scratch: Path | None = None,
) -> GateRun:
    """Read and normalize each chunk of files (on the task runner, the rows into the
    `scratch` folder when given); gate them in batches of chunks as they come
    (`steps.GateBatches`: one GX validation per suite per batch, a batch's rows
    bounded); assemble the batches' outcomes."""
    chunks = [new[i : i + chunk_size] for i in range(0, len(new), chunk_size)]
    batches = steps.GateBatches()
    gated: list[steps.GatedBatch] = []
    with progress.stage("read", total=len(chunks)) as stage:
        for chunk in runner.read(chunks, limits, scratch):
            stage.advance()
            gated += [runner.gate(batch) for batch in batches.add(chunk)]
            del chunk
        stage.note = f"{len(new)} file(s)"
    with progress.stage("gate") as stage:
        gated += [runner.gate(batch) for batch in batches.close()]
        refused = [steps.refusal_failure(refusal) for refusal in refusals]
        run = assemble(gated, refused)
        stage.note = f"{len(run.outcome.rejected_ids)} file(s) rejected"
    return run


def ingest(
    settings: Settings,
    targets: list[Path],
    year: int | None,
    department: str | None,
    chunk_size: int,
    run_id: str,
    now: datetime,
    progress: Progress | None = None,
    runner: Runner | None = None,
) -> RunSummary:
    """The run's stages, each shown by `progress`; returns the run summary.

    The chunks' rows wait in the run's scratch folder (`warehouse.scratch`) until the
    publish streams them into the lake; the folder goes when the run ends, however."""
    runner = runner or Runner()
    with progress or Quiet() as shown, scratch.run_folder(settings.lake, run_id) as folder:
        with shown.stage("discover") as stage:
            datahome.clear_partials(settings)  # what a killed run left half-written
            scratch.clear(settings.lake)
            lake.rebuild_catalog_if_stale(settings.lake, settings.warehouse)
            new, refusals, unchanged = runner.discover(settings, targets, year, department)
            stage.note = f"{len(new)} new, {len(unchanged)} unchanged, {len(refusals)} refused"
        gated = read_and_gate(runner, new, refusals, chunk_size, shown, settings.limits, folder)
        published, rejected_reports = None, {}
        if new or refusals:
            # a file that could not be opened (vanished, not ours to read) has no bytes to
            # archive: it is quarantined with its report only, like a refused path
            unread = [f.source for f in gated.failures if f.bytes_unread]
            refused = [steps.refusal_failure(r).source for r in refusals] + unread
            readable = [s for s in new if s.path not in {u.path for u in unread}]
            with shown.stage("archive"):
                archived, rejected_reports = runner.archive(
                    settings, readable, refused, gated.outcome, run_id
                )
            with shown.stage("publish") as stage:
                published = runner.publish(
                    settings, gated.outcome, gated.failures, archived, run_id, now
                )
                stage.note = f"manifest version {published.version}"
        scratch.remove(folder)  # published: the parts are in the lake now
        with shown.stage("data docs") as stage:
            stage.note = runner.data_docs(settings, gated.validations, run_id, now) or "not built"
    reports = {**report_paths(settings, run_id), "rejected": rejected_reports}
    return run_summary(run_id, now, settings, new, unchanged, gated.outcome, published, reports)


def run(
    settings: Settings,
    targets: list[Path],
    year: int | None,
    department: str | None,
    chunk_size: int,
    run_id: str,
    now: datetime,
    *,
    wait_for_lock_seconds: float = 0.0,
    progress: Progress | None = None,
    runner: Runner | None = None,
    record: Callable[[Settings, RunSummary], None] | None = None,
) -> RunSummary:
    """One run under the data-home lock; `record(settings, summary)` keeps its record
    (default: runs/<run>.json and .html) — also when it raised, with the failed summary."""
    record = record or datahome.record_run
    with datahome.run_lock(settings, wait_for_lock_seconds):
        try:
            summary = ingest(
                settings, targets, year, department, chunk_size, run_id, now, progress, runner
            )
        except Exception as exc:
            record(settings, failed_summary(run_id, now, settings, exc))
            raise
        record(settings, summary)
    return summary
