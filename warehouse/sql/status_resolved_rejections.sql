-- 状态·已解决的拒收: sha256 of every rejected file a later loaded file has since replaced,
-- for the same batch (year and department) or under the same name (in the same year, when
-- the year is known). `bpw status` lists the other rejected files.
select distinct r.sha256
from dim_source_file as r
join dim_source_file as g
    on g.status in ('current', 'superseded')
    and g.loaded_at > r.loaded_at
    and (
        (g.year = r.year and g.department_id = r.department_id)
        or (g.file_name = r.file_name and (r.year is null or g.year = r.year))
    )
where r.status = 'rejected'
order by r.sha256
