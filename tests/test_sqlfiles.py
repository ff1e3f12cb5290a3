"""The view files: what each selects from, and a build order derived from that."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.catalog import ALL_VIEWS, STAGING_VIEWS
from warehouse.sqlfiles import build_order, dependencies, load_sql, references, view_files


def test_references_are_identifiers_not_comments_or_literals() -> None:
    sql = (
        '-- reads dim_unit\ncreate view v_x as\nwith a as (select * from "dim_project")\n'
        "select 'fact_project_budget' as name, * from a join stg_projects using (project_id);"
    )
    known = {"dim_unit", "dim_project", "fact_project_budget", "stg_projects", "v_x"}
    assert references(sql, known) == {"dim_project", "stg_projects", "v_x"}


def test_every_view_is_built_after_everything_it_selects_from() -> None:
    order = build_order()
    assert sorted(order) == sorted(view_files()) == sorted((*STAGING_VIEWS, *ALL_VIEWS))
    position = {view: i for i, view in enumerate(order)}
    graph = dependencies()
    for view, uses in graph.items():
        for used in uses:
            assert position[used] < position[view], f"{view} is built before {used}"
    assert "stg_current_files" in graph["stg_projects"]
    assert {"stg_projects"} <= graph["fact_project_budget"]
    assert {"fact_project_budget", "dim_department"} <= graph["v_department_yoy"]


def test_the_order_follows_the_graph_not_the_names() -> None:
    graph = {"a_top": {"z_base"}, "z_base": set(), "m_mid": {"z_base"}, "b_end": {"a_top"}}
    assert build_order(graph) == ("z_base", "a_top", "m_mid", "b_end")


def test_a_cycle_is_refused_naming_its_views() -> None:
    with pytest.raises(ValueError, match="cycle") as refused:
        build_order({"v_a": {"v_b"}, "v_b": {"v_a"}})
    assert "v_a" in str(refused.value) and "v_b" in str(refused.value)


def test_the_shared_macros() -> None:
    con = duckdb.connect()
    con.execute(load_sql("macros"))
    row = con.execute(
        "select yoy_pct(110, 100), yoy_pct(5, 0), yoy_pct(5, null), share_pct(1, 4), "
        "share_pct(1, 0), indicator_key('ＫＰＩ 达标 率'), amount_text(5373.550000), "
        "amount_text(12), amount_text(0.123456)"
    ).fetchone()
    assert row == (10.0, None, None, 25.0, None, "KPI达标率", "5373.55", "12.00", "0.123456")
    for view in view_files():
        code = load_sql(view)
        assert "prev_total_amount = 0 then null" not in code, view  # yoy_pct, not a copy
        assert "ｚ｛｜｝～" not in code, view  # indicator_key, not a copy


def test_what_current_means_is_said_once() -> None:
    saying = [view for view in view_files() if "status = 'current'" in load_sql(view)]
    assert saying == ["stg_current_files"]
