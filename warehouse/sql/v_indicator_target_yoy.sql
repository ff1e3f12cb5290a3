-- 绩效指标目标同比: the same indicator of the same project, this year's target vs last year's.
create view v_indicator_target_yoy as
with indicators as (
    select * from fact_indicator_target
),

projects as (
    select * from dim_project
),

departments as (
    select * from dim_department
),

-- the same indicator = the same name (full-width folded, whitespace removed) in the same
-- project; a name printed twice in one project-year is told apart by its order
keyed as (
    select
        *,
        regexp_replace(
            translate(
                indicator_name,
                '！＂＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～',
                '!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~'
            ),
            '\s+', '', 'g'
        ) as indicator_key
    from indicators
),

numbered as (
    select
        *,
        row_number() over (
            partition by project_id, year, indicator_key
            order by indicator_seq, source_row
        ) as occurrence
    from keyed
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
comment on column v_indicator_target_yoy.department_id is '部门ID — the department (→ dim_department, BIGINT)';
comment on column v_indicator_target_yoy.department_name is '部门名称 — department name (latest, or canonical from aliases.csv)';
comment on column v_indicator_target_yoy.project_id is '项目ID — the project (→ dim_project, BIGINT)';
comment on column v_indicator_target_yoy.project_name is '项目名称 — project name as printed in its latest loaded table';
comment on column v_indicator_target_yoy.year is '预算年度 — budget year (INTEGER)';
comment on column v_indicator_target_yoy.indicator_seq is '指标序号 — the indicator''s sequence number within its project this year';
comment on column v_indicator_target_yoy.category_code is '二级指标代码 — canonical level-2 category, 11…31 (→ dim_indicator_category)';
comment on column v_indicator_target_yoy.indicator_name is '三级指标 — indicator name (level 3); with the project, what identifies the indicator across years';
comment on column v_indicator_target_yoy.prev_annual_target_text is '上年年度指标值 — the same indicator''s annual target in year−1, raw text; NULL if it had none in year−1';
comment on column v_indicator_target_yoy.annual_target_text is '年度指标值 — this year''s annual target, raw text as printed';
comment on column v_indicator_target_yoy.target_change is '目标变化 — raised (more demanding: a higher value for ≥ / > or a bare number, a lower one for ≤ / < or a bare duration such as 2小时), lowered (less demanding), reworded (text changed, value not comparable or the same: 达标 → 达到标准, ≥95% → 不低于95%), unchanged (same text); NULL when the indicator has no year−1 target';
comment on column v_indicator_target_yoy.prev_annual_target_op is '上年比较符 — comparator of the year−1 target: >=, <=, >, <, = (NULL if none)';
comment on column v_indicator_target_yoy.annual_target_op is '比较符 — comparator of this year''s target: >=, <=, >, <, = (NULL if none)';
comment on column v_indicator_target_yoy.prev_annual_target_value is '上年指标数值 — number of the year−1 target (DOUBLE; NULL for qualitative targets)';
comment on column v_indicator_target_yoy.annual_target_value is '指标数值 — number of this year''s target (DOUBLE; NULL for qualitative targets)';
comment on column v_indicator_target_yoy.prev_annual_target_unit is '上年计量单位 — unit of the year−1 target (e.g. %, 个, 秒)';
comment on column v_indicator_target_yoy.annual_target_unit is '计量单位 — unit of this year''s target (e.g. %, 个, 秒)';
comment on column v_indicator_target_yoy.value_change is '指标数值变化 — annual_target_value − prev_annual_target_value in the target''s unit (DOUBLE; positive = a larger number, whatever the direction); NULL unless both are numbers of the same unit and direction';
