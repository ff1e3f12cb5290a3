-- 目录版本: which lake manifest this generated catalog describes (one row).
create table bpw_catalog (
    manifest_version integer,
    built_at timestamp,
    lake_path varchar
);

comment on table bpw_catalog is '目录版本 — catalog metadata: the lake manifest version this generated catalog was built from';
comment on column bpw_catalog.manifest_version is '清单版本 — version in lake/manifest.json when the catalog was built';
comment on column bpw_catalog.built_at is '构建时间 — when the catalog was built (local time)';
comment on column bpw_catalog.lake_path is '数据湖路径 — absolute path of the lake the views read';
