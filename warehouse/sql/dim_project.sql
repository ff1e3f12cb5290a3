-- 项目维度: one row per project; the same name within a department is the same project.
create view dim_project as
with projects as (
    select * from stg_projects
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
),

final as (
    select project_id, department_id, project_name, project_family
    from ranked
    where name_rank = 1
)

select * from final;

comment on view dim_project is '项目 — budget projects, one row per project across years; name from its latest year';
