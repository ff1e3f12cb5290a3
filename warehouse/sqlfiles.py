"""The warehouse's SQL: view files on disk, plus the two quoting helpers.

Values are always bound parameters. The only text composed in Python is identifiers
(`quote_ident`) and string literals DuckDB will not take as parameters: Parquet paths
inside view definitions and fixed comment texts (`sql_string_literal`), both of which
the warehouse itself generates.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")


def quote_ident(name: str) -> str:
    """A DuckDB identifier, double-quoted with embedded quotes doubled."""
    if "\x00" in name:
        raise ValueError("identifier contains NUL")
    return '"' + name.replace('"', '""') + '"'


def sql_string_literal(text: str) -> str:
    """A single-quoted SQL string literal (single quotes doubled)."""
    if "\x00" in text:
        raise ValueError("string literal contains NUL")
    return "'" + text.replace("'", "''") + "'"


@cache
def load_sql(view: str) -> str:
    """The text of `sql/<view>.sql` (create view + its comments)."""
    path = SQL_DIR / f"{view}.sql"
    return path.read_text(encoding="utf-8")
