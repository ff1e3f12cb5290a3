-- 时点: the moment an as-of catalog shows the warehouse at (one row; absent from the live catalog).
create table bpw_as_of (
    manifest_version integer,
    run_id varchar,
    as_of timestamptz
);

comment on table bpw_as_of is '时点 — this catalog shows the warehouse as it was at as_of (bpw sql --as-of): the manifest then current, its file versions'' statuses as they were then';
