-- 标识映射: lake ids of aliased departments, units and projects → their canonical ids.
create table bpw_id_alias (
    kind varchar,
    from_id bigint,
    to_id bigint,
    project_family varchar
);

comment on table bpw_id_alias is '标识映射 — internal: how the lake views re-key the rows of aliased departments (from bpw_department_alias); empty without aliases';
comment on column bpw_id_alias.kind is '类别 — department / unit / project';
comment on column bpw_id_alias.from_id is '原ID — the id stored in the lake (hash of the alias name) (BIGINT)';
comment on column bpw_id_alias.to_id is '规范ID — the id under the canonical department name (BIGINT)';
comment on column bpw_id_alias.project_family is '项目系列 — the project''s family under the canonical name (projects only, else NULL)';
