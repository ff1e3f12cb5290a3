"""Read-only ad-hoc SQL on the catalog, and value formatting for display.

Imported by quick CLI commands: only duckdb and the standard library, nothing slow.
Guards, in depth: a single statement of a read type (checked with DuckDB's own
parser), a read-only attachment of the catalog, and DuckDB confined to the lake: no
file outside it can be read, listed or attached, no extension installed or loaded, and
the configuration locked (`confined_connection`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb

from warehouse.sqlfiles import sql_string_literal

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


def lake_of(catalog: Path) -> Path:
    """The lake whose Parquet files the catalog's views read: `lake/` beside the catalog
    (the data home's layout, `flows.settings.Settings`)."""
    return Path(catalog).parent / "lake"


# after the catalog is attached and `allowed_directories` set (DuckDB refuses to change
# allowed_directories once external access is off, and to set it before the database
# starts, so none of this can go in `duckdb.connect(config=…)`)
_CONFINE = (
    "set enable_external_access = false",
    "set autoload_known_extensions = false",
    "set autoinstall_known_extensions = false",
    "set lock_configuration = true",
)


def confined_connection(catalog: Path, lake: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection that reads the catalog (attached read-only, the default database) and
    files under `lake` (default `lake_of(catalog)`) and nothing else on this machine.

    The connection is its own in-memory database: DuckDB settings are per database
    instance, and `duckdb.connect(catalog)` would share (and lock) the instance of any
    other connection this process holds on the same file. DuckDB's confinement is about
    reach, not writes: a COPY into the lake would pass it, and is refused by
    `check_readonly` (as every other write) before anything runs.
    """
    allowed = Path(lake if lake is not None else lake_of(catalog)).resolve()
    catalog = Path(catalog).resolve()
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {sql_string_literal(str(catalog))} as warehouse (read_only)")
        con.execute("use warehouse")
        # spills where `duckdb.connect(catalog)` puts them (an in-memory database would
        # use ./.tmp, and DuckDB allows its temp folder whatever the settings below say)
        con.execute(f"set temp_directory = {sql_string_literal(f'{catalog}.tmp')}")
        con.execute(f"set allowed_directories = [{sql_string_literal(str(allowed))}]")
        for statement in _CONFINE:
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


def run_readonly(
    catalog: Path, sql: str, parameters: list[object] | None = None, lake: Path | None = None
) -> tuple[list[str], list[tuple]]:
    """Run one read statement on the catalog (values bound, never pasted), confined to
    the catalog and its lake (default `lake_of(catalog)`; an as-of catalog lives apart
    from the lake it reads); returns (column names, rows). A read outside them raises
    QueryRefused."""
    check_readonly(sql)
    if not Path(catalog).exists():
        raise FileNotFoundError(f"{catalog}: no warehouse yet (run `bpw nightly` or `bpw demo`)")
    lake = Path(lake if lake is not None else lake_of(catalog)).resolve()
    con = confined_connection(catalog, lake)
    try:
        cursor = con.execute(sql, parameters) if parameters else con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    except duckdb.PermissionException as exc:
        raise QueryRefused(_outside(con, exc, lake)) from None
    finally:
        con.close()


_ACCESS = re.compile(r'Cannot access file "(.*)" - ', re.DOTALL)


def _outside(con: duckdb.DuckDBPyConnection, exc: duckdb.PermissionException, lake: Path) -> str:
    """One line for a read DuckDB refused: which path, and what may be read instead (or,
    for a catalog that reads another lake — one not found beside its file, e.g. renamed
    — how to fix it; a moved or copied data home reads its own lake)."""
    match = _ACCESS.search(str(exc))
    if not match:
        return f"{_escaped(str(exc))}: only the warehouse and its lake ({lake}) can be read"
    path = match.group(1)
    try:
        (built_for,) = con.execute("select lake_path from bpw_catalog").fetchone() or ("",)
    except duckdb.Error:
        built_for = ""
    if built_for and built_for != str(lake) and path.startswith(built_for.rstrip("/") + "/"):
        return (
            f"the catalog reads the lake at {_escaped(built_for)}, not this data home's "
            f"({_escaped(str(lake))}): run `bpw nightly` to rebuild it"
        )
    return (
        f'cannot read "{_escaped(path)}": only the warehouse and its lake '
        f"({_escaped(str(lake))}) can be read"
    )


def _escaped(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


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
