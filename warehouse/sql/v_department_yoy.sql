-- 部门同比: each department's project total per year against the year before.
create view v_department_yoy as
with projects as (
    select * from fact_project_budget
),

indicators as (
    select * from fact_indicator_target
),

departments as (
    select * from dim_department
),

project_totals as (
    select
        department_id,
        year,
        sum(total_amount) as total_amount,
        count(*) as n_projects
    from projects
    group by department_id, year
),

indicator_counts as (
    select department_id, year, count(*) as n_indicators
    from indicators
    group by department_id, year
),

yearly as (
    select
        project_totals.department_id,
        project_totals.year,
        project_totals.total_amount,
        project_totals.n_projects,
        coalesce(indicator_counts.n_indicators, 0) as n_indicators
    from project_totals
    left join indicator_counts
        on indicator_counts.department_id = project_totals.department_id
        and indicator_counts.year = project_totals.year
),

compared as (
    select
        cur.department_id,
        cur.year,
        cur.total_amount,
        prev.total_amount as prev_total_amount,
        cur.n_projects,
        cur.n_indicators
    from yearly as cur
    left join yearly as prev
        on prev.department_id = cur.department_id
        and prev.year = cur.year - 1
),

final as (
    select
        cast(departments.department_name as varchar) as department_name,
        cast(compared.year as integer) as year,
        cast(compared.total_amount as decimal(18, 6)) as total_amount,
        cast(compared.prev_total_amount as decimal(18, 6)) as prev_total_amount,
        cast(compared.total_amount - compared.prev_total_amount as decimal(18, 6)) as yoy_change,
        yoy_pct(compared.total_amount, compared.prev_total_amount) as yoy_pct,
        cast(compared.n_projects as bigint) as n_projects,
        cast(compared.n_indicators as bigint) as n_indicators
    from compared
    left join departments on departments.department_id = compared.department_id
)

select * from final;

comment on view v_department_yoy is '部门预算同比 — each department''s project funding per year against the year before; no data for year−1 gives NULL, never a fake zero';
