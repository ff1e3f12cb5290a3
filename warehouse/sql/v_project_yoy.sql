-- 项目同比: each project's funding per year against the year before.
create view v_project_yoy as
with budgets as (
    select * from fact_project_budget
),

indicators as (
    select * from fact_indicator_target
),

projects as (
    select * from dim_project
),

departments as (
    select * from dim_department
),

-- a project printed on two rows of one table (two units) is one project: add them up
yearly as (
    select
        department_id,
        project_id,
        year,
        sum(total_amount) as total_amount,
        sum(fiscal_amount) as fiscal_amount,
        sum(special_account_amount) as special_account_amount,
        sum(other_amount) as other_amount
    from budgets
    group by department_id, project_id, year
),

indicator_counts as (
    select project_id, year, count(*) as n_indicators
    from indicators
    group by project_id, year
),

compared as (
    select
        cur.*,
        prev.total_amount as prev_total_amount,
        prev.project_id is not null as funded_last_year,
        min(cur.year) over (partition by cur.project_id) as first_year
    from yearly as cur
    left join yearly as prev
        on prev.project_id = cur.project_id
        and prev.year = cur.year - 1
),

final as (
    select
        cast(compared.department_id as bigint) as department_id,
        cast(departments.department_name as varchar) as department_name,
        cast(compared.project_id as bigint) as project_id,
        cast(projects.project_name as varchar) as project_name,
        cast(projects.project_family as varchar) as project_family,
        cast(compared.year as integer) as year,
        cast(compared.total_amount as decimal(18, 6)) as total_amount,
        cast(compared.prev_total_amount as decimal(18, 6)) as prev_total_amount,
        cast(compared.total_amount - compared.prev_total_amount as decimal(18, 6)) as yoy_change,
        yoy_pct(compared.total_amount, compared.prev_total_amount) as yoy_pct,
        cast(compared.fiscal_amount as decimal(18, 6)) as fiscal_amount,
        cast(compared.special_account_amount as decimal(18, 6)) as special_account_amount,
        cast(compared.other_amount as decimal(18, 6)) as other_amount,
        cast(compared.first_year as integer) as first_year,
        cast(
            case
                when compared.year = compared.first_year then 'new'
                when compared.funded_last_year then 'continuing'
                else 'resumed'
            end as varchar
        ) as status,
        cast(coalesce(indicator_counts.n_indicators, 0) as bigint) as n_indicators
    from compared
    left join projects on projects.project_id = compared.project_id
    left join departments on departments.department_id = compared.department_id
    left join indicator_counts
        on indicator_counts.project_id = compared.project_id
        and indicator_counts.year = compared.year
)

select * from final;

comment on view v_project_yoy is '项目预算同比 — each project''s funding per year it is funded against year−1 (same project = same normalized name within its department); a year without the project has no row, and no year−1 data gives NULL, never a fake zero';
