"""`bpw runs`, `bpw diff` and `--as-of`: the warehouse's history, read-only.

Run summaries (runs/*.json) and the manifest history (lake/manifests/) side by side;
which catalog a query reads (the live one, or one built for an earlier moment); the
revision query. Quick commands import this: only the standard library at module level.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from flows.settings import Settings

RUN_COLUMNS = [
    "run_id", "started_at", "files_new", "loaded", "superseded_in_run", "rejected",
    "manifest_version", "published_at",
]  # fmt: skip


@contextmanager
def catalog_for(settings: Settings, as_of: str | None) -> Iterator[Path]:
    """The live catalog, or (with `as_of`: a run id or an ISO time) a temporary one
    showing the warehouse as it was then; raises warehouse.asof.AsOfError."""
    if as_of is None:
        yield settings.warehouse
        return
    from warehouse.asof import as_of_catalog, resolve_as_of

    moment = resolve_as_of(settings.lake, settings.runs, as_of)
    with as_of_catalog(settings.lake, settings.aliases, moment) as catalog:
        yield catalog


def _local(text: str | None) -> str | None:
    """An ISO time as local wall-clock time to the second ('2026-11-28 03:00:00')."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="seconds")


def _summaries(runs: Path) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in sorted(runs.glob("*.json")) if runs.is_dir() else []:
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a run summary (or a torn one): skip
        if isinstance(summary, dict) and "run_id" in summary:
            found[str(summary["run_id"])] = summary
    return found


def runs_table(settings: Settings) -> tuple[list[str], list[tuple]]:
    """One row per run (runs/*.json) and per published manifest, oldest first: a run that
    published names its manifest version and time; a run that changed nothing names the
    version it left current, without a time; a manifest whose run left no summary (a
    publish made by a test or a tool) has only its version and time."""
    from warehouse.manifest import manifest_history

    summaries = _summaries(settings.runs)
    published = {str(m.get("run_id")): m for m in manifest_history(settings.lake)}
    rows = []
    for run_id in set(summaries) | set(published):
        run, manifest = summaries.get(run_id, {}), published.get(run_id)
        version = manifest["version"] if manifest else run.get("manifest_version")
        rows.append((
            run_id,
            _local(run.get("started_at")),
            run.get("files_new"),
            len(run["loaded"]) if "loaded" in run else None,
            len(run["superseded_in_run"]) if "superseded_in_run" in run else None,
            len(run["rejected"]) if "rejected" in run else None,
            version,
            _local(manifest["published_at"]) if manifest else None,
        ))  # fmt: skip
    rows.sort(key=lambda r: (r[1] or r[7] or "", r[0]))
    return RUN_COLUMNS, rows
