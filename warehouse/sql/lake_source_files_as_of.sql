-- 来源文件（时点）: every file version recorded by the as-of moment, with its status then.
create view lake_source_files as
with recorded as (
    select * from lake_source_files_recorded
),

moment as (
    select as_of from bpw_as_of
),

final as (
    select
        recorded.* replace (
            case
                when recorded.status = 'rejected' then 'rejected'
                when recorded.superseded_at <= moment.as_of then 'superseded'
                else 'current'
            end as status,
            case
                when recorded.superseded_at <= moment.as_of then recorded.superseded_at
            end as superseded_at,
            case
                when recorded.superseded_at <= moment.as_of then recorded.superseded_by
            end as superseded_by
        )
    from recorded
    cross join moment
    where recorded.loaded_at <= moment.as_of
)

select * from final;

comment on view lake_source_files is '内部: 来源文件（时点） — internal: every file version recorded by the as-of moment (bpw_as_of), its status as it was then';
