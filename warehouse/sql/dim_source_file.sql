-- 来源文件维度: every file version ever recorded, with its status.
create view dim_source_file as
with source_files as (
    select * from stg_source_files
),

final as (
    select
        source_file_id,
        file_name,
        sha256,
        year,
        department_id,
        status,
        loaded_at,
        declared_total_amount,
        superseded_at,
        superseded_by,
        archive_path,
        run_id,
        is_synthetic,
        batch_kind
    from source_files
)

select * from final;

comment on view dim_source_file is '来源文件 — every input file version recorded (current, superseded or rejected); one file is one batch: one department''s table for one year';
