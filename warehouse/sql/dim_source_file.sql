-- 来源文件维度: every file version ever recorded, with its status.
create view dim_source_file as
with source_files as (
    select * from lake_source_files
),

final as (
    select
        cast(source_file_id as bigint) as source_file_id,
        cast(file_name as varchar) as file_name,
        cast(sha256 as varchar) as sha256,
        cast(year as integer) as year,
        cast(department_id as bigint) as department_id,
        cast(status as varchar) as status,
        cast(loaded_at as timestamp) as loaded_at,
        cast(declared_total_amount as decimal(18, 6)) as declared_total_amount,
        cast(superseded_at as timestamp) as superseded_at,
        cast(superseded_by as bigint) as superseded_by,
        cast(archive_path as varchar) as archive_path,
        cast(run_id as varchar) as run_id,
        coalesce(cast(is_synthetic as boolean), false) as is_synthetic
    from source_files
)

select * from final;

comment on view dim_source_file is '来源文件 — every input file version recorded (current, superseded or rejected); one file is one batch: one department''s table for one year';
comment on column dim_source_file.source_file_id is '来源文件ID — file version id: the first 60 bits of the file''s SHA-256 (BIGINT)';
comment on column dim_source_file.file_name is '文件名 — the input file''s name';
comment on column dim_source_file.sha256 is '文件哈希 — SHA-256 of the file''s bytes (hex); the archive keeps the bytes under it';
comment on column dim_source_file.year is '预算年度 — budget year of the batch (INTEGER)';
comment on column dim_source_file.department_id is '部门ID — department of the batch (→ dim_department); null if it could not be resolved';
comment on column dim_source_file.status is '状态 — current (loaded, in the facts), superseded (replaced by a newer file for the same year and department) or rejected (failed the gate, never loaded)';
comment on column dim_source_file.loaded_at is '登记时间 — when the run that recorded this file published (local time, TIMESTAMP)';
comment on column dim_source_file.declared_total_amount is '合计 — the table''s declared grand total, 万元 (DECIMAL(18,6), exact)';
comment on column dim_source_file.superseded_at is '被替换时间 — when a newer file replaced this one (null unless superseded)';
comment on column dim_source_file.superseded_by is '替换文件ID — source_file_id of the file that replaced this one (null unless superseded)';
comment on column dim_source_file.archive_path is '归档路径 — where the file''s bytes are archived (null if not archived)';
comment on column dim_source_file.run_id is '运行ID — the run that recorded this file';
comment on column dim_source_file.is_synthetic is '虚构数据 — true when the file declares its figures invented (the 数据性质：虚构示例数据 line bpw synth writes above every table): never quote them as a department''s budget; false for every other file (BOOLEAN)';
