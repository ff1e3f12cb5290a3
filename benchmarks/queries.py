"""Query timings on a catalog: every `v_*` view and three typical ad-hoc queries.

Each timing is what `bpw sql` pays: open the catalog read-only, run, fetch every row,
close. The first run of each query is a warm-up (file cache) and is not counted; a run is
interrupted at a time limit, and the query then reported as slower than the limit.

- a view's *scan*: `select count(*) from v_x` — the view's joins, windows and
  aggregations all run over the whole lake (unused output columns are pruned);
- a view's *lookup*: `select * from v_x where department_name = ?` — one department,
  every column fetched (what `bpw yoy --department` and an analyst's filter do);
- ad-hoc: a department's YoY row set, a full aggregate over every indicator, and the
  year's top-10 departments by funding (a fact ⋈ dimension join).
"""

from __future__ import annotations

import threading
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
    p50: float | None  # None: the query did not finish within the time limit
    p95: float | None
    runs: int
    rows: int | None
    limit: float


class TimedOut(Exception):
    pass


def _once(catalog: Path, sql: str, params: dict[str, object], limit: float) -> tuple[float, int]:
    """Seconds to open, run, fetch and close, and the rows fetched (a count's value);
    TimedOut (the query interrupted) past `limit`."""
    started = time.perf_counter()
    con = duckdb.connect(str(catalog), read_only=True)
    timer = threading.Timer(limit, con.interrupt)
    timer.start()
    try:
        rows = con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    except duckdb.InterruptException:
        raise TimedOut(sql) from None
    finally:
        timer.cancel()
        con.close()
    elapsed = time.perf_counter() - started
    return elapsed, rows[0][0] if sql.startswith("select count(*) from") else len(rows)


def time_query(
    catalog: Path, name: str, sql: str, params: dict[str, object], reps: int, limit: float
) -> Timing:
    """p50/p95 over `reps` runs after one warm-up. A run is stopped at `limit` seconds
    (the query is then reported as slower than that); a query whose warm-up took more
    than limit / reps gets as many runs as fit in `limit` seconds, at least one."""
    try:
        first, rows = _once(catalog, sql, params, limit)
    except TimedOut:
        return Timing(name, None, None, 0, None, limit)
    runs = reps if first * reps <= limit else max(1, int(limit / max(first, 1e-9)))
    try:
        times = [_once(catalog, sql, params, limit)[0] for _ in range(runs)]
    except TimedOut:
        return Timing(name, None, None, 0, rows, limit)
    return Timing(name, percentile(times, 50), percentile(times, 95), runs, rows, limit)


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
    """A department with a table in every year (the lookups' parameter; at L it is M's
    own, under its original name)."""
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        return con.execute(
            "select department_name from dim_source_file join dim_department "
            "using (department_id) where status = 'current' group by 1 "
            "order by count(distinct year) desc, 1 limit 1"
        ).fetchone()[0]
    finally:
        con.close()


def time_all(catalog: Path, reps: int, limit: float, department: str) -> list[Timing]:
    """Every view's scan and lookup, then the ad-hoc queries (see the module docstring)."""
    timings = []
    for view, has_department in views(catalog):
        timings.append(time_query(catalog, f"{view} scan", f"select count(*) from {view}",
                                  {}, reps, limit))  # fmt: skip
        if has_department:
            sql = f"select * from {view} where department_name = $name"
            timings.append(
                time_query(catalog, f"{view} lookup", sql, {"name": department}, reps, limit)
            )
    for name, sql in ADHOC.items():
        params = {"name": department} if "$name" in sql else {}
        timings.append(time_query(catalog, name, sql, params, reps, limit))
    return timings
