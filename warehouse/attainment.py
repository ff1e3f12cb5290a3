"""`bpw attainment`: the targets-against-results query (values always bound).

Imported by a quick CLI command: only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = (
    "year", "department_name", "project_name", "indicator_seq", "category_code",
    "indicator_name", "target_text", "reported_target_text", "target_restated",
    "actual_text", "attainment", "weight", "score", "deviation_reason",
)  # fmt: skip


@dataclass(frozen=True)
class AttainmentQuery:
    sql: str
    parameters: list[object]


def attainment_query(
    department: str | None = None, year: int | None = None, missed: bool = False
) -> AttainmentQuery:
    """Rows of v_target_attainment, filtered by department (substring), year and, with
    `missed`, only the targets missed; ordered by department, year, project, indicator."""
    sql = (
        f"select {', '.join(COLUMNS)} from v_target_attainment "
        "where ($1::varchar is null or department_name like '%' || $1 || '%') "
        "and ($2::integer is null or year = $2) "
        "and (not $3::boolean or attainment = 'missed') "
        "order by department_name, year, project_name, indicator_seq"
    )
    return AttainmentQuery(sql, [department, year, missed])
