"""The warehouse's SQL: view files on disk, their build order, and the two quoting helpers.

Values are always bound parameters. The only text composed in Python is identifiers
(`quote_ident`) and string literals DuckDB will not take as parameters: Parquet paths
inside view definitions and fixed comment texts (`sql_string_literal`), both of which
the warehouse itself generates.

A view is a file `sql/<layer>_<name>.sql` whose layer is one of `LAYERS`; the build
order is not kept by hand but derived from what each file's SQL names: a view is built
after every view it selects from (`build_order`).
"""

from __future__ import annotations

import re
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
# staging (current rows, casts, once), then dimensions and facts, then analysis views
LAYERS = ("stg", "dim", "fact", "v")
_COMMENT = re.compile(r"--[^\n]*")
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


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
    """The text of `sql/<view>.sql` (create view + its comment)."""
    path = SQL_DIR / f"{view}.sql"
    return path.read_text(encoding="utf-8")


def render_sql(name: str, **literals: str | None) -> str:
    """`sql/<name>.sql` with each `{key}` replaced by a SQL string literal (None → null)."""
    text = load_sql(name)
    for key, value in literals.items():
        text = text.replace(f"{{{key}}}", "null" if value is None else sql_string_literal(value))
    return text


def view_files() -> tuple[str, ...]:
    """Every view defined in sql/, by name (`stg_*`, `dim_*`, `fact_*`, `v_*`), sorted."""
    names = (path.stem for path in SQL_DIR.glob("*.sql"))
    return tuple(sorted(n for n in names if n.split("_", 1)[0] in LAYERS))


def references(sql: str, known: set[str] | frozenset[str]) -> set[str]:
    """The `known` names this SQL mentions as identifiers (comments and string literals
    aside): the views, tables and lake views a view selects from."""
    code = _LITERAL.sub("''", _COMMENT.sub("", sql)).lower()
    words = set(_WORD.findall(_QUOTED.sub(lambda m: f" {m.group(1)} ", code)))
    return words & set(known)


def dependencies(views: tuple[str, ...] | None = None) -> dict[str, set[str]]:
    """Each view → the other views of sql/ its definition selects from."""
    views = view_files() if views is None else views
    known = set(views)
    return {view: references(_definition(view), known) - {view} for view in views}


def _definition(view: str) -> str:
    """The `create view` statement of a view file, without the comments that follow it."""
    sql = load_sql(view)
    return sql.split("\ncomment on ", 1)[0]


def build_order(graph: dict[str, set[str]] | None = None) -> tuple[str, ...]:
    """The views in an order that builds each after everything it selects from (ties by
    name, so the order is stable). A cycle raises ValueError naming its views."""
    graph = dependencies() if graph is None else graph
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = " → ".join(exc.args[1])
        raise ValueError(f"the views select from each other in a cycle: {cycle}") from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)
