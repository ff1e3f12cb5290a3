-- 部门维度: one row per department of the current batches; the name is its latest year's.
create view dim_department as
with source_files as (
    select * from lake_source_files
),

current_files as (
    select source_file_id, year, department_id, department_name, loaded_at
    from source_files
    where status = 'current' and department_id is not null
),

ranked as (
    select
        department_id,
        department_name,
        row_number() over (
            partition by department_id
            order by year desc, loaded_at desc, source_file_id desc
        ) as name_rank
    from current_files
),

final as (
    select
        cast(department_id as bigint) as department_id,
        cast(department_name as varchar) as department_name
    from ranked
    where name_rank = 1
)

select * from final;

comment on view dim_department is '部门 — budget departments (预算部门), one row per department; name as printed in its latest year''s table';
comment on column dim_department.department_id is '部门ID — department id: a stable hash of the normalized department name, the same in every year (BIGINT)';
comment on column dim_department.department_name is '部门名称 — department name as printed in its latest loaded table';
