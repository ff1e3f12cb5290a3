-- 状态·已加载: `bpw status`'s loaded table, one row per department and year: the projects
-- of the current 目标表 versions and their total (万元, exact).
select
    d.department_name,
    f.year,
    count(*) as projects,
    sum(f.total_amount) as total_amount
from fact_project_budget as f
join dim_department as d using (department_id)
group by all
order by d.department_name, f.year
