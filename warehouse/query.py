"""Read-only ad-hoc SQL on the catalog, and value formatting for display.

Imported by quick CLI commands: only duckdb and the standard library, nothing slow.
Guards, in depth: a single statement of a read type (checked with DuckDB's own
parser), a read-only connection, and a locked configuration.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb

_READ_TYPES = {duckdb.StatementType.SELECT}
_READ_PRAGMAS = {
    "table_info",
    "show",
    "show_tables",
    "show_tables_expanded",
    "show_databases",
    "database_size",
    "storage_info",
    "version",
    "platform",
    "functions",
    "collations",
    "metadata_info",
}
_PRAGMA = re.compile(r"^\s*pragma\s+(\w+)\s*(\(.*\))?\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_EXPLAIN = re.compile(r"^\s*explain\s*(?:\([^)]*\)\s*)?(?:analy[sz]e\s+)?", re.IGNORECASE)


class QueryRefused(ValueError):
    """The SQL is not a single read statement; `reason` says why, in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _statement_name(statement: duckdb.Statement) -> str:
    return str(statement.type).rsplit(".", 1)[-1]


def _check_statement(statement: duckdb.Statement, depth: int = 0) -> None:
    kind = statement.type
    if kind in _READ_TYPES:
        return
    if kind == duckdb.StatementType.PRAGMA:
        match = _PRAGMA.match(statement.query)
        if match and match.group(1).lower() in _READ_PRAGMAS:
            return
        raise QueryRefused("only read-only PRAGMAs (e.g. table_info, show_tables) are allowed")
    if kind == duckdb.StatementType.EXPLAIN and depth == 0:
        inner = _EXPLAIN.sub("", statement.query, count=1)
        _check_statement(_single_statement(inner), depth + 1)
        return
    raise QueryRefused(
        f"{_statement_name(statement)} is not allowed: the warehouse is read-only "
        "(SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA table_info)"
    )


def _single_statement(sql: str) -> duckdb.Statement:
    try:
        statements = duckdb.extract_statements(sql)
    except (duckdb.Error, ValueError) as exc:
        raise QueryRefused(f"cannot parse the query: {str(exc).splitlines()[0]}") from exc
    if len(statements) != 1:
        raise QueryRefused(f"give exactly one statement (got {len(statements)})")
    return statements[0]


def check_readonly(sql: str) -> None:
    """Raise QueryRefused unless `sql` is a single read statement."""
    _check_statement(_single_statement(sql))


def run_readonly(
    catalog: Path, sql: str, parameters: list[object] | None = None
) -> tuple[list[str], list[tuple]]:
    """Run one read statement on the catalog (values bound, never pasted); returns
    (column names, rows)."""
    check_readonly(sql)
    if not Path(catalog).exists():
        raise FileNotFoundError(f"{catalog}: no warehouse yet (run `bpw nightly` or `bpw demo`)")
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        con.execute("set autoinstall_known_extensions = false")
        con.execute("set lock_configuration = true")
        cursor = con.execute(sql, parameters) if parameters else con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    finally:
        con.close()


def format_value(value: object) -> str:
    """Display text: None → '', decimals without zeros beyond two places (5373.550000 →
    '5373.55', 0.123456 stays), everything else as str()."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _format_decimal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _format_decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." not in text:
        return text
    whole, fraction = text.split(".")
    fraction = fraction.rstrip("0").ljust(min(2, len(fraction)), "0")
    return f"{whole}.{fraction}"
