-- 状态·按年度: `bpw status`'s loaded table per year, for a lake with more department-years
-- than a terminal shows: departments and projects loaded (current 目标表 versions) and
-- their total (万元, exact).
select
    f.year,
    count(distinct d.department_name) as departments,
    count(*) as projects,
    sum(f.total_amount) as total_amount
from fact_project_budget as f
join dim_department as d using (department_id)
group by f.year
order by f.year
