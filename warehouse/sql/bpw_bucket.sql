-- 部门分桶: which derived-table bucket a department's rows are kept in (warehouse.derived):
-- its id modulo the bucket count; rows without a department in bucket 0.
create or replace macro bpw_bucket(department_id, buckets) as
    coalesce(((department_id % buckets) + buckets) % buckets, 0);

comment on macro bpw_bucket is '部门分桶 — bpw_bucket(department_id, buckets): the derived-table bucket a department''s rows are kept in (id modulo buckets; 0 without a department)';
