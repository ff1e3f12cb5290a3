"""How a publish files a computed view's rows into department buckets
(`warehouse.materialize`): by department_id when the view has it, else by department
name through bpw_department_bucket; a name that names no department, or two in different
buckets, leaves the view unfiled (the catalog then computes it from the lake).
"""

from __future__ import annotations

import duckdb
import pytest

from warehouse.derived import BUCKETS
from warehouse.materialize import _compute, _passes
from warehouse.sqlfiles import load_sql

A, B = 3 * BUCKETS + 1, 5 * BUCKETS + 2  # two departments in buckets 1 and 2


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(load_sql("macros"))
    con.execute(load_sql("bpw_bucket"))
    con.execute(
        "create table stg_source_files as select * from (values "
        f"('甲局', {A}::bigint), ('甲 局（旧）', {A}::bigint), ('乙局', {B}::bigint)) "
        "as t(department_name, department_id)"
    )
    con.execute(
        "create table dim_department as select * from (values "
        f"({A}::bigint, '甲局'), ({B}::bigint, '乙局')) as t(department_id, department_name)"
    )
    con.execute(load_sql("bpw_department_bucket"), {"buckets": BUCKETS})
    return con


def filed(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select department_name, bpw_row_bucket from bpw_rows order by 1").fetchall()


def test_rows_with_a_department_id_are_filed_by_it(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create view v_by_id as select * from (values "
        f"({A}::bigint, 'x'), ({B}::bigint, 'y'), (null::bigint, 'z')) "
        "as t(department_id, department_name)"
    )
    assert _compute(con, "v_by_id")
    assert filed(con) == [("x", 1), ("y", 2), ("z", 0)]


def test_rows_without_one_are_filed_by_the_department_name(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute(
        "create view v_by_name as select * from (values ('甲局', 1), ('甲 局（旧）', 2), "
        "('乙局', 3)) as t(department_name, n)"
    )
    assert _compute(con, "v_by_name")
    assert filed(con) == [("乙局", 2), ("甲 局（旧）", 1), ("甲局", 1)]
    assert [c[0] for c in con.execute("select * from bpw_rows").description] == [
        "department_name", "n", "bpw_row_bucket",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["丙局", None])
def test_a_row_whose_name_names_no_department_leaves_the_view_unfiled(
    con: duckdb.DuckDBPyConnection, name: str | None
) -> None:
    other = "null" if name is None else f"'{name}'"
    con.execute(
        f"create view v_unknown as select * from (values ('甲局'), ({other})) as t(department_name)"
    )
    assert not _compute(con, "v_unknown")


def test_a_name_of_two_buckets_is_not_used(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"insert into stg_source_files values ('乙局', {A})")
    con.execute(load_sql("bpw_department_bucket"), {"buckets": BUCKETS})
    con.execute("create view v_two as select '乙局' as department_name")
    assert not _compute(con, "v_two")


def test_passes_hold_whole_buckets_up_to_the_row_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    con = duckdb.connect()
    con.execute(load_sql("bpw_bucket"))
    con.execute(
        "create table lake_indicators as select (i % 4)::bigint as department_id "
        "from range(40) as t(i)"
    )  # 10 rows in each of buckets 0..3
    monkeypatch.setattr("warehouse.materialize.PASS_ROWS", 25)
    assert _passes(con, {0, 1, 2, 3}) == [[0, 1], [2, 3]]
    monkeypatch.setattr("warehouse.materialize.PASS_ROWS", 5)
    assert _passes(con, {1, 3}) == [[1], [3]]
