-- 项目预算事实: one row per project row of a current file.
create view fact_project_budget as
with projects as (
    select * from stg_projects
),

final as (
    select
        year,
        department_id,
        unit_id,
        project_id,
        total_amount,
        fiscal_amount,
        special_account_amount,
        other_amount,
        performance_goal,
        source_file_id,
        source_row
    from projects
)

select * from final;

comment on view fact_project_budget is '项目支出预算 — project budget facts: one row per project row of each current table, amounts in 万元';
