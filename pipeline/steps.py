"""The pipeline's steps as plain functions (no Prefect here): read a chunk of files,
normalize them together and build their check frames (`check_chunk`); gate many
chunks' check frames at once (`gate_batch`, batches gathered by `GateBatches`);
assemble the batches' outcomes (`assemble_batches`); split accepted from rejected.

Every gate rule looks at one file (its rows, totals, cells), so any grouping of files
into chunks and gate batches gives the same findings as the whole run gated at once.
Great Expectations has a large fixed cost per validation, so it runs once per suite
per gate batch (up to `GATE_BATCH_ROWS` check rows: memory stays bounded), not once
per chunk. What needs every file of a run (two versions of one department-year in the
same run) is the lake's batch plan, decided at publish (`warehouse.batches`).

`pipeline.run` composes these into a run; `bpw validate` calls them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.home import Limits
from transforms.discover import Refusal, path_digest
from transforms.errors import TableError, is_file_fault, unreadable_message
from transforms.identity import source_file_id
from transforms.normalize import Frames, normalize, source_frame
from transforms.table import SourceFile, TableRows, read_tables

HINTS = {
    "encoding": "Save the file as UTF-8 or GB18030 text, or as .xlsx.",
    "header": "Keep the table's header row (项目名称, 总计, 财政拨款, … 绩效指标).",
    "required_columns": "Add the missing columns to the header row.",
    "year": "Put the file in a folder named for the budget year (inbox/2026/) or pass --year.",
    "no_projects": "The file holds no project rows; check it is the right table.",
    "symlink": "Copy the real file into the inbox instead of linking to it.",
    "file_too_large": "Split the file, or raise the size limit if it is genuine.",
    "format": "Save the table as .xlsx, .xls, .csv or .txt.",
    "not_a_file": "Give a regular file or a folder.",
    "unreadable": "Check the file is still there, bpw may read it, and it opens in a "
    "spreadsheet program; re-export it.",
    "zip_bomb": "The workbook expands to more than the size limit; re-export it plainly.",
    "empty": "The file is empty; export the table again.",
    "cell_too_large": "Shorten that cell, or raise BPW_MAX_CELL_CHARS if the text is genuine.",
    "too_many_rows": "Split the table into several files.",
    "delimiter": "Save the table as tab-separated text (.txt) or comma-separated .csv.",
}


@dataclass(frozen=True)
class ReadFailure:
    """A file that could not become a batch at all (before the gate)."""

    source: SourceFile
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    bytes_unread: bool = False  # the file itself could not be opened: nothing to archive


@dataclass
class ChunkResult:
    tables: list[TableRows]
    failures: list[ReadFailure]


# Check rows (all suites) per gate batch. GX costs ≈ 1 s per batch whatever its size
# (one validation per suite); a batch's check frames wait in memory until it is full
# (≈ 230 bytes a row, the values a finding shows included, plus GX's pandas copy), so
# this bounds the gate's memory: 6,400 files make ≈ 360k check rows, one batch.
GATE_BATCH_ROWS = 500_000


@dataclass
class ChunkOutcome:
    """One chunk read and normalized, with its check frames, before the gate.

    `frames.files` holds every readable file; the chunk's rows are either in `frames`
    (the rejected files' dropped once the chunk's gate batch is validated: `gate_batch`)
    or, in a run, written as scratch parts (`parts`, `warehouse.scratch`), which the
    publish reads filtered to the files it loads. The raw tables stay inside
    `check_chunk`, so a run holds them for one chunk per worker at a time.
    """

    frames: Frames
    checks: dict[str, pl.DataFrame]  # per suite, narrow (`expectations.gate.check_frames`)
    failures: list[ReadFailure]
    parts: dict[str, str] = field(default_factory=dict)  # table → scratch part
    counts: pl.DataFrame = field(default_factory=pl.DataFrame)  # `file_counts`

    @property
    def check_rows(self) -> int:
        return sum(frame.height for frame in self.checks.values())


@dataclass
class GatedBatch:
    """Chunks gated together, reduced to what the run needs after the gate.

    `frames.files` holds every readable file; the other frames only the accepted
    files' rows (a rejected file's rows are never loaded)."""

    frames: Frames
    findings: pl.DataFrame  # the gate's findings (read failures are in `failures`)
    failures: list[ReadFailure]
    validations: list[Any]  # compact GX results (`expectations.datadocs.compact_result`)
    parts: dict[str, list[str]] = field(default_factory=dict)  # table → scratch parts
    counts: pl.DataFrame = field(default_factory=pl.DataFrame)


@dataclass
class GateOutcome:
    """Everything a run learned about its files, before anything is written."""

    frames: Frames
    findings: pl.DataFrame
    rejected_ids: set[int]
    # the frames other than `files` hold accepted files' rows only (`assemble_batches`):
    # `accepted` then filters `files` alone, and copies none of the rows
    rows_accepted: bool = False
    # the rows written as scratch parts instead (every readable file's: the publish
    # reads the ones it loads), table → parts in chunk order
    parts: dict[str, list[str]] = field(default_factory=dict)
    counts: pl.DataFrame | None = None  # per file (`file_counts`); None: from `frames`

    @property
    def accepted(self) -> Frames:
        if not self.frames.files.width:
            return self.frames
        accepted = set(self.frames.files["source_file_id"].to_list()) - self.rejected_ids
        if self.rows_accepted:
            files = self.frames.files.filter(pl.col("source_file_id").is_in(list(accepted)))
            return Frames(files, *self.frames.tables()[1:])
        return self.frames.for_files(accepted)


def read_chunk(sources: list[SourceFile], limits: Limits | None = None) -> ChunkResult:
    """Read and classify each file; a file that fails is recorded, never raised — except
    for disk trouble (an OSError not about one file: `is_file_fault`), which fails the
    task so that it is retried."""
    tables: list[TableRows] = []
    failures: list[ReadFailure] = []
    # the bodies are walked together
    results = read_tables(sources, limits=limits.read if limits else None)
    for source, result in zip(sources, results, strict=True):
        if isinstance(result, TableRows):
            tables.append(result)
        elif isinstance(result, TableError):
            failures.append(
                ReadFailure(
                    source, result.rule, result.message, result.row, result.column, result.value
                )
            )
        elif isinstance(result, OSError) and not is_file_fault(result):
            raise result  # the disk, not this file: fail the task, retry
        elif isinstance(result, OSError) and result.filename is not None:
            # this file only (vanished since discovery, not ours to read, a folder now…):
            # its bytes were never judged, so they are not recorded as rejected bytes
            unread = replace(source, sha256=path_digest(source.path))
            message = unreadable_message(source.path.name, result)
            failures.append(ReadFailure(unread, "unreadable", message, bytes_unread=True))
        else:  # a reader library choking on hostile bytes
            message = f"the file could not be read ({type(result).__name__}: {result})"[:300]
            failures.append(ReadFailure(source, "unreadable", message))
    return ChunkResult(tables, failures)


def refusal_failure(refusal: Refusal) -> ReadFailure:
    source = SourceFile(path=refusal.path, sha256=refusal.sha256, size=0, mtime=0.0)
    return ReadFailure(source, refusal.rule, refusal.message, value=refusal.path.name)


def failure_findings(failures: list[ReadFailure]) -> pl.DataFrame:
    """Read failures as error findings, in the gate's finding schema."""
    from expectations.gate import FINDING_SCHEMA

    return pl.DataFrame(
        {
            "source_file_id": [source_file_id(f.source.sha256) for f in failures],
            "file_name": [f.source.path.name for f in failures],
            "suite": ["read"] * len(failures),
            "rule": [f.rule for f in failures],
            "severity": ["error"] * len(failures),
            "source_row": [f.row for f in failures],
            "column": [f.column for f in failures],
            "value": [f.value for f in failures],
            "message": [f.message for f in failures],
            "hint": [HINTS.get(f.rule, "") for f in failures],
        },
        schema=FINDING_SCHEMA,
    )


