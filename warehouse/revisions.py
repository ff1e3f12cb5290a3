"""`bpw diff`: the revision query (values always bound).

Imported by a quick CLI command: only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = (
    "year", "department_name", "change_kind", "project_name", "indicator_name", "field",
    "old_value", "new_value", "old_source_file_id", "new_source_file_id", "changed_at",
)  # fmt: skip
# the order a pair's changes read in: the table's total, then projects, then indicators
KIND_ORDER = (
    "declared_total_changed", "project_added", "project_removed", "amount_changed",
    "goal_changed", "indicator_added", "indicator_removed", "target_changed",
    "execution_changed", "result_changed",
)  # fmt: skip
FIELD_ORDER = (
    "declared_total_amount", "total_amount", "fiscal_amount", "special_account_amount",
    "other_amount", "performance_goal", "annual_target_text", "period_target_text",
    "initial_budget_amount", "adjusted_budget_amount", "executed_amount", "actual_text", "score",
    "deviation_reason",
)  # fmt: skip


@dataclass(frozen=True)
class DiffQuery:
    sql: str
    parameters: list[object]


def diff_query(department: str | None = None, year: int | None = None) -> DiffQuery:
    """Every change of v_revision_change, filtered by department (substring) and year,
    ordered by batch, then revision, then kind, project, indicator and field."""
    sql = (
        f"select {', '.join(COLUMNS)} from v_revision_change "
        "where ($1::varchar is null or department_name like '%' || $1 || '%') "
        "and ($2::integer is null or year = $2) "
        "order by department_name, year, changed_at, new_source_file_id, "
        "list_position($3::varchar[], change_kind), project_name nulls first, "
        "indicator_name nulls first, list_position($4::varchar[], field)"
    )
    return DiffQuery(sql, [department, year, list(KIND_ORDER), list(FIELD_ORDER)])
