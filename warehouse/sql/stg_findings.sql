-- 质量检查结果（当前）: the gate's findings on the current file versions, typed once.
create view stg_findings as
with findings as (
    select * from lake_findings
),

current_files as (
    select source_file_id from stg_current_files
),

final as (
    select
        cast(source_file_id as bigint) as source_file_id,
        cast(rule as varchar) as rule,
        cast(severity as varchar) as severity,
        cast(source_row as integer) as source_row,
        cast("column" as varchar) as "column",
        cast(value as varchar) as value,
        cast(message as varchar) as message
    from findings
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view stg_findings is '内部: 质量检查结果（当前） — internal staging: gate findings (errors and warnings) on the current file versions, typed';
