-- 标识映射: lake ids of aliased departments, units and projects → their canonical ids.
create table bpw_id_alias (
    kind varchar,
    from_id bigint,
    to_id bigint,
    project_family varchar
);

comment on table bpw_id_alias is '标识映射 — internal: how the lake views re-key the rows of aliased departments (from bpw_department_alias); empty without aliases';
