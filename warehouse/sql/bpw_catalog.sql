-- 目录版本: which lake manifest this generated catalog describes (one row).
create table bpw_catalog (
    manifest_version integer,
    built_at timestamptz,
    lake_path varchar
);

comment on table bpw_catalog is '目录版本 — catalog metadata: the lake manifest version this generated catalog was built from';
