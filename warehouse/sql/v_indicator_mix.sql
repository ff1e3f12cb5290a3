-- 绩效指标结构: indicators per department-year by level-1 / level-2 category.
create view v_indicator_mix as
with indicators as (
    select * from fact_indicator_target
),

categories as (
    select * from dim_indicator_category
),

departments as (
    select * from dim_department
),

-- quantitative = the annual target (年度指标值) is a number (≥95%, 12个, ≤3秒);
-- 达标, 提升, dates and placeholders are not
counted as (
    select
        department_id,
        year,
        category_code,
        count(*) as n_indicators,
        count(*) filter (where annual_target_value is not null) as n_quantitative
    from indicators
    group by department_id, year, category_code
),

shared as (
    select
        *,
        sum(n_indicators) over (partition by department_id, year) as department_n_indicators
    from counted
),

final as (
    select
        cast(shared.department_id as bigint) as department_id,
        cast(departments.department_name as varchar) as department_name,
        cast(shared.year as integer) as year,
        cast(categories.level1_code as varchar) as level1_code,
        cast(categories.level1_name as varchar) as level1_name,
        cast(shared.category_code as varchar) as category_code,
        cast(categories.level2_name as varchar) as level2_name,
        cast(shared.n_indicators as bigint) as n_indicators,
        cast(shared.n_quantitative as bigint) as n_quantitative,
        cast(shared.n_quantitative as double) / cast(shared.n_indicators as double) * 100
            as quantitative_pct,
        cast(shared.n_indicators as double) / cast(shared.department_n_indicators as double) * 100
            as category_pct
    from shared
    left join categories on categories.category_code = shared.category_code
    left join departments on departments.department_id = shared.department_id
)

select * from final;

comment on view v_indicator_mix is '绩效指标结构 — a department''s performance indicators per year by category (一级指标 / 二级指标): how many, how many quantitative, and each category''s share; a category with no indicator that year has no row';
comment on column v_indicator_mix.department_id is '部门ID — the department (→ dim_department, BIGINT)';
comment on column v_indicator_mix.department_name is '部门名称 — department name (latest, or canonical from aliases.csv)';
comment on column v_indicator_mix.year is '预算年度 — budget year (INTEGER)';
comment on column v_indicator_mix.level1_code is '一级指标代码 — level-1 code: 1 产出, 2 效益, 3 满意度 (VARCHAR)';
comment on column v_indicator_mix.level1_name is '一级指标 — level-1 indicator name (产出指标 / 效益指标 / 满意度指标)';
comment on column v_indicator_mix.category_code is '二级指标代码 — canonical level-2 category, 11…31 (→ dim_indicator_category)';
comment on column v_indicator_mix.level2_name is '二级指标 — level-2 indicator name (e.g. 数量指标, 社会效益指标)';
comment on column v_indicator_mix.n_indicators is '指标数 — number of indicators of this category in the department''s projects this year (BIGINT)';
comment on column v_indicator_mix.n_quantitative is '定量指标数 — of those, indicators whose annual target (年度指标值) is a number, e.g. ≥95%, 12个, ≤3秒 (BIGINT)';
comment on column v_indicator_mix.quantitative_pct is '定量指标占比 — n_quantitative / n_indicators × 100, percent (DOUBLE, unrounded)';
comment on column v_indicator_mix.category_pct is '类别占比 — n_indicators / all the department''s indicators this year × 100, percent (DOUBLE, unrounded)';
