"""`bpw aliases`: show the department alias file, where each name is loaded, and apply it.

The file is `$BPW_HOME/aliases.csv` (created with a header and an explanation when
missing). The catalog applies it whenever it is built; this command rebuilds the
catalog when the file changed, so the views use it at once.
"""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from flows.settings import Settings
from warehouse.fsio import write_text_atomic


def _append(path, alias: str, canonical: str) -> None:
    """Add one csv line (quoted as needed) to the alias file."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([alias.strip(), canonical.strip()])
    text = path.read_text(encoding="utf-8")
    separator = "" if not text or text.endswith("\n") else "\n"
    write_text_atomic(path, text + separator + buffer.getvalue(), "alias file")


def _loaded_years(settings: Settings) -> dict[int, list[int]]:
    """department_id → the years it has a current table in the lake."""
    from warehouse.lake import current_batches

    if not settings.lake.exists():
        return {}
    try:
        batches = current_batches(settings.lake)
    except FileNotFoundError:
        return {}
    years: dict[int, list[int]] = {}
    for row in batches.filter(batches["status"] == "current").iter_rows(named=True):
        if row["department_id"] is not None:
            years.setdefault(row["department_id"], []).append(row["year"])
    return {key: sorted(set(value)) for key, value in years.items()}


def _years_text(years: list[int]) -> str:
    if not years:
        return "not loaded"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]} ({len(years)} years)"


def show_aliases(
    out: Console, err: Console, settings: Settings, add: tuple[str, str] | None
) -> int:
    """Print the aliases and rebuild the catalog with them; returns the exit status."""
    from warehouse.aliases import AliasError, ensure_alias_file, load_aliases
    from warehouse.lake import rebuild_catalog_if_stale
    from warehouse.status_summary import keep_after_publish

    path = settings.aliases
    if ensure_alias_file(path):
        out.print(f"created {path} (header and instructions only)", markup=False)
    if add:
        if not all(name.strip() for name in add):
            err.print("bpw aliases: --add needs two non-empty names", markup=False)
            return 2
        _append(path, *add)
    try:
        aliases = load_aliases(path)
    except AliasError as exc:
        err.print(f"bpw aliases: {exc}", markup=False)
        return 2
    if not aliases:
        out.print(f"{path}: no aliases (add lines alias_name,canonical_name)", markup=False)
    else:
        loaded = _loaded_years(settings)
        table = Table(show_edge=False, header_style="bold")
        for column in ("alias_name", "alias loaded", "canonical_name", "canonical loaded"):
            table.add_column(column)
        for alias in aliases:
            table.add_row(
                Text(alias.alias_name), _years_text(loaded.get(alias.alias_department_id, [])),
                Text(alias.canonical_name), _years_text(loaded.get(alias.department_id, [])),
            )  # fmt: skip
        out.print(f"{path}: {len(aliases)} alias(es)", markup=False)
        out.print(table)
    if rebuild_catalog_if_stale(settings.lake, settings.warehouse):
        keep_after_publish(settings.lake, settings.warehouse)  # `bpw status` reads it
        out.print(f"catalog rebuilt: {settings.warehouse} applies these aliases", markup=False)
    elif settings.warehouse.exists():
        out.print("catalog already applies these aliases", markup=False)
    else:
        out.print("nothing loaded yet: the first run applies these aliases", markup=False)
    return 0
