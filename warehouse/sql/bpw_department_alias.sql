-- 部门别名: the alias file ($BPW_HOME/aliases.csv) as this catalog applies it.
create table bpw_department_alias (
    alias_name varchar,
    canonical_name varchar,
    alias_department_id bigint,
    department_id bigint
);

comment on table bpw_department_alias is '部门别名 — department aliases applied by this catalog, from $BPW_HOME/aliases.csv (edit the file, then run `bpw aliases`); one row per alias';
