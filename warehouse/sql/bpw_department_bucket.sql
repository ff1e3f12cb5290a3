-- 部门名分桶: each department name a derived row can carry → its department's bucket, for
-- the v_* views that name a department but carry no department_id (warehouse.materialize
-- files their rows by name). A name is unambiguous: a department's id is the hash of its
-- normalized name (of its canonical name under an alias), so one name never names two
-- departments; a name that did (n_buckets > 1) is not used.
create or replace temp table bpw_department_bucket as
with names as (
    select department_name, department_id from stg_source_files
    union
    select department_name, department_id from dim_department
),

final as (
    select
        department_name,
        min(bpw_bucket(department_id, $buckets)) as bucket,
        count(distinct bpw_bucket(department_id, $buckets)) as n_buckets
    from names
    where department_name is not null
    group by department_name
)

select * from final;
