-- 数据质量提示: the gate's warnings on the loaded (current) files.
create view v_quality_finding as
with findings as (
    select * from stg_findings
),

current_files as (
    select * from stg_current_files
),

final as (
    select
        current_files.file_name,
        current_files.year,
        current_files.department_name,
        findings.rule,
        findings.severity,
        findings.source_row,
        findings."column",
        findings.value,
        findings.message
    from findings
    inner join current_files on current_files.source_file_id = findings.source_file_id
    where findings.severity = 'warning'
)

select * from final;

comment on view v_quality_finding is '数据质量提示 — quality warnings the gate raised on loaded files (errors reject a file; see quarantine for those)';
