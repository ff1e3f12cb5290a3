"""Query timings on a catalog: every `v_*` view and three typical ad-hoc queries.

Each timing is what `bpw sql` pays: open the catalog read-only, run, fetch every row,
close. The first run of each query is a warm-up (file cache) and is not counted.

- a view's *scan*: `select count(*) from v_x` — the view's joins, windows and
  aggregations all run over the whole lake (unused output columns are pruned);
- a view's *lookup*: `select * from v_x where department_name = ?` — one department,
  every column fetched (what `bpw yoy --department` and an analyst's filter do);
- ad-hoc: a department's YoY row set, a full aggregate over every indicator, and the
  year's top-10 departments by funding (a fact ⋈ dimension join).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.timing import percentile

ADHOC = {
    "adhoc: department YoY (filter)": (
        "select * from v_department_yoy where department_name = $name order by year"
    ),
    "adhoc: indicators by year × category (full aggregate)": (
        "select year, category_code, count(*) as n, avg(annual_target_value) as avg_value "
        "from fact_indicator_target group by all order by all"
    ),
    "adhoc: top-10 departments 2026 (join)": (
        "select d.department_name, sum(f.total_amount) as total from fact_project_budget f "
        "join dim_department d using (department_id) where f.year = 2026 "
        "group by all order by total desc limit 10"
    ),
}


@dataclass
class Timing:
    name: str
    p50: float
    p95: float
    runs: int
    rows: int


def _once(catalog: Path, sql: str, params: dict[str, object]) -> tuple[float, int]:
    started = time.perf_counter()
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        rows = con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    finally:
        con.close()
    return time.perf_counter() - started, len(rows)


def time_query(
    catalog: Path, name: str, sql: str, params: dict[str, object], reps: int, budget: float
) -> Timing:
    """p50/p95 over `reps` runs after one warm-up; fewer runs (at least 3) when one run
    alone would spend a large part of `budget` seconds."""
    first, rows = _once(catalog, sql, params)
    runs = reps if first * reps <= budget else max(3, int(budget / max(first, 1e-9)))
    times = [_once(catalog, sql, params)[0] for _ in range(runs)]
    return Timing(name, percentile(times, 50), percentile(times, 95), runs, rows)


def views(catalog: Path) -> list[tuple[str, bool]]:
    """(view, has department_name) for every v_* view in the catalog."""
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select view_name from duckdb_views() where view_name like 'v\\_%' escape '\\' "
            "and not internal order by view_name"
        ).fetchall()]  # fmt: skip
        columns = {
            (t, c) for t, c in con.execute(
                "select table_name, column_name from duckdb_columns()"
            ).fetchall()
        }  # fmt: skip
    finally:
        con.close()
    return [(v, (v, "department_name") in columns) for v in names]


def a_department(catalog: Path) -> str:
    """A department present in every year (the lookups' parameter)."""
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        return con.execute(
            "select department_name from v_department_yoy group by 1 "
            "order by count(*) desc, 1 limit 1"
        ).fetchone()[0]
    finally:
        con.close()


def time_all(catalog: Path, reps: int, budget: float) -> list[Timing]:
    department = a_department(catalog)
    timings = []
    for view, has_department in views(catalog):
        timings.append(time_query(catalog, f"{view} scan", f"select count(*) from {view}",
                                  {}, reps, budget))  # fmt: skip
        if has_department:
            sql = f"select * from {view} where department_name = $name"
            timings.append(
                time_query(catalog, f"{view} lookup", sql, {"name": department}, reps, budget)
            )
    for name, sql in ADHOC.items():
        params = {"name": department} if "$name" in sql else {}
        timings.append(time_query(catalog, name, sql, params, reps, budget))
    return timings
