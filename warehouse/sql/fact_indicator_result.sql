-- 绩效指标完成情况事实: one row per indicator of a current 自评表, target beside actual.
create view fact_indicator_result as
with results as (
    select * from stg_results
),

final as (
    select
        year,
        department_id,
        unit_id,
        project_id,
        indicator_seq,
        category_code,
        indicator_name,
        annual_target_text,
        annual_target_op,
        annual_target_value,
        annual_target_unit,
        actual_text,
        actual_value,
        actual_unit,
        weight,
        score,
        deviation_reason,
        attainment,
        source_file_id,
        source_row
    from results
)

select * from final;

comment on view fact_indicator_result is '绩效指标完成情况 — indicator results from the year-end 自评表: one row per indicator of each current 自评表, the target as the 自评表 states it beside the actual and its attainment';
