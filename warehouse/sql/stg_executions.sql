-- 预算执行（当前）: the 自评表 budget-execution rows of the current file versions.
create view stg_executions as
with versions as (
    select * from stg_execution_versions
),

current_files as (
    select source_file_id from stg_current_files
),

final as (
    select * from versions
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view stg_executions is '内部: 预算执行（当前） — internal staging: 自评表 budget-execution rows of the current file versions, typed';
