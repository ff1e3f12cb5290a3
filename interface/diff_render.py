"""`bpw diff` in a terminal: one line per change, old → new; csv and json stay exact
(every column of v_revision_change, as `bpw sql` prints them)."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from interface.render import print_rows
from warehouse.query import format_value
from warehouse.revisions import change_text

SHOWN = ("year", "department_name", "change_kind", "project_name", "indicator_name", "field")


def _when(value: object) -> str:
    """A time to the second (the exact one is in csv / json)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return format_value(value)


def print_diff(console: Console, columns: list[str], rows: list[tuple], fmt: str) -> None:
    """The revisions as a readable table, or exact csv / json."""
    if fmt != "table":
        print_rows(console, columns, rows, fmt)
        return
    if not rows:
        console.print("no revisions: no department-year has been replaced by a newer "
                      "version yet", style="dim")  # fmt: skip
        return
    at = {column: index for index, column in enumerate(columns)}
    table = Table(show_edge=False, header_style="bold")
    for column in (*SHOWN, "old → new", "changed_at"):
        table.add_column(column, justify="right" if column == "year" else "left")
    for row in rows:
        table.add_row(
            *(Text(format_value(row[at[column]])) for column in SHOWN),
            Text(change_text(row[at["old_value"]], row[at["new_value"]])),
            Text(_when(row[at["changed_at"]])),
        )
    console.print(table)
    console.print(f"({len(rows)} change{'s' if len(rows) != 1 else ''})", style="dim")
