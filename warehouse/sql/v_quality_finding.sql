-- 数据质量提示: the gate's warnings on the loaded (current) files.
create view v_quality_finding as
with findings as (
    select * from lake_findings
),

source_files as (
    select * from lake_source_files
),

current_files as (
    select source_file_id, file_name, year, department_name
    from source_files
    where status = 'current'
),

final as (
    select
        cast(current_files.file_name as varchar) as file_name,
        cast(current_files.year as integer) as year,
        cast(current_files.department_name as varchar) as department_name,
        cast(findings.rule as varchar) as rule,
        cast(findings.severity as varchar) as severity,
        cast(findings.source_row as integer) as source_row,
        cast(findings."column" as varchar) as "column",
        cast(findings.value as varchar) as value,
        cast(findings.message as varchar) as message
    from findings
    inner join current_files on current_files.source_file_id = findings.source_file_id
    where findings.severity = 'warning'
)

select * from final;

comment on view v_quality_finding is '数据质量提示 — quality warnings the gate raised on loaded files (errors reject a file; see quarantine for those)';
comment on column v_quality_finding.file_name is '文件名 — the loaded file the warning is about';
comment on column v_quality_finding.year is '预算年度 — budget year of the file (INTEGER)';
comment on column v_quality_finding.department_name is '部门名称 — department of the file';
comment on column v_quality_finding.rule is '规则 — the rule that raised the warning (e.g. declared_total_rounding)';
comment on column v_quality_finding.severity is '严重程度 — always warning here';
comment on column v_quality_finding.source_row is '来源行号 — 1-based row of the source table the warning points at (null if file-level)';
comment on column v_quality_finding."column" is '列 — the column (role) the warning is about';
comment on column v_quality_finding.value is '值 — the offending value, as text';
comment on column v_quality_finding.message is '说明 — what is wrong, in one line';
