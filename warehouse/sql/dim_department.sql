-- 部门维度: one row per department of the current batches; the name is its latest year's,
-- or the canonical name of aliases.csv when the department was renamed.
create view dim_department as
with current_files as (
    select * from stg_current_files
),

aliases as (
    select * from bpw_department_alias
),

canonical_names as (
    select department_id, min(canonical_name) as canonical_name
    from aliases
    group by department_id
),

ranked as (
    select
        department_id,
        department_name,
        row_number() over (
            partition by department_id
            order by year desc, loaded_at desc, source_file_id desc
        ) as name_rank
    from current_files
    where department_id is not null
),

final as (
    select
        ranked.department_id,
        cast(coalesce(canonical_names.canonical_name, ranked.department_name) as varchar)
            as department_name
    from ranked
    left join canonical_names on canonical_names.department_id = ranked.department_id
    where ranked.name_rank = 1
)

select * from final;

comment on view dim_department is '部门 — budget departments (预算部门), one row per department; name as printed in its latest year''s table, or the canonical name from aliases.csv (see bpw_department_alias)';
