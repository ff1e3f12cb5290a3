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
        share_pct(shared.n_quantitative, shared.n_indicators) as quantitative_pct,
        share_pct(shared.n_indicators, shared.department_n_indicators) as category_pct
    from shared
    left join categories on categories.category_code = shared.category_code
    left join departments on departments.department_id = shared.department_id
)

select * from final;

comment on view v_indicator_mix is '绩效指标结构 — a department''s performance indicators per year by category (一级指标 / 二级指标): how many, how many quantitative, and each category''s share; a category with no indicator that year has no row';
