"""A run's summary, typed: what was loaded, superseded, rejected and warned about, where
its reports are — and its three renderings: `to_json()` (runs/<run>.json, and what the
flow returns), `to_markdown()` (the Prefect artifact) and `to_html()` (runs/<run>.html).

`from_dict` reads a runs/<run>.json back (older files lack the newer keys). The module
imports only the standard library at its top: `bpw status` reads summaries quickly;
building one from a gate outcome (`run_summary`) imports polars when it runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.home import Settings
    from pipeline.steps import GateOutcome
    from transforms.table import SourceFile

MAX_LISTED_WARNINGS = 50  # in the artifact; the json and the page list them all
FILE_COLUMNS = ("year", "department", "file", "projects", "indicators", "total (万元)", "warnings")


def amount(value: Any) -> str:
    """An exact amount as people write it: 5373.550000 → 5373.55 (never rounded)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    text = format(number.normalize(), "f")
    whole, _, cents = text.partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


@dataclass(frozen=True)
class LoadedFile:
    """One accepted file: its batch, what it held, its warnings."""

    source_file_id: int
    file_name: str
    year: int | None
    department_name: str | None
    projects: int | None
    indicators: int | None
    total_amount: str | None  # exact decimal text (万元)
    warnings: int
    superseded_in_run: bool = False


@dataclass(frozen=True)
class RejectedFile:
    """One rejected file: its first error (rule, row, value), how many, the one line."""

    file_name: str
    rule: str
    row: int | None
    value: str | None
    errors: int
    line: str


@dataclass(frozen=True)
class RowCounts:
    projects: int = 0
    indicators: int = 0


@dataclass(frozen=True)
class RunSummary:
    """One run. `status`: ok, rejected (files were rejected; exit 1) or failed (raised)."""

    run_id: str
    started_at: str
    finished_at: str
    home: str
    files_new: int
    files_unchanged: int
    loaded: list[LoadedFile]
    superseded_in_run: list[LoadedFile]
    rejected: list[RejectedFile]
    warnings: list[str]
    rows: RowCounts
    manifest_version: int | None
    quarantine: str
    warehouse: str
    exit_status: int
    status: str = "ok"
    error: str | None = None
    reports: dict[str, Any] = field(default_factory=dict)
    flow_run_id: str | None = None  # the Prefect flow run, when one ran it

    # --- json --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain data (the keys of runs/<run>.json)."""
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSummary:
        """A summary read back from its json (keys it does not know are ignored)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["loaded"] = [_loaded_file(r) for r in data.get("loaded", [])]
        values["superseded_in_run"] = [
            _loaded_file({**r, "superseded_in_run": True})
            for r in data.get("superseded_in_run", [])
        ]
        values["rejected"] = [_rejected_file(r) for r in data.get("rejected", [])]
        values["rows"] = RowCounts(**data.get("rows", {}))
        values["reports"] = data.get("reports") or {}
        if "status" not in data:  # a summary from before the status key
            values["status"] = "rejected" if values["rejected"] else "ok"
        return cls(**values)

    def with_reports(self, **reports: Any) -> RunSummary:
        return replace(self, reports={**self.reports, **reports})

    # --- markdown (the Prefect artifact) -----------------------------------------------

    def to_markdown(self) -> str:
        """Counts, files loaded and rejected, warnings, where the reports are."""
        lines = [
            f"# bpw run {self.run_id}",
            "",
            "| files loaded | rejected | unchanged | projects | indicators | warnings |",
            "|---:|---:|---:|---:|---:|---:|",
            f"| {len(self.loaded)} | {len(self.rejected)} | {self.files_unchanged} | "
            f"{self.rows.projects} | {self.rows.indicators} | {len(self.warnings)} |",
            "",
        ]
        if self.rejected:
            lines += ["## Rejected", "", "| file | rule | row | value |", "|---|---|---:|---|"]
            lines += [
                f"| {_cell(r.file_name)} | {r.rule} | {r.row or ''} | "
                f"{_cell(str(r.value or '')[:60])} |"
                for r in self.rejected
            ]
            lines += ["", f"Reports: `{self.quarantine}`", ""]
        if self.status == "failed":
            lines += ["**The run failed; the previous warehouse still serves.**", "",
                      f"`{self.error}`", ""]  # fmt: skip
        if self.loaded:
            lines += ["## Loaded", "", "| " + " | ".join(FILE_COLUMNS) + " |",
                      "|---:|---|---|---:|---:|---:|---:|"]  # fmt: skip
            lines += [
                f"| {r.year} | {_cell(r.department_name)} | {_cell(r.file_name)} | "
                f"{r.projects} | {r.indicators} | {amount(r.total_amount)} | {r.warnings} |"
                for r in self.loaded
            ]
            lines.append("")
        if self.warnings:
            lines += ["## Warnings", ""]
            lines += [f"- {w}" for w in self.warnings[:MAX_LISTED_WARNINGS]]
            more = len(self.warnings) - MAX_LISTED_WARNINGS
            if more > 0:
                lines.append(f"- … {more} more in the run json")
            lines.append("")
        if self.reports:
            lines += ["## Reports", ""]
            lines += [f"- {name}: `{path}`" for name, path in self.report_links()]
        return "\n".join(lines).rstrip("\n") + "\n"

    def report_links(self) -> list[tuple[str, str]]:
        """(what, path) of every report of the run: its own, and each rejected file's."""
        links = [(name.replace("_", " "), path) for name, path in self.reports.items()
                 if isinstance(path, str)]  # fmt: skip
        links += [(f"rejected {name}", path)
                  for name, path in (self.reports.get("rejected") or {}).items()]  # fmt: skip
        return links

    # --- html (runs/<run>.html) --------------------------------------------------------

    def to_html(self) -> str:
        """The run as one self-contained page (`pages/templates/run.html`)."""
        from pages import render

        def files(rows: list[LoadedFile]) -> list[list[Any]]:
            return [[r.year, r.department_name, r.file_name, r.projects, r.indicators,
                     amount(r.total_amount), r.warnings] for r in rows]  # fmt: skip

        return render(
            "run.html",
            run=self,
            file_columns=FILE_COLUMNS,
            loaded=files(self.loaded),
            superseded=files(self.superseded_in_run),
            rejected=[
                [r.file_name, r.rule, r.row or "", str(r.value or "")[:120], r.errors]
                for r in self.rejected
            ],  # fmt: skip
            reports=self.report_links(),
        )


