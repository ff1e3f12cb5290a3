-- 绩效指标目标事实: one row per performance indicator of a current project.
create view fact_indicator_target as
with indicators as (
    select * from stg_indicators
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
        period_target_text,
        period_target_op,
        period_target_value,
        period_target_unit,
        annual_target_text,
        annual_target_op,
        annual_target_value,
        annual_target_unit,
        source_file_id,
        source_row
    from indicators
)

select * from final;

comment on view fact_indicator_target is '绩效指标 — performance indicator targets: one row per indicator of each current project, raw target text beside its parsed comparator / value / unit';
