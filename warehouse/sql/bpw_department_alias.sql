-- 部门别名: the alias file ($BPW_HOME/aliases.csv) as this catalog applies it.
create table bpw_department_alias (
    alias_name varchar,
    canonical_name varchar,
    alias_department_id bigint,
    department_id bigint
);

comment on table bpw_department_alias is '部门别名 — department aliases applied by this catalog, from $BPW_HOME/aliases.csv (edit the file, then run `bpw aliases`); one row per alias';
comment on column bpw_department_alias.alias_name is '别名 — a name the department was published under (as written in aliases.csv)';
comment on column bpw_department_alias.canonical_name is '规范名称 — the name every year of the department is reported under (chains resolved)';
comment on column bpw_department_alias.alias_department_id is '别名部门ID — the id the alias name hashes to in the lake (BIGINT)';
comment on column bpw_department_alias.department_id is '部门ID — the canonical department id the views use instead (→ dim_department, BIGINT)';
