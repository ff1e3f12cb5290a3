-- 绩效指标（当前）: the indicator rows of the current file versions.
create view stg_indicators as
with versions as (
    select * from stg_indicator_versions
),

current_files as (
    select source_file_id from stg_current_files
),

final as (
    select * from versions
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view stg_indicators is '内部: 绩效指标（当前） — internal staging: indicator rows of the current file versions, typed, with indicator_key';
