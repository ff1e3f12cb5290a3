"""`bpw yoy`: which view, which columns, which filters (values always bound), and how
figures read in a terminal or a report: amounts with thousands separators, changes
signed, percentages with one decimal, a missing year as a dash (never a fake zero).

Imported by a quick CLI command: only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from warehouse.query import format_value

MISSING = "—"

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
# How the terminal shows each figure: amounts, signed changes, signed percentages.
AMOUNT_COLUMNS = frozenset({"total_amount", "prev_total_amount"})
CHANGE_COLUMNS = frozenset({"yoy_change"})
PERCENT_COLUMNS = frozenset({"yoy_pct"})


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


def _grouped(text: str) -> str:
    """'-1234567.5' → '-1,234,567.5' (the digits themselves untouched)."""
    sign = "-" if text.startswith("-") else ""
    whole, dot, fraction = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{dot}{fraction}"


def amount_text(value: Decimal | None) -> str:
    """An exact amount in 万元 for reading: 1,446.87 (no digit dropped, none invented)."""
    return MISSING if value is None else _grouped(format_value(value))


def change_text(value: Decimal | None) -> str:
    """A change, signed: +43.31, -44.59, 0.00."""
    if value is None:
        return MISSING
    text = amount_text(value)
    return f"+{text}" if value > 0 else text


def percent_text(value: float | None) -> str:
    """A percentage change with one decimal, signed: +5.2%, -0.5%."""
    return MISSING if value is None else f"{value:+.1f}%"


def cell_text(column: str, value: object) -> str:
    """How `bpw yoy` shows one value of one of its columns."""
    if column in AMOUNT_COLUMNS:
        return amount_text(value)  # type: ignore[arg-type]
    if column in CHANGE_COLUMNS:
        return change_text(value)  # type: ignore[arg-type]
    if column in PERCENT_COLUMNS:
        return percent_text(value)  # type: ignore[arg-type]
    return format_value(value)
