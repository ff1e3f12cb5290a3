-- 绩效指标目标事实: one row per performance indicator of a current project.
create view fact_indicator_target as
with source_files as (
    select * from lake_source_files
),

indicators as (
    select * from lake_indicators
),

current_files as (
    select source_file_id from source_files where status = 'current'
),

final as (
    select
        cast(year as integer) as year,
        cast(department_id as bigint) as department_id,
        cast(unit_id as bigint) as unit_id,
        cast(project_id as bigint) as project_id,
        cast(indicator_seq as integer) as indicator_seq,
        cast(category_code as varchar) as category_code,
        cast(indicator_name as varchar) as indicator_name,
        cast(period_target_text as varchar) as period_target_text,
        cast(period_target_op as varchar) as period_target_op,
        cast(period_target_value as double) as period_target_value,
        cast(period_target_unit as varchar) as period_target_unit,
        cast(annual_target_text as varchar) as annual_target_text,
        cast(annual_target_op as varchar) as annual_target_op,
        cast(annual_target_value as double) as annual_target_value,
        cast(annual_target_unit as varchar) as annual_target_unit,
        cast(source_file_id as bigint) as source_file_id,
        cast(source_row as integer) as source_row
    from indicators
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view fact_indicator_target is '绩效指标 — performance indicator targets: one row per indicator of each current project, raw target text beside its parsed comparator / value / unit';
comment on column fact_indicator_target.year is '预算年度 — budget year (INTEGER)';
comment on column fact_indicator_target.department_id is '部门ID — department (→ dim_department)';
comment on column fact_indicator_target.unit_id is '资金使用单位ID — fund-using unit (→ dim_unit)';
comment on column fact_indicator_target.project_id is '项目ID — project the indicator belongs to (→ dim_project)';
comment on column fact_indicator_target.indicator_seq is '指标序号 — the indicator''s sequence number within its project';
comment on column fact_indicator_target.category_code is '二级指标代码 — canonical level-2 category, 11…31 (→ dim_indicator_category)';
comment on column fact_indicator_target.indicator_name is '三级指标 — indicator name (level 3)';
comment on column fact_indicator_target.period_target_text is '实施周期指标值 — target over the implementation period, raw text as printed';
comment on column fact_indicator_target.period_target_op is '实施周期指标值比较符 — comparator of the period target: >=, <=, >, <, = (null if none)';
comment on column fact_indicator_target.period_target_value is '实施周期指标值数值 — number of the period target (DOUBLE; null for qualitative targets)';
comment on column fact_indicator_target.period_target_unit is '实施周期指标值单位 — unit of the period target (e.g. %, 个, 平方米)';
comment on column fact_indicator_target.annual_target_text is '年度指标值 — target for the budget year, raw text as printed';
comment on column fact_indicator_target.annual_target_op is '年度指标值比较符 — comparator of the annual target: >=, <=, >, <, = (null if none)';
comment on column fact_indicator_target.annual_target_value is '年度指标值数值 — number of the annual target (DOUBLE; null for qualitative targets)';
comment on column fact_indicator_target.annual_target_unit is '年度指标值单位 — unit of the annual target (e.g. %, 个, 平方米)';
comment on column fact_indicator_target.source_file_id is '来源文件ID — the file version this row was loaded from (→ dim_source_file)';
comment on column fact_indicator_target.source_row is '来源行号 — 1-based row number of the indicator''s project in the source table';