def failure_files(failures: list[ReadFailure]) -> pl.DataFrame:
    """Read failures as rows shaped like `Frames.files` (unknown fields null)."""
    return source_frame(
        [f.source for f in failures],
        [f.source.year for f in failures],
        [f.source.department for f in failures],
    )


def normalize_and_gate(tables: list[TableRows]) -> tuple[Frames, pl.DataFrame]:
    """The tables normalized together and gated together: (frames, the gate's findings)."""
    from expectations.gate import empty_findings, run_gate

    if not tables:
        return normalize_empty(), empty_findings()
    frames = normalize(tables)
    return frames, run_gate(frames)


def gate_tables(tables: list[TableRows], failures: list[ReadFailure]) -> GateOutcome:
    """Normalize every readable table together, gate them together, add read failures."""
    from expectations.gate import rejected_file_ids

    frames, findings = normalize_and_gate(tables)
    findings = pl.concat([failure_findings(failures), findings], how="vertical_relaxed")
    return GateOutcome(frames=frames, findings=findings, rejected_ids=rejected_file_ids(findings))


def file_counts(frames: Frames) -> pl.DataFrame:
    """Per file: its projects, indicators and budget total (a 自评表's projects and
    indicators count too, with no budget total) — what the run summary reports."""
    schema = {"source_file_id": pl.Int64, "projects": pl.UInt32, "indicators": pl.Int64}
    if not frames.projects.width:
        return pl.DataFrame(schema={**schema, "total_amount": pl.String})
    projects = frames.projects.select("source_file_id", "n_indicators", "total_amount")
    if frames.executions.width:
        no_total = pl.lit(None, projects.schema["total_amount"]).alias("total_amount")
        executions = frames.executions.select("source_file_id", "n_indicators", no_total)
        projects = pl.concat([projects, executions], how="vertical_relaxed")
    return projects.group_by("source_file_id", maintain_order=True).agg(
        pl.len().alias("projects"),
        pl.col("n_indicators").sum().cast(pl.Int64).alias("indicators"),
        pl.col("total_amount").sum().cast(pl.String).alias("total_amount"),
    )


