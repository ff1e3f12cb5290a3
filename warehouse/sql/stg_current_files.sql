-- 当前文件: the file versions whose rows are the warehouse's facts (one per batch). The
-- one place that says what "current" means; every current-rows staging view uses it.
create view stg_current_files as
with source_files as (
    select * from stg_source_files
),

final as (
    select * from source_files where status = 'current'
)

select * from final;

comment on view stg_current_files is '内部: 当前文件 — internal staging: the current file version of each batch (status = current), whose rows the facts hold';
