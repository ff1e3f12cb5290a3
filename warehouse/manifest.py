"""`lake/manifest.json`: which Parquet files make up the current lake version.

Replacing this one file is the atomic switch of a publish; readers (and the catalog)
only ever see files a manifest lists. Each manifest is also kept, before the switch, as
`manifests/v<version>.json`: the history of what was published when (`bpw runs`,
`bpw sql --as-of`). A history file above the current version is the remains of a
crashed publish and is never read (the next publish writes that version again).
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

from warehouse.fsio import replace, write_text, write_text_atomic
from warehouse.schemas import ALL_TABLES

MANIFEST = "manifest.json"
TMP_PREFIX = f"{MANIFEST}.tmp-"
HISTORY = "manifests"
_YEAR_PART = re.compile(r"(?:^|/)year=([^/]+)/")


class ManifestError(RuntimeError):
    """The manifest exists but cannot be read: the lake needs a human, not a guess."""


def read_manifest(lake: Path) -> dict:
    """The current manifest, or {} when nothing was ever published."""
    path = Path(lake) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
        raise ManifestError(f"{path}: no 'tables' mapping")
    return manifest


def new_manifest(version: int, run_id: str, now: datetime, tables: dict[str, list[str]]) -> dict:
    return {
        "version": version,
        "run_id": run_id,
        "published_at": now.isoformat(),
        "tables": {table: sorted(tables.get(table, [])) for table in ALL_TABLES},
    }


def write_manifest(lake: Path, manifest: dict) -> None:
    """Temp file in the lake folder, fsync, then `os.replace`: the single atomic switch."""
    tmp = Path(lake) / f"{TMP_PREFIX}{os.getpid()}"
    write_text(tmp, json.dumps(manifest, ensure_ascii=False, indent=2), "manifest write")
    replace(tmp, Path(lake) / MANIFEST, "manifest replace")


def history_path(lake: Path, version: int) -> Path:
    return Path(lake) / HISTORY / f"v{version:06d}.json"


def write_history(lake: Path, manifest: dict) -> None:
    """Keep this manifest under manifests/ (whole or not at all), before it is switched in."""
    path = history_path(lake, int(manifest["version"]))
    path.parent.mkdir(exist_ok=True)
    write_text_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2), "manifest history")


def manifest_history(lake: Path) -> list[dict]:
    """Every published manifest still on record, oldest first: the history files up to
    the current version (the current manifest itself for its version, and for lakes
    published before the history was kept)."""
    current = read_manifest(lake)
    if not current:
        return []
    top = int(current["version"])
    found: dict[int, dict] = {}
    for path in sorted((Path(lake) / HISTORY).glob("v*.json")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            version = int(manifest["version"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a torn or foreign file: not history
        if version < top:
            found[version] = manifest
    found[top] = current
    return [found[v] for v in sorted(found)]


def table_files(manifest: dict, table: str) -> list[str]:
    """Relative paths of one table's files (empty when unpublished)."""
    return list(manifest.get("tables", {}).get(table, []))


def all_files(manifest: dict) -> set[str]:
    return {rel for files in manifest.get("tables", {}).values() for rel in files}


def partition_of(rel: str) -> str | None:
    """The `year=` partition label of a relative path (None for `_empty.parquet` etc.)."""
    match = _YEAR_PART.search(rel)
    return match.group(1) if match else None
