-- 项目行（当前）: the project rows of the current file versions.
create view stg_projects as
with versions as (
    select * from stg_project_versions
),

current_files as (
    select source_file_id from stg_current_files
),

final as (
    select * from versions
    where source_file_id in (select source_file_id from current_files)
)

select * from final;

comment on view stg_projects is '内部: 项目行（当前） — internal staging: project rows of the current file versions, typed';
