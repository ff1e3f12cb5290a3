"""Derived tables: the `v_*` views computed once, at publish, and kept as Parquet.

Each `v_*` view's reference definition is its `sql/v_*.sql` file. A publish computes the
views over the new lake (`warehouse.materialize`) and writes them under
`lake/derived/<view>/bucket=NN/`, one compact Parquet file per view and department
bucket; the manifest lists them under `derived`, so they switch with the lake. The
catalog's view then reads its files (`materialized`) instead of recomputing them.

Why buckets of departments: a `v_*` row belongs to one department and depends on that
department's rows only (its names, its projects' first years, its versions), over all
its years (the latest year names a department and a project; an earlier year changes
first_year and status). So a run that touched a department recomputes that department
over every year, exactly; the other departments keep their files. A bucket no
department falls in has no file. A department's bucket is its id modulo `BUCKETS`
(`bpw_bucket`, sql/bpw_bucket.sql).

A derived file is used only while it still says what its reference says: each view's
entry records a fingerprint of its SQL (and everything it selects from) and of the
department aliases applied; when either differs (new code, an edited aliases.csv),
the catalog computes the view from the lake, and the next publish recomputes it whole.
An as-of catalog always computes (the derived files describe the current version).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from warehouse.fsio import remove
from warehouse.sqlfiles import dependencies, load_sql, view_files

DERIVED = "derived"  # the manifest key and the lake folder
BUCKETS = 8
FORMAT = 1  # bump when the way derived files are written changes
_BUCKET_PART = re.compile(r"(?:^|/)bucket=(\d+)/")


def derived_views() -> tuple[str, ...]:
    """The views kept as derived tables: every `v_*` view."""
    return tuple(view for view in view_files() if view.startswith("v_"))


@cache
def definition_fingerprint(view: str) -> str:
    """A hash of the view's SQL and of everything it selects from (views and macros)."""
    graph = dependencies()
    seen: set[str] = set()
    todo = [view]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    texts = [load_sql("macros"), load_sql("bpw_bucket")]
    texts += [f"{name}\n{load_sql(name)}" for name in sorted(seen)]
    return _hash({"format": FORMAT, "buckets": BUCKETS, "sql": texts})


def aliases_fingerprint(alias_rows: list[tuple]) -> str:
    """A hash of the alias rows a catalog applies (`aliases.alias_rows`)."""
    return _hash(sorted(str(row) for row in alias_rows))


def _hash(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def bucket_of(rel: str) -> int | None:
    """The bucket of a derived file's relative path."""
    match = _BUCKET_PART.search(rel)
    return int(match.group(1)) if match else None


def bucket_folder(lake: Path, view: str, bucket: int) -> Path:
    return Path(lake) / DERIVED / view / f"bucket={bucket:02d}"


def entries(manifest: dict) -> dict[str, dict]:
    """The manifest's derived entries: view → {definition, aliases, files}."""
    return dict(manifest.get(DERIVED, {}))


def is_fresh(entry: dict | None, view: str, aliases: str) -> bool:
    """Does a derived entry still say what the view's reference says, with these aliases?"""
    return (
        entry is not None
        and entry.get("definition") == definition_fingerprint(view)
        and entry.get("aliases") == aliases
        and bool(entry.get("files"))
    )


def materialized(manifest: dict, alias_rows: list[tuple]) -> dict[str, list[str]]:
    """The views a catalog of this manifest reads from derived files: view → files."""
    aliases = aliases_fingerprint(alias_rows)
    return {
        view: list(entry["files"])
        for view, entry in entries(manifest).items()
        if view in derived_views() and is_fresh(entry, view, aliases)
    }


def derived_files(manifest: dict) -> set[str]:
    """Every derived file a manifest lists (what garbage collection keeps)."""
    return {rel for entry in entries(manifest).values() for rel in entry.get("files", [])}


def collect_derived_garbage(lake: Path, keep: set[str]) -> list[str]:
    """Delete derived files no manifest generation kept lists (replaced buckets, or the
    remains of a crashed publish); returns what was deleted. Callers hold the publish lock."""
    deleted: list[str] = []
    for path in sorted((Path(lake) / DERIVED).rglob("*.parquet")):
        rel = path.relative_to(lake).as_posix()
        if rel not in keep:
            remove(path, f"gc delete {rel}")
            deleted.append(rel)
    return deleted
