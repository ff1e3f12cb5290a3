"""How every command prints a result (`--format`): the one formatting module.

- `table`: for reading on a screen. Amounts (DECIMAL, 万元) to 2 places, percentages
  (a column named `…pct`) to 1 (`yoy_pct` 19.665681216377568 → 19.7), other floats to
  at most 4, times to the second; numbers right-aligned.
- `csv`: exact. Every digit the warehouse holds: a decimal as its exact text (trailing
  zeros past the cents dropped: 5373.550000 → 5373.55, 1.234567 stays), a float as
  Python's round-trip text; one header row, `\\n` line ends.
- `excel`: the same csv after a UTF-8 byte-order mark, so Excel opens the Chinese as
  Chinese (without it Excel guesses the legacy code page and garbles it).
- `json`: exact. A list of objects, one per row (a document for the commands that
  report more than one table); decimals as exact strings (a float would lose cents).

Commands give their result as a `Result` (columns and rows) and may give a column's
reading text (`bpw yoy`: signed changes, 1,446.87, +5.2%, — for a missing year); the
exact formats never use them.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

BOM = "\ufeff"
MISSING = "—"  # a value that is not there (a year without a table), never a fake zero
CENTS = Decimal("0.01")


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    excel = "excel"


FORMAT_HELP = (
    "table (for reading: amounts to 2 places, percentages to 1), csv or json (exact), "
    "excel (csv with a UTF-8 BOM, so Excel shows the Chinese)."
)


@dataclass(frozen=True)
class Result:
    """A result as a table: its column names and rows."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]

    def records(self) -> list[dict[str, Any]]:
        """One dict per row, values as they are (json_value makes them JSON)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


Reading = Callable[[Any], str]  # a column's table text


# --- exact text (csv, json) ------------------------------------------------------------


def exact_text(value: Any) -> str:
    """Every digit: None → '', a decimal without zeros past the cents (5373.550000 →
    5373.55; 0.123456 stays), a float as its round-trip text, true / false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." not in text:
            return text
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0").ljust(min(2, len(fraction)), "0")
        return f"{whole}.{fraction}"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def json_value(value: Any) -> Any:
    """A value as JSON holds it exactly: decimals as strings, times as ISO text; a float
    that JSON cannot hold (NaN, ±inf) as null."""
    if isinstance(value, Decimal):
        return exact_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date | time):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def to_json(document: Any) -> str:
    return json.dumps(json_value(document), ensure_ascii=False, default=str)


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([exact_text(v) for v in row] for row in result.rows)
    return buffer.getvalue()


# --- reading text (table) --------------------------------------------------------------


def amount_2(value: Decimal) -> str:
    """An amount to the cent, half up: 1234.5678 → 1234.57 (never -0.00)."""
    rounded = value.quantize(CENTS, rounding=ROUND_HALF_UP)
    return format(rounded.copy_abs() if rounded == 0 else rounded, "f")


def is_percent(column: str) -> bool:
    return column.lower().endswith("pct")


def reading_text(column: str, value: Any) -> str:
    """A value as a table shows it (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return amount_2(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.1f}" if is_percent(column) else str(round(value, 4))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def _grouped(text: str) -> str:
    """'-1234567.50' → '-1,234,567.50' (the digits themselves untouched)."""
    sign = "-" if text.startswith("-") else ""
    whole, dot, fraction = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{dot}{fraction}"


def amount_text(value: Decimal | None, exact: bool = True) -> str:
    """An amount in 万元 for reading, grouped: 1,446.87; exact (every digit, as the report
    shows it) or to the cent (a table); — when missing."""
    if value is None:
        return MISSING
    return _grouped(exact_text(value) if exact else amount_2(Decimal(value)))


def change_text(value: Decimal | None, exact: bool = True) -> str:
    """A change, signed: +43.31, -44.59, 0.00."""
    text = amount_text(value, exact)
    return text if text == MISSING or text.startswith("-") or not value else f"+{text}"


def percent_text(value: float | None) -> str:
    """A percentage change with one decimal, signed: +5.2%, -0.5%."""
    return MISSING if value is None else f"{value:+.1f}%"


def is_numeric(rows: Sequence[Sequence[Any]], index: int) -> bool:
    """Right-aligned: every value a number (or a boolean), and at least one value."""
    values = [row[index] for row in rows if row[index] is not None]
    return bool(values) and all(isinstance(v, int | float | Decimal) for v in values)


def table(result: Result, reading: Mapping[str, Reading] | None = None) -> Table:
    """The rich table of a result: reading text, numbers right-aligned."""
    reading = reading or {}
    shown = Table(show_edge=False, header_style="bold")
    for index, column in enumerate(result.columns):
        shown.add_column(column, justify="right" if is_numeric(result.rows, index) else "left")
    for row in result.rows:
        shown.add_row(*(
            Text(reading[c](v) if c in reading else reading_text(c, v))
            for c, v in zip(result.columns, row, strict=True)
        ))  # fmt: skip
    return shown


# --- printing --------------------------------------------------------------------------


def write_exact(console: Console, text: str, fmt: Format) -> None:
    """csv / json text onto the console's stream as is (no wrapping, no markup); excel:
    the byte-order mark first, UTF-8 whatever the stream's own encoding."""
    stream: TextIO = console.file
    if fmt is Format.excel:
        text = BOM + text
        binary = getattr(stream, "buffer", None)
        if binary is not None:
            stream.flush()
            binary.write(text.encode("utf-8"))
            binary.flush()
            return
    stream.write(text)
    stream.flush()


def print_result(
    console: Console,
    result: Result,
    fmt: Format | str,
    reading: Mapping[str, Reading] | None = None,
    noun: str = "row",
) -> None:
    """A result in the format asked; a table ends with its row count."""
    fmt = Format(fmt)
    if fmt is Format.json:
        write_exact(console, to_json(result.records()) + "\n", fmt)
    elif fmt in (Format.csv, Format.excel):
        write_exact(console, to_csv(result), fmt)
    else:
        console.print(table(result, reading))
        n = len(result.rows)
        console.print(f"({n} {noun}{'s' if n != 1 else ''})", style="dim")


def print_document(console: Console, document: Any, fmt: Format, main: Result) -> None:
    """A command that reports more than one table (status, validate, a run): json is the
    whole document, csv / excel its `main` table."""
    if fmt is Format.json:
        write_exact(console, to_json(document) + "\n", fmt)
    else:
        write_exact(console, to_csv(main), fmt)
