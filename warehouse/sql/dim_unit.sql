-- 资金使用单位维度: units named by subtotal rows and by the projects under them.
create view dim_unit as
with units as (
    select unit_id, department_id, unit_name, year, source_file_id, source_row
    from stg_units
),

projects as (
    select unit_id, department_id, unit_name, year, source_file_id, source_row
    from stg_projects
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
),

final as (
    select unit_id, department_id, unit_name
    from ranked
    where name_rank = 1
)

select * from final;

comment on view dim_unit is '资金使用单位 — fund-using units within a department, one row per unit; name from its latest year';
