"""Writing into the data home outside the lake: archive, quarantine, run summaries, the lock.

Every path written here is derived from a content hash or a sanitized name, so no
file name or cell text can point outside the data home. Every write goes through
`warehouse.fsio` (temp file + fsync + rename, and a fault-injection checkpoint), so a
run killed at any point leaves whole files or `*.part-<pid>` leftovers, which the next
run clears (`clear_partials`).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import polars as pl

from expectations.report import dumps, report_html, report_payload, report_text
from pipeline.home import Settings
from pipeline.summary import RunSummary
from transforms.table import SourceFile
from warehouse import fsio, lock
from warehouse.status_summary import leftover_partials

_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
REPORTS = {"report.json", "report.txt", "report.html"}
# a write in progress: `<name>.part-<pid>` (fsio) or `<name>.part`; a user's file name
# never ends so (only table suffixes are copied)
_PARTIAL = re.compile(r"\.part(-\d+)?$")


class RunLocked(RuntimeError):
    """Another bpw run holds the data home."""


def safe_name(name: str, limit: int = 80) -> str:
    """A file name that is only a name: no separators, no dots up front, bounded length."""
    cleaned = _UNSAFE.sub("_", Path(name).name).lstrip(".") or "file"
    return cleaned[-limit:]


def archive_file(settings: Settings, source: SourceFile) -> Path:
    """Keep the file's bytes under archive/<hash>; idempotent."""
    suffix = source.path.suffix.lower()
    suffix = "." + safe_name(suffix)[:8] if suffix else ""
    target = settings.archive / source.sha256[:2] / f"{source.sha256}{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}{fsio.PARTIAL_MARK}{os.getpid()}")
        fsio.copy_file(source.path, partial, f"archive copy {target.name}")
        fsio.replace(partial, target, f"archive replace {target.name}")
    return target


def quarantine_file(
    settings: Settings,
    source: SourceFile,
    findings: pl.DataFrame,
    run_id: str,
    copy_bytes: bool = True,
) -> Path:
    """Copy a rejected file and its reports (json, txt, html) into quarantine/<hash>-<name>/."""
    folder = settings.quarantine / f"{source.sha256[:12]}-{safe_name(source.path.stem, 60)}"
    folder.mkdir(parents=True, exist_ok=True)
    if copy_bytes and source.path.is_file() and not source.path.is_symlink():
        name = safe_name(source.path.name)
        name = f"rejected-{name}" if name in REPORTS else name  # never under a report
        partial = folder / f"{name}{fsio.PARTIAL_MARK}{os.getpid()}"
        fsio.copy_file(source.path, partial, "quarantine copy")
        fsio.replace(partial, folder / name, "quarantine copy replace")
    info = {
        "file_name": source.path.name,
        "file_path": str(source.path),
        "sha256": source.sha256,
        "run_id": run_id,
        "rejected_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    payload = report_payload(info, findings)
    # json last: `bpw status` lists a report once its json exists, its txt already beside
    reports = {"report.html": report_html, "report.txt": report_text, "report.json": dumps}
    for name, render in reports.items():
        fsio.write_text_atomic(folder / name, render(payload), f"quarantine {name}")
    return folder


def write_run_summary(settings: Settings, summary: RunSummary) -> Path:
    """runs/<run_id>.json, written whole (temp file + rename)."""
    target = settings.runs / f"{safe_name(summary.run_id)}.json"
    fsio.write_text_atomic(target, summary.to_json(), "run summary")
    return target


def record_run(settings: Settings, summary: RunSummary) -> None:
    """A run's record, for every run (also one that raised): runs/<run>.json and the same
    summary as a page, runs/<run>.html."""
    write_run_summary(settings, summary)
    page = settings.runs / f"{safe_name(summary.run_id)}.html"
    fsio.write_text_atomic(page, summary.to_html(), "run page")


def clear_partials(settings: Settings) -> list[Path]:
    """Delete the `*.part-<pid>` (or `*.part`) files a killed run left half-written in
    archive/, quarantine/ and runs/, and the lake's status summary (the publish keeps it).

    Call under the run lock: no other run is writing them.
    """
    leftovers = [
        path
        for folder in (settings.archive, settings.quarantine, settings.runs)
        for path in sorted(folder.rglob("*.part*"))
        if _PARTIAL.search(path.name) and path.is_file() and not path.is_symlink()
    ] + leftover_partials(settings.lake)
    for path in leftovers:
        fsio.remove(path, f"partial delete {path.name}")
    return leftovers


LOCK_FILE = ".bpw.lock"


def _locked(settings: Settings, holder: str) -> RunLocked:
    return RunLocked(
        f"{settings.home}: another run is using this data home ({holder or 'another bpw run'});"
        " nothing was done. Try again when it finishes, or pass --wait SECONDS."
    )


def check_unlocked(settings: Settings) -> None:
    """Raise RunLocked now if another run holds the data home (a quick probe before the
    slow start of a flow run; the run itself takes the lock)."""
    holder = lock.holder(settings.home / LOCK_FILE)
    if holder is not None:
        raise _locked(settings, holder)


@contextmanager
def run_lock(settings: Settings, wait_seconds: float = 0.0) -> Iterator[None]:
    """Exclusive lock on the data home for a whole run (`warehouse.lock`, the one lock
    bpw has): a run that finds it held waits up to `wait_seconds`, then RunLocked."""
    note = f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}"
    with ExitStack() as held:
        try:
            held.enter_context(lock.file_lock(settings.home / LOCK_FILE, wait_seconds, note))
        except lock.LockHeld as busy:
            raise _locked(settings, busy.holder) from None
        yield
