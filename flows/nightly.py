"""The Prefect flow: discover → read and normalize per chunk → gate per batch of chunks
→ assemble → publish.

Thin by design: each task is one call into `pipeline.run`, which also drives them
(`pipeline.run.ingest`, with the `TaskRunner` below). Tasks are coarse (a chunk of
files, not a row) and return values in memory only (results are never persisted). Each
chunk is read, normalized and its check frames built by one task submitted to the task
runner (threads, or Dask workers: `flows.runners`), a few chunks in flight at a time
(`in_flight`), so the run holds a few chunks' raw tables, not the corpus'; a chunk
task writes its rows as the run's scratch parts (`warehouse.scratch`: the workers need
the lake's path, as the inbox's) and returns its files, counts and check frames, which
pickle. The Great Expectations validations
run in the flow, one `gate-batch` task per batch of chunks (GX's fixed cost is per
validation: `pipeline.steps.GateBatches`). Tasks that touch the disk retry on OSError
only: a data error fails the same way every time.

The flow run's log (the Prefect UI) gets each stage's end, the findings and the totals,
and the flow run is named and tagged after bpw's run id (`flows.runlog`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.settings import Limits, Settings, configure_prefect, load_settings

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.logging import get_run_logger  # noqa: E402

from flows import runlog  # noqa: E402
from flows.progress import RunProgress  # noqa: E402
from flows.runners import in_flight  # noqa: E402
from pipeline import datahome, steps  # noqa: E402
from pipeline import run as pipeline  # noqa: E402
from pipeline.run import CHUNK_SIZE, new_run_id  # noqa: E402
from pipeline.summary import RunSummary  # noqa: E402
from transforms.discover import Refusal  # noqa: E402
from transforms.table import SourceFile  # noqa: E402
from warehouse import lake  # noqa: E402

REJECTED_STATE = "CompletedWithRejections"  # a finished run that rejected files


def on_os_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry condition: transient I/O (OSError) is retried, anything else is not."""
    return isinstance(state.data, OSError)


IO_RETRIES: dict[str, Any] = {
    "retries": 2, "retry_delay_seconds": [1, 5], "retry_condition_fn": on_os_error,
}  # fmt: skip


@task(name="discover", persist_result=False, **IO_RETRIES)
def discover_files(
    settings: Settings, paths: list[Path], year: int | None, department: str | None
) -> tuple[list[SourceFile], list[Refusal], list[SourceFile]]:
    return pipeline.discover_files(settings, paths, year, department)


@task(name="read-and-check-chunk", persist_result=False, **IO_RETRIES)
def check_chunk(
    sources: list[SourceFile], limits: Limits | None = None, scratch: Path | None = None
) -> steps.ChunkOutcome:
    return pipeline.check_chunk(sources, limits, scratch)


@task(name="gate-batch", persist_result=False)
def gate_batch(chunks: list[steps.ChunkOutcome]) -> steps.GatedBatch:
    return pipeline.gate_batch(chunks)


@task(name="archive-and-quarantine", persist_result=False, **IO_RETRIES)
def archive_and_quarantine(
    settings: Settings,
    new: list[SourceFile],
    refused: list[SourceFile],
    outcome: steps.GateOutcome,
    run_id: str,
) -> tuple[dict[int, str], dict[str, str]]:
    return pipeline.archive(settings, new, refused, outcome, run_id)


@task(name="publish", persist_result=False, **IO_RETRIES)
def publish(
    settings: Settings,
    outcome: steps.GateOutcome,
    failures: list[steps.ReadFailure],
    archived: dict[int, str],
    run_id: str,
    now: datetime,
) -> lake.PublishResult:
    return pipeline.publish(settings, outcome, failures, archived, run_id, now)


@task(name="build-data-docs", persist_result=False)
def build_data_docs(
    settings: Settings, validations: list[Any], run_id: str, now: datetime
) -> str | None:
    return pipeline.build_data_docs(settings, validations, run_id, now, get_run_logger())


class TaskRunner(pipeline.Runner):
    """The pipeline's steps as this flow's tasks: each chunk read and normalized by a
    task submitted to the task runner; the rest (the gate batches too) run as tasks in
    the flow."""

    discover = staticmethod(discover_files)  # a Task binds like a method without it
    gate = staticmethod(gate_batch)
    archive = staticmethod(archive_and_quarantine)
    publish = staticmethod(publish)
    data_docs = staticmethod(build_data_docs)

    def read(
        self, chunks: list[list[SourceFile]], limits: Limits | None, scratch: Path | None
    ) -> Iterator[steps.ChunkOutcome]:
        """At most `in_flight()` chunks submitted and not yet handed back; each chunk's
        outcome fetched into the flow in order, and its future let go of."""
        running: deque[Any] = deque()
        window = in_flight()
        for chunk in chunks:
            if len(running) >= window:
                yield running.popleft().result()
            running.append(check_chunk.submit(chunk, limits, scratch))
        while running:
            yield running.popleft().result()


def record_run(
    settings: Settings, summary: RunSummary, logger: runlog.Logger | None = None
) -> None:
    """runs/<run>.json and runs/<run>.html, the Prefect artifact, and the findings and
    totals in the flow run's log — for every run."""
    datahome.record_run(settings, summary)
    create_markdown_artifact(
        key="bpw-run-summary",
        markdown=summary.to_markdown(),
        description="bpw run summary",
    )
    runlog.log_outcome(logger or get_run_logger(), summary)


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
    with runlog.run_log_level(settings.log_level):
        logger = runlog.run_logger(run_id)
        flow_run_id = runlog.link_flow_run(run_id, logger)  # named and tagged after run_id

        def record(settings: Settings, summary: RunSummary) -> None:
            record_run(settings, replace(summary, flow_run_id=flow_run_id), logger)

        summary = pipeline.run(
            settings, targets, year, department, chunk_size, run_id, now,
            wait_for_lock_seconds=wait_for_lock_seconds,
            progress=runlog.LoggedProgress(RunProgress(run_id), logger),
            runner=TaskRunner(), record=record,
        )  # fmt: skip
    return final_state(replace(summary, flow_run_id=flow_run_id))


def final_state(summary: RunSummary) -> Any:
    """How a flow run ends. Rejected files never fail a run (the good files are loaded):
    it is Completed, named `CompletedWithRejections`, its message naming the rejected
    files; `bpw` exits 1. Prefect hands the caller the summary either way, as plain
    data (`RunSummary.to_dict()`, the keys of runs/<run>.json).
    """
    from prefect.context import FlowRunContext
    from prefect.states import Completed

    rejected = [r.file_name for r in summary.rejected]
    if not rejected or FlowRunContext.get() is None:
        return summary.to_dict()
    names = ", ".join(rejected[:10])
    if len(rejected) > 10:
        names += f" and {len(rejected) - 10} more"
    return Completed(
        data=summary.to_dict(),
        name=REJECTED_STATE,
        message=f"{len(rejected)} file(s) rejected: {names} (reports in {summary.quarantine})",
    )
