-- 绩效指标目标同比: the same indicator of the same project, this year's target vs last year's.
-- It reads the current indicator rows (fact_indicator_target's) from staging, whose
-- indicator_key the lake stores, rather than folding every name again.
create view v_indicator_target_yoy as
with indicators as (
    select * from stg_indicators
),

projects as (
    select * from dim_project
),

departments as (
    select * from dim_department
),

-- the same indicator = the same name (indicator_key: full-width folded, whitespace
-- removed) in the same project; a name printed twice in one project-year is told apart
-- by its order
numbered as (
    select
        *,
        row_number() over (
            partition by project_id, year, indicator_key
            order by indicator_seq, source_row
        ) as occurrence
    from indicators
),

-- which way is more demanding: ≥ / > (and a bare number) want more, ≤ / < want less;
-- a bare duration (3个工作日, 2小时) wants less
directed as (
    select
        *,
        case
            when annual_target_op in ('>=', '>') then 1
            when annual_target_op in ('<=', '<') then -1
            when annual_target_unit in ('秒', '分钟', '小时', '天', '日', '工作日', '个工作日', '周')
                then -1
            else 1
        end as demanding_sign
    from numbered
),

compared as (
    select
        cur.department_id,
        cur.project_id,
        cur.year,
        cur.indicator_seq,
        cur.category_code,
        cur.indicator_name,
        prev.project_id is not null as had_last_year,
        prev.annual_target_text as prev_annual_target_text,
        cur.annual_target_text,
        prev.annual_target_op as prev_annual_target_op,
        cur.annual_target_op,
        prev.annual_target_value as prev_annual_target_value,
        cur.annual_target_value,
        prev.annual_target_unit as prev_annual_target_unit,
        cur.annual_target_unit,
        cur.demanding_sign,
        cur.annual_target_value is not null
            and prev.annual_target_value is not null
            and cur.demanding_sign = prev.demanding_sign
            and coalesce(cur.annual_target_unit, '') = coalesce(prev.annual_target_unit, '')
            as comparable
    from directed as cur
    left join directed as prev
        on prev.project_id = cur.project_id
        and prev.indicator_key = cur.indicator_key
        and prev.occurrence = cur.occurrence
        and prev.year = cur.year - 1
),

classified as (
    select
        *,
        case
            when not had_last_year then null
            when annual_target_text is not distinct from prev_annual_target_text then 'unchanged'
            when comparable and annual_target_value <> prev_annual_target_value then
                case
                    when (annual_target_value - prev_annual_target_value) * demanding_sign > 0
                        then 'raised'
                    else 'lowered'
                end
            else 'reworded'
        end as target_change
    from compared
),

final as (
    select
        cast(classified.department_id as bigint) as department_id,
        cast(departments.department_name as varchar) as department_name,
        cast(classified.project_id as bigint) as project_id,
        cast(projects.project_name as varchar) as project_name,
        cast(classified.year as integer) as year,
        cast(classified.indicator_seq as integer) as indicator_seq,
        cast(classified.category_code as varchar) as category_code,
        cast(classified.indicator_name as varchar) as indicator_name,
        cast(classified.prev_annual_target_text as varchar) as prev_annual_target_text,
        cast(classified.annual_target_text as varchar) as annual_target_text,
        cast(classified.target_change as varchar) as target_change,
        cast(classified.prev_annual_target_op as varchar) as prev_annual_target_op,
        cast(classified.annual_target_op as varchar) as annual_target_op,
        cast(classified.prev_annual_target_value as double) as prev_annual_target_value,
        cast(classified.annual_target_value as double) as annual_target_value,
        cast(classified.prev_annual_target_unit as varchar) as prev_annual_target_unit,
        cast(classified.annual_target_unit as varchar) as annual_target_unit,
        cast(
            case
                when classified.comparable
                    then classified.annual_target_value - classified.prev_annual_target_value
            end as double
        ) as value_change
    from classified
    left join projects on projects.project_id = classified.project_id
    left join departments on departments.department_id = classified.department_id
)

select * from final;

comment on view v_indicator_target_yoy is '绩效指标目标同比 — each performance indicator of each project per year, its annual target (年度指标值) beside the same indicator''s target in year−1 (same project, same indicator name), and whether the target was raised (more demanding), lowered (less demanding), reworded or unchanged; NULL comparison in the indicator''s first year';
