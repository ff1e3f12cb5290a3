-- 指标完成情况（当前）: the 自评表 indicator results of the current file versions,
-- typed once, with indicator_key (the name compared across the 目标表 and 自评表).
create view stg_results as
with versions as (
    select * from stg_result_versions
),

current_files as (
    select source_file_id from stg_current_files
),

final as (
    select * from versions
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view stg_results is '内部: 指标完成情况（当前） — internal staging: 自评表 indicator results of the current file versions, typed, with indicator_key';
