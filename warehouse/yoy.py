"""`bpw yoy`: which view, which columns, which filters (values always bound). How its
figures read is the interface's (`interface.formats`).

Imported by a quick CLI command: only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

# The level asked for → (view, columns shown, the name column filtered by the option).
LEVELS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "department": (
        "v_department_yoy",
        ("department_name", "year", "total_amount", "prev_total_amount", "yoy_change",
         "yoy_pct", "n_projects", "n_indicators"),
        None,
    ),
    "family": (
        "v_project_family_yoy",
        ("department_name", "project_family", "year", "n_members", "total_amount",
         "prev_total_amount", "yoy_change", "yoy_pct"),
        "project_family",
    ),
    "project": (
        "v_project_yoy",
        ("department_name", "project_name", "year", "status", "total_amount",
         "prev_total_amount", "yoy_change", "yoy_pct"),
        "project_name",
    ),
}  # fmt: skip
@dataclass(frozen=True)
class YoyQuery:
    sql: str
    parameters: list[object]


def yoy_query(
    department: str | None = None,
    project: str | None = None,
    family: str | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
) -> YoyQuery:
    """The query for one level: project if `project` is given, else family if `family`
    is, else department. Names match as substrings; ValueError for both project and family.
    """
    if project and family:
        raise ValueError("give --project or --family, not both")
    level = "project" if project else "family" if family else "department"
    view, columns, name_column = LEVELS[level]
    conditions = [
        "($1::varchar is null or department_name like '%' || $1 || '%')",
        "($2::integer is null or year >= $2)",
        "($3::integer is null or year <= $3)",
    ]
    parameters: list[object] = [department, from_year, to_year]
    if name_column:
        conditions.append(f"{name_column} like '%' || $4 || '%'")
        parameters.append(project or family)
    order = ", ".join(c for c in ("department_name", name_column, "year") if c)
    sql = (
        f"select {', '.join(columns)} from {view} where {' and '.join(conditions)} "
        f"order by {order}"
    )
    return YoyQuery(sql, parameters)
