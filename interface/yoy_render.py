"""`bpw yoy` in a terminal: a table whose figures read easily (see warehouse.yoy:
amounts right-aligned with thousands separators, changes signed, percentages with one
decimal, missing years as a dash); csv and json stay exact, as with `bpw sql`.
"""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from interface.render import print_rows
from warehouse.yoy import cell_text


def print_yoy(console: Console, columns: list[str], rows: list[tuple], fmt: str) -> None:
    """A year-over-year result as a readable table, or exact csv / json."""
    if fmt != "table":
        print_rows(console, columns, rows, fmt)
        return
    table = Table(show_edge=False, header_style="bold")
    for index, column in enumerate(columns):
        numeric = any(isinstance(row[index], int | float | Decimal) for row in rows)
        table.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(Text(cell_text(c, v)) for c, v in zip(columns, row, strict=True)))
    console.print(table)
    console.print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", style="dim")