def check_chunk(
    sources: list[SourceFile], limits: Limits | None = None, scratch: Path | None = None
) -> ChunkOutcome:
    """Read and normalize one chunk of files and build its check frames (the gate's
    polars half; its GX half runs over many chunks at once: `gate_batch`). With
    `scratch` (a run's folder: `warehouse.scratch`), the chunk's rows are written there
    and only its files, counts and check frames are handed back."""
    from expectations.gate import check_frames

    chunk = read_chunk(sources, limits)
    frames = normalize(chunk.tables) if chunk.tables else normalize_empty()
    failures = chunk.failures
    del chunk  # the raw tables: the largest thing a chunk holds, not needed past here
    checks = check_frames(frames) if frames.files.width else {}
    counts = file_counts(frames)
    if scratch is None:
        return ChunkOutcome(frames, checks, failures, counts=counts)
    from warehouse.scratch import PART_TABLES, write_parts

    parts = write_parts(scratch, {table: getattr(frames, table) for table in PART_TABLES})
    files_only = Frames(frames.files, *(pl.DataFrame() for _ in frames.tables()[1:]))
    return ChunkOutcome(files_only, checks, failures, parts, counts)


def gate_batch(chunks: list[ChunkOutcome], record: bool = True) -> GatedBatch:
    """Gate the chunks' check frames together, one GX validation per suite, then drop
    the rejected files' rows (`record`: keep the GX results, compact)."""
    from expectations.datadocs import compact_result
    from expectations.gate import gate_checks, recording_validations, rejected_file_ids

    files = [chunk.frames.files for chunk in chunks if chunk.frames.files.width]
    checks: dict[str, list[pl.DataFrame]] = {}
    for chunk in chunks:
        for name, frame in chunk.checks.items():
            checks.setdefault(name, []).append(frame)
    names = (
        pl.concat(files, how="diagonal_relaxed")
        if files
        else pl.DataFrame(schema={"source_file_id": pl.Int64, "file_name": pl.String})
    )
    with recording_validations() as validations:
        findings = gate_checks(checks, names.select("source_file_id", "file_name"))
    del checks
    rejected = list(rejected_file_ids(findings))
    frames = concat_frames([chunk.frames for chunk in chunks])
    accepted = [
        frame.filter(~pl.col("source_file_id").is_in(rejected)) if frame.width and rejected
        else frame
        for frame in frames.tables()[1:]
    ]  # fmt: skip
    compact = [compact_result(v) for v in validations] if record else []
    failures = [f for chunk in chunks for f in chunk.failures]
    parts: dict[str, list[str]] = {}
    for chunk in chunks:
        for table, path in chunk.parts.items():
            parts.setdefault(table, []).append(path)
    counts = _stack([chunk.counts for chunk in chunks])
    return GatedBatch(Frames(frames.files, *accepted), findings, failures, compact, parts, counts)


class GateBatches:
    """Chunks gathered, in order, into gate batches of at most `GATE_BATCH_ROWS` check
    rows (a chunk larger than that is a batch of its own): `add` hands back the batch a
    chunk closes, `close` the last one."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = GATE_BATCH_ROWS if limit is None else limit
        self.pending: list[ChunkOutcome] = []
        self.rows = 0

    def add(self, chunk: ChunkOutcome) -> list[list[ChunkOutcome]]:
        full = []
        if self.pending and self.rows + chunk.check_rows > self.limit:
            full = self.close()
        self.pending.append(chunk)
        self.rows += chunk.check_rows
        return full

    def close(self) -> list[list[ChunkOutcome]]:
        batch, self.pending, self.rows = self.pending, [], 0
        return [batch] if batch else []


def _stack(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Frames stacked in order (one without columns adds nothing)."""
    present = [frame for frame in frames if frame.width]
    if not present:
        return pl.DataFrame()
    if len(present) == 1:
        return present[0]
    same = all(frame.schema == present[0].schema for frame in present)
    return pl.concat(present, how="vertical" if same else "diagonal_relaxed")


