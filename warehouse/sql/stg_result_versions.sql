-- 指标完成情况（各版本）: the 自评表 indicator results of every file version the lake
-- still holds, typed once, with indicator_key (the name compared across the 目标表 and
-- 自评表, and across versions).
create view stg_result_versions as
with results as (
    select * from lake_results
),

final as (
    select
        cast(source_file_id as bigint) as source_file_id,
        cast(source_row as integer) as source_row,
        cast(year as integer) as year,
        cast(department_id as bigint) as department_id,
        cast(unit_id as bigint) as unit_id,
        cast(project_id as bigint) as project_id,
        cast(indicator_seq as integer) as indicator_seq,
        cast(category_code as varchar) as category_code,
        cast(indicator_name as varchar) as indicator_name,
        -- stored at load; a lake file written before lacks it: computed for its rows
        cast(coalesce(indicator_key, indicator_key(indicator_name)) as varchar) as indicator_key,
        cast(annual_target_text as varchar) as annual_target_text,
        cast(annual_target_op as varchar) as annual_target_op,
        cast(annual_target_value as double) as annual_target_value,
        cast(annual_target_unit as varchar) as annual_target_unit,
        cast(actual_text as varchar) as actual_text,
        cast(actual_value as double) as actual_value,
        cast(actual_unit as varchar) as actual_unit,
        cast(weight as double) as weight,
        cast(score as double) as score,
        cast(deviation_reason as varchar) as deviation_reason,
        cast(attainment as varchar) as attainment
    from results
)

select * from final;

comment on view stg_result_versions is '内部: 指标完成情况（各版本） — internal staging: 自评表 indicator results of every file version the lake holds (current and retained superseded), typed, with indicator_key';
