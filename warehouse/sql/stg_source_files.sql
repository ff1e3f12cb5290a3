-- 来源文件（整理）: every recorded file version, typed once. Times are TIMESTAMPTZ: bpw
-- records them in UTC; a lake written before that holds local wall-clock times, which
-- the cast reads in the session's time zone.
create view stg_source_files as
with source_files as (
    select * from lake_source_files
),

final as (
    select
        cast(source_file_id as bigint) as source_file_id,
        cast(file_name as varchar) as file_name,
        cast(file_path as varchar) as file_path,
        cast(sha256 as varchar) as sha256,
        cast(year as integer) as year,
        cast(department_id as bigint) as department_id,
        cast(department_name as varchar) as department_name,
        cast(status as varchar) as status,
        cast(loaded_at as timestamptz) as loaded_at,
        cast(superseded_at as timestamptz) as superseded_at,
        cast(superseded_by as bigint) as superseded_by,
        cast(declared_total_amount as decimal(18, 6)) as declared_total_amount,
        cast(archive_path as varchar) as archive_path,
        cast(run_id as varchar) as run_id,
        coalesce(cast(is_synthetic as boolean), false) as is_synthetic,
        cast(rows_dropped_at as timestamptz) as rows_dropped_at,
        -- a file recorded before batch kinds existed is a 目标表
        coalesce(cast(batch_kind as varchar), 'targets') as batch_kind
    from source_files
)

select * from final;

comment on view stg_source_files is '内部: 来源文件（整理） — internal staging: every recorded file version (all statuses), typed once; times as TIMESTAMPTZ';
