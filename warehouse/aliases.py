"""Department aliases: a user-edited file that says which names are one department.

`$BPW_HOME/aliases.csv` (beside the catalog) has two columns, `alias_name` and
`canonical_name`; `#` starts a comment line. Names compare normalized (full-width
folded, whitespace removed), exactly as the ids are made in `transforms.identity`.

The catalog applies the file when it is built: every id of an aliased department is
mapped to the id its canonical name would have. Projects and units keep their
identity by name within the department; a name that starts with the old department
name (as `<部门>2023-2024年信息化运维项目` does) is read with the canonical name in
front, so a series carries on across a rename. Nothing in the lake is rewritten: remove
a line and rebuild, and the departments are apart again.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.identity import normalize_name, stable_id
from warehouse.fsio import write_text_atomic

ALIAS_FILE = "aliases.csv"
HEADER = ("alias_name", "canonical_name")
TEMPLATE = """\
# bpw department aliases: one line per old (or variant) department name.
#   alias_name      a name the department was published under in some years
#   canonical_name  the name every year is reported under
# Names are compared normalized (full-width folded, spaces removed). Lines starting
# with # are comments. Apply with `bpw aliases` (the next `bpw nightly` applies it too).
alias_name,canonical_name
"""


class AliasError(ValueError):
    """The alias file cannot be applied; the message names the file and the line."""


@dataclass(frozen=True)
class Alias:
    alias_name: str
    canonical_name: str
    line: int


@dataclass(frozen=True)
class DepartmentAlias:
    """One resolved alias: the alias's department id maps to the canonical one."""

    alias_name: str
    canonical_name: str
    alias_key: str
    canonical_key: str

    @property
    def alias_department_id(self) -> int:
        return stable_id("department", self.alias_key)

    @property
    def department_id(self) -> int:
        return stable_id("department", self.canonical_key)

    def rekey(self, name_key: str) -> str:
        """A unit or project key under the canonical name (the old name prefix replaced)."""
        if name_key.startswith(self.alias_key):
            return self.canonical_key + name_key[len(self.alias_key) :]
        return name_key


def alias_file_for(catalog: Path) -> Path:
    """Where the alias file of a data home lives: beside its catalog."""
    return Path(catalog).with_name(ALIAS_FILE)


def ensure_alias_file(path: Path) -> bool:
    """Create the file with its header and an explanatory comment; False if it existed."""
    path = Path(path)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, TEMPLATE, "alias file")
    return True


def read_aliases(path: Path) -> list[Alias]:
    """The file's alias lines (none if the file is missing); AliasError if malformed."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AliasError(f"{path}: cannot read the alias file ({exc})") from None
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return []
    aliases: list[Alias] = []
    for index, (number, line) in enumerate(lines):
        cells = [cell.strip() for cell in next(csv.reader(io.StringIO(line)))]
        if index == 0:
            if tuple(cells) != HEADER:
                raise AliasError(
                    f"{path} line {number}: the header must be 'alias_name,canonical_name'"
                )
            continue
        if len(cells) != 2 or not all(cells):
            raise AliasError(
                f"{path} line {number}: give two non-empty names, alias_name,canonical_name"
            )
        aliases.append(Alias(cells[0], cells[1], number))
    return aliases


def resolve(aliases: list[Alias], path: Path | str = ALIAS_FILE) -> list[DepartmentAlias]:
    """Follow chains (a → b, b → c gives a → c); refuse cycles and contradictions."""
    target: dict[str, Alias] = {}
    for alias in aliases:
        key = normalize_name(alias.alias_name)
        if key == normalize_name(alias.canonical_name):
            continue  # a name that is its own canonical form says nothing
        known = target.get(key)
        if known and normalize_name(known.canonical_name) != normalize_name(alias.canonical_name):
            raise AliasError(
                f"{path} line {alias.line}: {alias.alias_name} is already an alias of "
                f"{known.canonical_name} (line {known.line})"
            )
        target.setdefault(key, alias)
    resolved: list[DepartmentAlias] = []
    for key, alias in sorted(target.items()):
        seen, final = {key}, alias
        while (next_key := normalize_name(final.canonical_name)) in target:
            if next_key in seen:
                raise AliasError(f"{path} line {alias.line}: the aliases of "
                                 f"{alias.alias_name} go round in a circle")  # fmt: skip
            seen.add(next_key)
            final = target[next_key]
        canonical = final.canonical_name
        resolved.append(
            DepartmentAlias(alias.alias_name, canonical, key, normalize_name(canonical))
        )
    return resolved


def load_aliases(path: Path) -> list[DepartmentAlias]:
    """Read and resolve the alias file at `path`."""
    return resolve(read_aliases(path), path)


def alias_rows(aliases: list[DepartmentAlias]) -> list[tuple[str, str, int, int]]:
    """Rows of the catalog's `bpw_department_alias` table, in a stable order."""
    return sorted(
        (a.alias_name, a.canonical_name, a.alias_department_id, a.department_id) for a in aliases
    )


def id_remap(
    con: duckdb.DuckDBPyConnection, aliases: list[DepartmentAlias]
) -> list[tuple[str, int, int, str | None]]:
    """(kind, from_id, to_id, project_family) for every id of an aliased department.

    Reads the names of the aliased departments' units and projects from the `lake_*`
    views, and gives each the id it has under the canonical department name. Empty when
    no aliased name is loaded (the lake views then stay plain).
    """
    by_id = {a.alias_department_id: a for a in aliases}
    loaded = [
        department_id
        for (department_id,) in con.execute(
            "select distinct department_id from lake_source_files "
            "where department_id in (select unnest($1::bigint[]))",
            [list(by_id)],
        ).fetchall()
    ]
    if not loaded:
        return []
    rows: dict[tuple[str, int], tuple[str, int, int, str | None]] = {
        ("department", i): ("department", i, by_id[i].department_id, None) for i in loaded
    }
    units = con.execute(
        "select distinct department_id, unit_id, unit_name from lake_units "
        "where department_id in (select unnest($1::bigint[])) union "
        "select distinct department_id, unit_id, unit_name from lake_projects "
        "where department_id in (select unnest($1::bigint[]))",
        [loaded],
    ).fetchall()
    for department_id, unit_id, unit_name in units:
        if unit_id is None:
            continue
        alias = by_id[department_id]
        key = alias.rekey(normalize_name(unit_name))
        new_id = stable_id("unit", alias.canonical_key, key)
        rows[("unit", unit_id)] = ("unit", unit_id, new_id, None)
    projects = con.execute(
        "select distinct department_id, project_id, project_name, project_family "
        "from lake_projects where department_id in (select unnest($1::bigint[]))",
        [loaded],
    ).fetchall()
    for department_id, project_id, project_name, family in projects:
        if project_id is None:
            continue
        alias = by_id[department_id]
        key = alias.rekey(normalize_name(project_name))
        new_id = stable_id("project", alias.canonical_key, key)
        rows[("project", project_id)] = ("project", project_id, new_id, alias.rekey(family or ""))
    return [rows[key] for key in sorted(rows)]
