-- 项目预算事实: one row per project row of a current file.
create view fact_project_budget as
with source_files as (
    select * from lake_source_files
),

projects as (
    select * from lake_projects
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
        cast(total_amount as decimal(18, 6)) as total_amount,
        cast(fiscal_amount as decimal(18, 6)) as fiscal_amount,
        cast(special_account_amount as decimal(18, 6)) as special_account_amount,
        cast(other_amount as decimal(18, 6)) as other_amount,
        cast(performance_goal as varchar) as performance_goal,
        cast(source_file_id as bigint) as source_file_id,
        cast(source_row as integer) as source_row
    from projects
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view fact_project_budget is '项目支出预算 — project budget facts: one row per project row of each current table, amounts in 万元';
comment on column fact_project_budget.year is '预算年度 — budget year (INTEGER)';
comment on column fact_project_budget.department_id is '部门ID — department (→ dim_department)';
comment on column fact_project_budget.unit_id is '资金使用单位ID — fund-using unit (→ dim_unit)';
comment on column fact_project_budget.project_id is '项目ID — project (→ dim_project)';
comment on column fact_project_budget.total_amount is '总计 — total project funding, 万元 (DECIMAL(18,6), exact)';
comment on column fact_project_budget.fiscal_amount is '财政拨款 — general budget appropriation, 万元 (DECIMAL(18,6), exact; blank cell = 0)';
comment on column fact_project_budget.special_account_amount is '财政专户拨款 — appropriation from fiscal special accounts, 万元 (DECIMAL(18,6), exact; blank cell = 0)';
comment on column fact_project_budget.other_amount is '其他资金 — other funding sources, 万元 (DECIMAL(18,6), exact; blank cell = 0)';
comment on column fact_project_budget.performance_goal is '绩效目标 — the project''s performance goal text';
comment on column fact_project_budget.source_file_id is '来源文件ID — the file version this row was loaded from (→ dim_source_file)';
comment on column fact_project_budget.source_row is '来源行号 — 1-based row number of the project in the source table';
