"""Garbage collection: delete lake files no manifest generation still needs.

Files listed by the current or the previous manifest stay (a reader holding the
previous catalog keeps working); anything else under the table folders is either
replaced data or the remains of a crashed run. Temp files of crashed runs go too.

Superseded versions' rows are not garbage: they live inside the current year files
until the retention policy (`warehouse.retention`) has the publish rewrite those years
without them, and only then does the older file holding them become unlisted here. The
manifest history (`manifests/`) is kept: it is what `bpw runs` and `--as-of` read.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.catalog import TMP_MARK
from warehouse.fsio import PARTIAL_MARK, remove
from warehouse.manifest import HISTORY, TMP_PREFIX
from warehouse.schemas import ALL_TABLES


def collect_garbage(lake: Path, catalog: Path, keep: set[str]) -> list[str]:
    """Delete unlisted Parquet files and leftover temp files; returns what was deleted.

    Callers hold the publish lock, so no other run is writing beside us.
    """
    deleted: list[str] = []
    for table in ALL_TABLES:
        for path in sorted((lake / table).rglob("*.parquet")):
            rel = path.relative_to(lake).as_posix()
            if rel not in keep:
                remove(path, f"gc delete {rel}")
                deleted.append(rel)
    return deleted + collect_temp_files(lake, catalog)


def collect_temp_files(lake: Path, catalog: Path) -> list[str]:
    """Delete the manifest and catalog temp files crashed runs left; returns their names.

    Callers hold the publish lock: a temp file present now is no live run's.
    """
    temps = [
        *lake.glob(f"{TMP_PREFIX}*"),
        *(lake / HISTORY).glob(f"*{PARTIAL_MARK}*"),
        *catalog.parent.glob(f"{catalog.name}{TMP_MARK}*"),
    ]
    for path in sorted(temps):
        remove(path, f"gc delete {path.name}")
    return [path.name for path in sorted(temps)]