def _cell(value: object) -> str:
    """Text safe in a markdown table cell."""
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _loaded_file(row: dict[str, Any]) -> LoadedFile:
    known = {f.name for f in fields(LoadedFile)}
    values = {k: v for k, v in row.items() if k in known}
    values.setdefault("warnings", 0)
    values.setdefault("source_file_id", 0)
    return LoadedFile(**values)


def _rejected_file(row: dict[str, Any]) -> RejectedFile:
    known = {f.name for f in fields(RejectedFile)}
    values = {k: v for k, v in row.items() if k in known}
    return RejectedFile(**values)


# --- building one --------------------------------------------------------------------


def _loaded(outcome: GateOutcome, superseded: set[int]) -> list[LoadedFile]:
    import polars as pl

    from pipeline.steps import file_counts

    accepted = outcome.accepted
    files = accepted.files
    if not files.width:
        return []
    counts = outcome.counts
    if counts is None or not counts.width:  # an outcome built without the chunks' counts
        counts = file_counts(accepted)
    warnings = (
        outcome.findings.filter(pl.col("severity") == "warning")
        .group_by("source_file_id")
        .agg(pl.len().alias("warnings"))
    )
    rows = (
        files.select("source_file_id", "file_name", "year", "department_name")
        .join(counts, on="source_file_id", how="left")
        .join(warnings, on="source_file_id", how="left")
        .with_columns(pl.col("warnings").fill_null(0))
        .sort("year", "department_name")
        .to_dicts()
    )
    return [
        LoadedFile(**row, superseded_in_run=row["source_file_id"] in superseded) for row in rows
    ]


def _rejected(outcome: GateOutcome) -> list[RejectedFile]:
    import polars as pl

    from expectations.report import error_line

    errors = outcome.findings.filter(pl.col("severity") == "error")
    first = errors.group_by("source_file_id", maintain_order=True).agg(
        pl.all().first(), pl.len().alias("n_errors")
    )
    return [
        RejectedFile(
            r["file_name"], r["rule"], r["source_row"], r["value"], r["n_errors"], error_line(r)
        )  # fmt: skip
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
    reports: dict[str, Any] | None = None,
) -> RunSummary:
    """The summary of a run that finished (whether or not it rejected files)."""
    import polars as pl

    from expectations.report import error_line

    superseded = set(getattr(published, "superseded", []) or [])
    loaded = _loaded(outcome, superseded)
    kept = [r for r in loaded if not r.superseded_in_run]
    rejected = _rejected(outcome)
    warnings = outcome.findings.filter(pl.col("severity") == "warning")
    return RunSummary(
        run_id=run_id,
        started_at=started.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
        home=str(settings.home),
        files_new=len(new),
        files_unchanged=len(unchanged),
        loaded=kept,
        superseded_in_run=[r for r in loaded if r.superseded_in_run],
        rejected=rejected,
        warnings=[error_line(w) for w in warnings.to_dicts()],
        rows=RowCounts(
            projects=sum(r.projects or 0 for r in kept),
            indicators=sum(r.indicators or 0 for r in kept),
        ),
        manifest_version=getattr(published, "version", None),
        quarantine=str(settings.quarantine),
        warehouse=str(settings.warehouse),
        exit_status=1 if rejected else 0,
        status="rejected" if rejected else "ok",
        reports=reports or {},
    )


def report_paths(settings: Settings, run_id: str) -> dict[str, str]:
    """Where this run's reports are (the summary's `reports`)."""
    stem = settings.runs / run_id
    return {
        "run_json": str(stem.with_suffix(".json")),
        "run_html": str(stem.with_suffix(".html")),
        "data_docs": str(settings.docs / "index.html"),
        "quarantine": str(settings.quarantine),
    }


def failed_summary(
    run_id: str, started: datetime, settings: Settings, error: BaseException
) -> RunSummary:
    """The summary a run that raised leaves behind: nothing loaded, and why it failed."""
    return RunSummary(
        run_id=run_id,
        started_at=started.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
        home=str(settings.home),
        files_new=0,
        files_unchanged=0,
        loaded=[],
        superseded_in_run=[],
        rejected=[],
        warnings=[],
        rows=RowCounts(),
        manifest_version=None,
        quarantine=str(settings.quarantine),
        warehouse=str(settings.warehouse),
        exit_status=1,
        status="failed",
        error=f"{type(error).__name__}: {error}"[:1000],
        reports=report_paths(settings, run_id),
    )
