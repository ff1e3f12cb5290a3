-- 资金来源结构: a department's funding per year by source, as shares of the total.
create view v_fund_source_mix as
with budgets as (
    select * from fact_project_budget
),

departments as (
    select * from dim_department
),

yearly as (
    select
        department_id,
        year,
        sum(total_amount) as total_amount,
        sum(fiscal_amount) as fiscal_amount,
        sum(special_account_amount) as special_account_amount,
        sum(other_amount) as other_amount
    from budgets
    group by department_id, year
),

-- shares in percent of the year's 总计; no share when the total is 0
shares as (
    select
        *,
        share_pct(fiscal_amount, total_amount) as fiscal_pct,
        share_pct(special_account_amount, total_amount) as special_account_pct,
        share_pct(other_amount, total_amount) as other_pct
    from yearly
),

compared as (
    select
        cur.*,
        prev.fiscal_pct as prev_fiscal_pct,
        prev.special_account_pct as prev_special_account_pct,
        prev.other_pct as prev_other_pct
    from shares as cur
    left join shares as prev
        on prev.department_id = cur.department_id
        and prev.year = cur.year - 1
),

final as (
    select
        cast(compared.department_id as bigint) as department_id,
        cast(departments.department_name as varchar) as department_name,
        cast(compared.year as integer) as year,
        cast(compared.total_amount as decimal(18, 6)) as total_amount,
        cast(compared.fiscal_amount as decimal(18, 6)) as fiscal_amount,
        cast(compared.special_account_amount as decimal(18, 6)) as special_account_amount,
        cast(compared.other_amount as decimal(18, 6)) as other_amount,
        cast(compared.fiscal_pct as double) as fiscal_pct,
        cast(compared.special_account_pct as double) as special_account_pct,
        cast(compared.other_pct as double) as other_pct,
        cast(compared.prev_fiscal_pct as double) as prev_fiscal_pct,
        cast(compared.prev_special_account_pct as double) as prev_special_account_pct,
        cast(compared.prev_other_pct as double) as prev_other_pct
    from compared
    left join departments on departments.department_id = compared.department_id
)

select * from final;

comment on view v_fund_source_mix is '资金来源结构 — a department''s project funding per year by source (财政拨款 / 财政专户拨款 / 其他资金), with each source''s share of the total and the shares of year−1 (NULL without year−1 data)';
