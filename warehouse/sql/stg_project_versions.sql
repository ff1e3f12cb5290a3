-- 项目行（各版本）: the project rows of every file version the lake still holds, typed once.
create view stg_project_versions as
with projects as (
    select * from lake_projects
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
        cast(project_family as varchar) as project_family,
        cast(total_amount as decimal(18, 6)) as total_amount,
        cast(fiscal_amount as decimal(18, 6)) as fiscal_amount,
        cast(special_account_amount as decimal(18, 6)) as special_account_amount,
        cast(other_amount as decimal(18, 6)) as other_amount,
        cast(performance_goal as varchar) as performance_goal
    from projects
)

select * from final;

comment on view stg_project_versions is '内部: 项目行（各版本） — internal staging: project rows of every file version the lake holds (current and retained superseded), typed';
