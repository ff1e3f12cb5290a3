-- 部门目标完成同比: per department and year, how many 自评表 indicators met or missed
-- their targets and how much of the budget was spent, beside the year before.
create view v_department_attainment_yoy as
with results as (
    select * from fact_indicator_result
),

executions as (
    select * from fact_project_execution
),

departments as (
    select * from dim_department
),

result_counts as (
    select
        department_id,
        year,
        count(*) as n_indicators,
        count(*) filter (where attainment = 'met') as n_met,
        count(*) filter (where attainment = 'missed') as n_missed
    from results
    group by department_id, year
),

execution_totals as (
    select
        department_id,
        year,
        sum(executed_amount) as executed_amount,
        sum(adjusted_budget_amount) as adjusted_budget_amount
    from executions
    group by department_id, year
),

yearly as (
    select
        coalesce(result_counts.department_id, execution_totals.department_id) as department_id,
        coalesce(result_counts.year, execution_totals.year) as year,
        coalesce(result_counts.n_indicators, 0) as n_indicators,
        coalesce(result_counts.n_met, 0) as n_met,
        coalesce(result_counts.n_missed, 0) as n_missed,
        -- met share of the indicators judged met or missed (qualitative and unreported
        -- ones are not judged)
        share_pct(result_counts.n_met, result_counts.n_met + result_counts.n_missed) as met_pct,
        share_pct(execution_totals.executed_amount, execution_totals.adjusted_budget_amount)
            as execution_rate
    from result_counts
    full outer join execution_totals
        on execution_totals.department_id = result_counts.department_id
        and execution_totals.year = result_counts.year
),

final as (
    select
        cast(departments.department_name as varchar) as department_name,
        cur.year,
        cur.n_indicators,
        cur.n_met,
        cur.n_missed,
        cur.met_pct,
        prev.met_pct as prev_met_pct,
        cur.execution_rate,
        prev.execution_rate as prev_execution_rate
    from yearly as cur
    left join yearly as prev
        on prev.department_id = cur.department_id
        and prev.year = cur.year - 1
    left join departments on departments.department_id = cur.department_id
)

select * from final;

comment on view v_department_attainment_yoy is '部门目标完成同比 — per department and year: 自评表 indicators met and missed, the met share and the budget execution rate, beside the year before';
