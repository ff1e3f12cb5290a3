-- 报告·未完成目标: `bpw report`'s list of the targets missed, with the 自评表's 偏差原因.
-- The target is the 目标表's when one is loaded for the project, else the 自评表's own.
with attainment as (
    select * from v_target_attainment
),

final as (
    select
        department_name,
        year,
        project_name,
        indicator_seq,
        indicator_name,
        coalesce(target_text, reported_target_text) as target_text,
        actual_text,
        deviation_reason
    from attainment
    where attainment = 'missed'
)

select * from final
order by department_name, year, project_name, indicator_seq
