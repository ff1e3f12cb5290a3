-- 时点: the moment an as-of catalog shows the warehouse at (one row; absent from the live catalog).
create table bpw_as_of (
    manifest_version integer,
    run_id varchar,
    as_of timestamp
);

comment on table bpw_as_of is '时点 — this catalog shows the warehouse as it was at as_of (bpw sql --as-of): the manifest then current, its file versions'' statuses as they were then';
comment on column bpw_as_of.manifest_version is '清单版本 — the manifest version that was current at that moment';
comment on column bpw_as_of.run_id is '运行ID — the run that published that manifest';
comment on column bpw_as_of.as_of is '时点 — when that manifest was published (local time): every file version recorded later is left out, and one superseded later reads current';
