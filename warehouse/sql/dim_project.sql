-- 项目维度: one row per project; the same name within a department is the same project.
create view dim_project as
with source_files as (
    select * from lake_source_files
),

projects as (
    select
        project_id, department_id, project_name, project_family, year, source_file_id, source_row
    from lake_projects
),

current_files as (
    select source_file_id from source_files where status = 'current'
),

ranked as (
    select
        project_id,
        department_id,
        project_name,
        project_family,
        row_number() over (
            partition by project_id
            order by year desc, source_file_id desc, source_row
        ) as name_rank
    from projects
    where project_id is not null
        and source_file_id in (select source_file_id from current_files)
),

final as (
    select
        cast(project_id as bigint) as project_id,
        cast(department_id as bigint) as department_id,
        cast(project_name as varchar) as project_name,
        cast(project_family as varchar) as project_family
    from ranked
    where name_rank = 1
)

select * from final;

comment on view dim_project is '项目 — budget projects, one row per project across years; name from its latest year';
comment on column dim_project.project_id is '项目ID — project id: a stable hash of the normalized department and project names, the same in every year (BIGINT)';
comment on column dim_project.department_id is '部门ID — the department that runs the project (→ dim_department)';
comment on column dim_project.project_name is '项目名称 — project name as printed in its latest loaded table';
comment on column dim_project.project_family is '项目系列 — normalized project name with year spans (e.g. 2023-2024年) removed, so a recurring series groups together';
