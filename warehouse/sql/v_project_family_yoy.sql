-- 项目系列同比: a recurring series (names differing only by year span) per year.
create view v_project_family_yoy as
with budgets as (
    select * from fact_project_budget
),

projects as (
    select * from dim_project
),

departments as (
    select * from dim_department
),

members as (
    select
        budgets.department_id,
        projects.project_family,
        budgets.project_id,
        projects.project_name,
        budgets.year,
        sum(budgets.total_amount) as total_amount
    from budgets
    inner join projects on projects.project_id = budgets.project_id
    group by
        budgets.department_id,
        projects.project_family,
        budgets.project_id,
        projects.project_name,
        budgets.year
),

first_years as (
    select project_id, min(year) as first_year
    from members
    group by project_id
),

-- one year can fund several members of one family at once (2022-2023年…, 2023-2024年…)
yearly as (
    select
        members.department_id,
        members.project_family,
        members.year,
        sum(members.total_amount) as total_amount,
        count(*) as n_members,
        count(*) filter (where first_years.first_year = members.year) as n_new_members,
        string_agg(members.project_name, '；' order by members.project_name) as member_names
    from members
    inner join first_years on first_years.project_id = members.project_id
    group by members.department_id, members.project_family, members.year
),

compared as (
    select
        cur.*,
        prev.total_amount as prev_total_amount,
        min(cur.year) over (partition by cur.department_id, cur.project_family) as first_year
    from yearly as cur
    left join yearly as prev
        on prev.department_id = cur.department_id
        and prev.project_family = cur.project_family
        and prev.year = cur.year - 1
),

final as (
    select
        cast(compared.department_id as bigint) as department_id,
        cast(departments.department_name as varchar) as department_name,
        cast(compared.project_family as varchar) as project_family,
        cast(compared.year as integer) as year,
        cast(compared.total_amount as decimal(18, 6)) as total_amount,
        cast(compared.prev_total_amount as decimal(18, 6)) as prev_total_amount,
        cast(compared.total_amount - compared.prev_total_amount as decimal(18, 6)) as yoy_change,
        yoy_pct(compared.total_amount, compared.prev_total_amount) as yoy_pct,
        cast(compared.n_members as bigint) as n_members,
        cast(compared.n_new_members as bigint) as n_new_members,
        cast(compared.member_names as varchar) as member_names,
        cast(compared.first_year as integer) as first_year
    from compared
    left join departments on departments.department_id = compared.department_id
)

select * from final;

comment on view v_project_family_yoy is '项目系列同比 — each project family (a recurring series whose names differ only by year or year span, e.g. 2022-2023年信息化运维项目, 2023-2024年信息化运维项目) per department and year against year−1; several members can be funded in one year';
