-- 报告·目标完成情况（年度）: `bpw report`'s attainment table, one row per department and
-- year a 自评表 is loaded for: indicators met and missed, the met share, and the budget
-- executed against the adjusted budget (万元, exact) with its rate.
with attainment as (
    select * from v_department_attainment_yoy
),

executions as (
    select * from fact_project_execution
),

departments as (
    select * from dim_department
),

execution_totals as (
    select
        cast(departments.department_name as varchar) as department_name,
        executions.year,
        sum(executions.adjusted_budget_amount) as adjusted_budget_amount,
        sum(executions.executed_amount) as executed_amount
    from executions
    inner join departments on departments.department_id = executions.department_id
    group by departments.department_name, executions.year
),

final as (
    select
        attainment.department_name,
        attainment.year,
        attainment.n_indicators,
        attainment.n_met,
        attainment.n_missed,
        attainment.met_pct,
        execution_totals.adjusted_budget_amount,
        execution_totals.executed_amount,
        attainment.execution_rate
    from attainment
    left join execution_totals
        on execution_totals.department_name = attainment.department_name
        and execution_totals.year = attainment.year
)

select * from final
order by department_name, year