def concat_frames(parts: list[Frames]) -> Frames:
    """The chunks' frames stacked, table by table, in chunk order (a table without
    columns in a chunk, e.g. no 自评表 there, adds nothing)."""
    if not parts:
        return normalize_empty()
    tables = zip(*(part.tables() for part in parts), strict=True)
    return Frames(*(_stack(list(frames)) for frames in tables))


def assemble_batches(batches: list[GatedBatch], refused: list[ReadFailure]) -> GateOutcome:
    """The run's outcome from its gate batches': as if all files had been gated together
    (the read failures first, then the gate's findings by file, row and rule)."""
    from expectations.gate import empty_findings, rejected_file_ids

    failures = [f for batch in batches for f in batch.failures] + refused
    gated = pl.concat([empty_findings(), *(b.findings for b in batches)], how="vertical_relaxed")
    gated = gated.sort("source_file_id", "source_row", "rule", nulls_last=True, maintain_order=True)
    findings = pl.concat([failure_findings(failures), gated], how="vertical_relaxed")
    frames = concat_frames([batch.frames for batch in batches])
    rejected = rejected_file_ids(findings)
    parts: dict[str, list[str]] = {}
    for batch in batches:
        for table, paths in batch.parts.items():
            parts.setdefault(table, []).extend(paths)
    counts = _stack([batch.counts for batch in batches])
    return GateOutcome(frames, findings, rejected, True, parts, counts)


def gate_chunks(
    chunks: list[ChunkOutcome], refused: list[ReadFailure], record: bool = False
) -> GateOutcome:
    """Chunks gated in batches (`GateBatches`) and assembled: a run's gate in one call."""
    batcher = GateBatches()
    batches = [gate_batch(b, record) for chunk in chunks for b in batcher.add(chunk)]
    batches += [gate_batch(b, record) for b in batcher.close()]
    return assemble_batches(batches, refused)


def normalize_empty() -> Frames:
    """Frames with no rows (a run where nothing was readable)."""
    return Frames(*(pl.DataFrame() for _ in range(4)))


def _with_archive(files: pl.DataFrame, archived: dict[int, str], run_id: str) -> pl.DataFrame:
    return files.with_columns(
        pl.col("source_file_id")
        .replace_strict(archived, default=None, return_dtype=pl.String)
        .alias("archive_path"),
        pl.lit(run_id).alias("run_id"),
    )


def publish_inputs(
    outcome: GateOutcome, failures: list[ReadFailure], archived: dict[int, str], run_id: str
) -> tuple[Frames, pl.DataFrame, pl.DataFrame]:
    """What the lake needs: accepted frames, rejected files, accepted files' findings.

    Tables the run wrote as scratch parts are handed over as LazyFrames over the parts
    (every readable file's rows: `warehouse.lake.publish` keeps the ones it loads)."""
    accepted = outcome.accepted
    files = accepted.files
    if files.width:  # a run where no file was readable has no accepted frames at all
        accepted = Frames(_with_archive(files, archived, run_id), *accepted.tables()[1:])
    if outcome.parts:  # the rows in scratch parts: read lazily, filtered at publish
        from warehouse.scratch import scan_parts

        lazy = {table: scan_parts(paths) for table, paths in outcome.parts.items()}
        accepted = replace(accepted, **{t: frame for t, frame in lazy.items() if frame is not None})
    rejected = [failure_files(failures)]
    if outcome.frames.files.width:
        rejected.append(
            outcome.frames.files.filter(pl.col("source_file_id").is_in(list(outcome.rejected_ids)))
        )
    rejected_files = _with_archive(pl.concat(rejected, how="diagonal_relaxed"), archived, run_id)
    findings = outcome.findings.join(
        files.select("source_file_id", "year", "department_id")
        if files.width
        else pl.DataFrame(
            schema={"source_file_id": pl.Int64, "year": pl.Int32, "department_id": pl.Int64}
        ),
        on="source_file_id",
        how="inner",
    ).with_columns(pl.lit(run_id).alias("run_id"))
    return accepted, rejected_files, findings
