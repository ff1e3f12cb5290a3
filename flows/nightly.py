"""The Prefect flow: discover → read → normalize → gate → publish.

Thin by design: each task wraps a step from `flows.steps`, `transforms`, `expectations`
or `warehouse`. Tasks are coarse (a chunk of files, not a row) and return values in
memory only (results are never persisted).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.settings import Settings, configure_prefect, load_settings

configure_prefect()

import polars as pl  # noqa: E402
from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402

from flows import datahome, steps  # noqa: E402
from flows.summary import markdown_summary, run_summary  # noqa: E402
from transforms.discover import Refusal, discover  # noqa: E402
from transforms.identity import source_file_id  # noqa: E402
from transforms.table import SourceFile  # noqa: E402
from warehouse import lake  # noqa: E402

CHUNK_SIZE = 200


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


@task(name="discover", persist_result=False)
def discover_files(
    settings: Settings, paths: list[Path], year: int | None, department: str | None
) -> tuple[list[SourceFile], list[Refusal], list[SourceFile]]:
    """Hash every candidate; split new files from those already loaded (same bytes)."""
    sources, refusals = discover(paths, settings.limits.max_file_bytes, year, department)
    known = lake.loaded_hashes(settings.lake)
    new = [s for s in sources if s.sha256 not in known]
    unchanged = [s for s in sources if s.sha256 in known]
    known_refusals = {r.sha256 for r in refusals} & known
    return new, [r for r in refusals if r.sha256 not in known_refusals], unchanged


@task(name="read-chunk", persist_result=False, retries=2, retry_delay_seconds=[1, 5])
def read_chunk(sources: list[SourceFile]) -> steps.ChunkResult:
    return steps.read_chunk(sources)


@task(name="normalize-and-gate", persist_result=False)
def normalize_and_gate(
    chunks: list[steps.ChunkResult], failures: list[steps.ReadFailure]
) -> steps.GateOutcome:
    """All chunks' tables normalized and gated together (one GX run per suite)."""
    tables = [table for chunk in chunks for table in chunk.tables]
    return steps.gate_tables(tables, failures)


@task(name="archive-and-quarantine", persist_result=False, retries=2, retry_delay_seconds=[1, 5])
def archive_and_quarantine(
    settings: Settings,
    new: list[SourceFile],
    refused: list[SourceFile],
    outcome: steps.GateOutcome,
    run_id: str,
) -> dict[int, str]:
    """Archive every new file's bytes; quarantine rejected files with their reports."""
    archived = {source_file_id(s.sha256): str(datahome.archive_file(settings, s)) for s in new}
    for source in new + refused:
        file_id = source_file_id(source.sha256)
        if file_id in outcome.rejected_ids:
            findings = outcome.findings.filter(pl.col("source_file_id") == file_id)
            datahome.quarantine_file(
                settings, source, findings, run_id, copy_bytes=source in new
            )
    return archived


@task(name="publish", persist_result=False)
def publish(
    settings: Settings, outcome: steps.GateOutcome, failures: list[steps.ReadFailure],
    archived: dict[int, str], run_id: str, now: datetime,
) -> lake.PublishResult:
    accepted, rejected_files, findings = steps.publish_inputs(outcome, failures, archived, run_id)
    return lake.publish(
        settings.lake, settings.warehouse, accepted, rejected_files, findings, run_id, now
    )


@flow(name="nightly", log_prints=False, validate_parameters=False)
def nightly(
    home: str | None = None,
    paths: list[str] | None = None,
    year: int | None = None,
    department: str | None = None,
    wait_for_lock_seconds: float = 0.0,
) -> dict[str, Any]:
    """Ingest everything new or changed (in the inbox, or in `paths`) and publish it."""
    settings = load_settings(home).ensure()
    now = datetime.now(UTC)
    run_id = new_run_id(now)
    targets = [Path(p) for p in paths] if paths else [settings.inbox]
    with datahome.run_lock(settings, wait_for_lock_seconds):
        lake.rebuild_catalog_if_stale(settings.lake, settings.warehouse)
        new, refusals, unchanged = discover_files(settings, targets, year, department)
        futures = [
            read_chunk.submit(new[i : i + CHUNK_SIZE]) for i in range(0, len(new), CHUNK_SIZE)
        ]
        chunks = [future.result() for future in futures]
        failures = [f for chunk in chunks for f in chunk.failures]
        failures += [steps.refusal_failure(refusal) for refusal in refusals]
        outcome = normalize_and_gate(chunks, failures)
        published = None
        if new or refusals:
            refused = [steps.refusal_failure(r).source for r in refusals]
            archived = archive_and_quarantine(settings, new, refused, outcome, run_id)
            published = publish(settings, outcome, failures, archived, run_id, now)
        summary = run_summary(run_id, now, settings, new, unchanged, outcome, published)
        datahome.write_run_summary(settings, run_id, summary)
    create_markdown_artifact(
        key="bpw-run-summary", markdown=markdown_summary(summary), description="bpw run summary"
    )
    return summary
