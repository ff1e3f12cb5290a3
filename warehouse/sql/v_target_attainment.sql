-- 目标完成情况: every indicator of a current 自评表 beside the target its 目标表 set for
-- the same project, year and indicator (names compared by indicator_key). The first
-- target row of that name wins when a project lists a name twice.
create view v_target_attainment as
with results as (
    select * from stg_results
),

executions as (
    select source_file_id, source_row, project_name from stg_executions
),

targets as (
    select * from stg_indicators
),

departments as (
    select * from dim_department
),

first_targets as (
    select
        year,
        department_id,
        project_id,
        indicator_key,
        annual_target_text,
        row_number() over (
            partition by year, department_id, project_id, indicator_key
            order by indicator_seq, source_file_id, source_row
        ) as target_rank
    from targets
),

joined as (
    select
        results.year,
        departments.department_name,
        executions.project_name,
        results.indicator_seq,
        results.category_code,
        results.indicator_name,
        first_targets.annual_target_text as target_text,
        results.annual_target_text as reported_target_text,
        results.actual_text,
        results.attainment,
        results.weight,
        results.score,
        results.deviation_reason,
        results.department_id
    from results
    left join executions
        on executions.source_file_id = results.source_file_id
        and executions.source_row = results.source_row
    left join departments on departments.department_id = results.department_id
    left join first_targets
        on first_targets.year = results.year
        and first_targets.department_id = results.department_id
        and first_targets.project_id = results.project_id
        and first_targets.indicator_key = results.indicator_key
        and first_targets.target_rank = 1
),

final as (
    select
        year,
        department_name,
        project_name,
        indicator_seq,
        category_code,
        indicator_name,
        target_text,
        reported_target_text,
        -- restated: the 自评表 states another target than the 目标表 set (width and
        -- spaces folded); null when no 目标表 is loaded for the project
        case
            when target_text is null then null
            else indicator_key(target_text) is distinct from indicator_key(reported_target_text)
        end as target_restated,
        actual_text,
        attainment,
        weight,
        score,
        deviation_reason
    from joined
)

select * from final;

comment on view v_target_attainment is '目标完成情况 — targets against actual results: one row per indicator of each current 自评表, the 目标表 target of the same project and year beside the 自评表''s target, actual and attainment';
