-- 绩效指标（各版本）: the indicator rows of every file version the lake still holds, typed
-- once, with the name key that matches an indicator across years and versions.
create view stg_indicator_versions as
with indicators as (
    select * from lake_indicators
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
        cast(period_target_text as varchar) as period_target_text,
        cast(period_target_op as varchar) as period_target_op,
        cast(period_target_value as double) as period_target_value,
        cast(period_target_unit as varchar) as period_target_unit,
        cast(annual_target_text as varchar) as annual_target_text,
        cast(annual_target_op as varchar) as annual_target_op,
        cast(annual_target_value as double) as annual_target_value,
        cast(annual_target_unit as varchar) as annual_target_unit
    from indicators
)

select * from final;

comment on view stg_indicator_versions is '内部: 绩效指标（各版本） — internal staging: indicator rows of every file version the lake holds (current and retained superseded), typed, with indicator_key';
