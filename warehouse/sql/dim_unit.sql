-- 资金使用单位维度: units named by subtotal rows and by the projects under them.
create view dim_unit as
with source_files as (
    select * from lake_source_files
),

units as (
    select unit_id, department_id, unit_name, year, source_file_id, source_row
    from lake_units
),

projects as (
    select unit_id, department_id, unit_name, year, source_file_id, source_row
    from lake_projects
),

current_files as (
    select source_file_id from source_files where status = 'current'
),

named as (
    select * from units
    union all
    select * from projects
),

ranked as (
    select
        unit_id,
        department_id,
        unit_name,
        row_number() over (
            partition by unit_id
            order by year desc, source_file_id desc, source_row
        ) as name_rank
    from named
    where unit_id is not null
        and source_file_id in (select source_file_id from current_files)
),

final as (
    select
        cast(unit_id as bigint) as unit_id,
        cast(department_id as bigint) as department_id,
        cast(unit_name as varchar) as unit_name
    from ranked
    where name_rank = 1
)

select * from final;

comment on view dim_unit is '资金使用单位 — fund-using units within a department, one row per unit; name from its latest year';
comment on column dim_unit.unit_id is '单位ID — unit id: a stable hash of the normalized department and unit names (BIGINT)';
comment on column dim_unit.department_id is '部门ID — the department the unit belongs to (→ dim_department)';
comment on column dim_unit.unit_name is '资金使用单位名称 — unit name as printed in its latest loaded table';
