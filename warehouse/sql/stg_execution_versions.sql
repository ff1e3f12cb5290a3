-- 预算执行（各版本）: the 自评表 budget-execution rows of every file version the lake
-- still holds, typed once. 执行率 is in percent (a fraction from a percent-formatted
-- cell was scaled when read).
create view stg_execution_versions as
with executions as (
    select * from lake_executions
),

final as (
    select
        cast(source_file_id as bigint) as source_file_id,
        cast(source_row as integer) as source_row,
        cast(year as integer) as year,
        cast(department_id as bigint) as department_id,
        cast(unit_id as bigint) as unit_id,
        cast(unit_name as varchar) as unit_name,
        cast(project_id as bigint) as project_id,
        cast(project_name as varchar) as project_name,
        cast(initial_budget_amount as decimal(18, 6)) as initial_budget_amount,
        cast(adjusted_budget_amount as decimal(18, 6)) as adjusted_budget_amount,
        cast(executed_amount as decimal(18, 6)) as executed_amount,
        cast(execution_rate as double) as execution_rate,
        cast(execution_score as double) as execution_score,
        cast(total_score as double) as total_score
    from executions
)

select * from final;

comment on view stg_execution_versions is '内部: 预算执行（各版本） — internal staging: 自评表 budget-execution rows of every file version the lake holds, typed';
