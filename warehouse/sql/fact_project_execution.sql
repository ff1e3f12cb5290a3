-- 项目预算执行事实: one row per project of a current 自评表.
create view fact_project_execution as
with executions as (
    select * from stg_executions
),

final as (
    select
        year,
        department_id,
        unit_id,
        project_id,
        initial_budget_amount,
        adjusted_budget_amount,
        executed_amount,
        execution_rate,
        execution_score,
        total_score,
        source_file_id,
        source_row
    from executions
)

select * from final;

comment on view fact_project_execution is '项目预算执行 — project budget execution from the year-end 自评表: one row per project of each current 自评表, amounts in 万元';
