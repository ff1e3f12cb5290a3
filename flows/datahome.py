"""Writing into the data home outside the lake: archive, quarantine, run summaries, the lock.

Every path written here is derived from a content hash or a sanitized name, so no
file name or cell text can point outside the data home.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from expectations.report import dumps, report_html, report_payload, report_text
from flows.settings import Settings
from transforms.table import SourceFile

_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


class RunLocked(RuntimeError):
    """Another bpw run holds the data home."""


def safe_name(name: str, limit: int = 80) -> str:
    """A file name that is only a name: no separators, no dots up front, bounded length."""
    cleaned = _UNSAFE.sub("_", Path(name).name).lstrip(".") or "file"
    return cleaned[-limit:]


def archive_file(settings: Settings, source: SourceFile) -> Path:
    """Keep the file's bytes under archive/<hash>; idempotent."""
    suffix = safe_name(source.path.suffix.lower())[:8]
    target = settings.archive / source.sha256[:2] / f"{source.sha256}{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".part-{os.getpid()}")
        shutil.copyfile(source.path, partial)
        os.replace(partial, target)
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
        shutil.copyfile(source.path, folder / safe_name(source.path.name))
    info = {
        "file_name": source.path.name,
        "file_path": str(source.path),
        "sha256": source.sha256,
        "run_id": run_id,
        "rejected_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    payload = report_payload(info, findings)
    (folder / "report.json").write_text(dumps(payload), encoding="utf-8")
    (folder / "report.txt").write_text(report_text(payload), encoding="utf-8")
    (folder / "report.html").write_text(report_html(payload), encoding="utf-8")
    return folder


def write_run_summary(settings: Settings, run_id: str, summary: dict[str, Any]) -> Path:
    """runs/<run_id>.json, written whole (temp file + rename)."""
    target = settings.runs / f"{safe_name(run_id)}.json"
    partial = target.with_suffix(".json.part")
    partial.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), "utf-8")
    os.replace(partial, target)
    return target


@contextmanager
def run_lock(settings: Settings, wait_seconds: float = 0.0) -> Iterator[None]:
    """Exclusive lock on the data home for a whole run.

    An OS file lock: the kernel drops it when the holder dies, so a lock left by a
    killed run never blocks the next one.
    """
    path = settings.home / ".bpw.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another bpw run"
                    raise RunLocked(
                        f"{settings.home}: another run is publishing ({holder}); "
                        "try again when it finishes"
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
