-- 单位小计行（当前）: the unit subtotal rows of the current file versions, typed once.
create view stg_units as
with units as (
    select * from lake_units
),

current_files as (
    select source_file_id from stg_current_files
),

final as (
    select
        cast(source_file_id as bigint) as source_file_id,
        cast(source_row as integer) as source_row,
        cast(year as integer) as year,
        cast(department_id as bigint) as department_id,
        cast(unit_id as bigint) as unit_id,
        cast(unit_name as varchar) as unit_name
    from units
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view stg_units is '内部: 单位小计行（当前） — internal staging: unit subtotal rows of the current file versions, typed';
