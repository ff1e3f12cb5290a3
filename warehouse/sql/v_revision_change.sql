-- 版本修订: one row per difference between consecutive versions of a department-year.
create view v_revision_change as
with source_files as (
    select * from lake_source_files
),

projects as (
    select * from lake_projects
),

indicators as (
    select * from lake_indicators
),

departments as (
    select * from dim_department
),

-- the versions of a batch that were current at some time, oldest first (a same-run
-- loser, superseded the moment it was recorded, never was and has no rows)
versions as (
    select source_file_id, year, department_id, department_name, loaded_at, declared_total_amount
    from source_files
    where status in ('current', 'superseded')
        and (superseded_at is null or superseded_at > loaded_at)
),

pairs as (
    select
        year,
        department_id,
        department_name,
        source_file_id as new_id,
        loaded_at as changed_at,
        declared_total_amount as new_declared_total,
        lag(source_file_id) over batch as old_id,
        lag(declared_total_amount) over batch as old_declared_total
    from versions
    window batch as (partition by year, department_id order by loaded_at, source_file_id)
),

-- both versions' rows must still be in the lake (the retention policy may have dropped
-- the older one's: then there is nothing to compare it with)
kept_pairs as (
    select *
    from pairs
    where old_id is not null
        and old_id in (select source_file_id from projects)
        and new_id in (select source_file_id from projects)
),

-- a project is matched by its id (the normalized name within the department); the same
-- name twice in one table is told apart by its order
project_rows as (
    select
        source_file_id,
        project_id,
        source_row,
        project_name,
        total_amount,
        fiscal_amount,
        special_account_amount,
        other_amount,
        performance_goal,
        row_number() over (
            partition by source_file_id, project_id order by source_row
        ) as occurrence
    from projects
    where source_file_id in (select old_id from kept_pairs)
        or source_file_id in (select new_id from kept_pairs)
),

old_projects as (
    select kept_pairs.new_id as pair_id, project_rows.*
    from kept_pairs
    inner join project_rows on project_rows.source_file_id = kept_pairs.old_id
),

new_projects as (
    select kept_pairs.new_id as pair_id, project_rows.*
    from kept_pairs
    inner join project_rows on project_rows.source_file_id = kept_pairs.new_id
),

matched_projects as (
    select
        coalesce(new.pair_id, old.pair_id) as pair_id,
        coalesce(new.project_id, old.project_id) as project_id,
        coalesce(new.project_name, old.project_name) as project_name,
        old.project_id is not null as in_old,
        new.project_id is not null as in_new,
        old.source_row as old_source_row,
        new.source_row as new_source_row,
        old.total_amount as old_total_amount,
        new.total_amount as new_total_amount,
        old.fiscal_amount as old_fiscal_amount,
        new.fiscal_amount as new_fiscal_amount,
        old.special_account_amount as old_special_account_amount,
        new.special_account_amount as new_special_account_amount,
        old.other_amount as old_other_amount,
        new.other_amount as new_other_amount,
        old.performance_goal as old_goal,
        new.performance_goal as new_goal
    from old_projects as old
    full outer join new_projects as new
        on new.pair_id = old.pair_id
        and new.project_id = old.project_id
        and new.occurrence = old.occurrence
),

-- an indicator is matched within its matched project by its category and its name
-- (full-width folded, whitespace removed), then by order among equal names
indicator_rows as (
    select
        source_file_id,
        project_id,
        source_row,
        indicator_seq,
        category_code,
        indicator_name,
        annual_target_text,
        period_target_text,
        regexp_replace(
            translate(
                indicator_name,
                '！＂＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～',
                '!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~'
            ),
            '\s+', '', 'g'
        ) as indicator_key
    from indicators
    where source_file_id in (select old_id from kept_pairs)
        or source_file_id in (select new_id from kept_pairs)
),

both_projects as (
    select
        matched_projects.*,
        kept_pairs.old_id,
        kept_pairs.new_id
    from matched_projects
    inner join kept_pairs on kept_pairs.new_id = matched_projects.pair_id
    where matched_projects.in_old and matched_projects.in_new
),

old_indicators as (
    select
        both_projects.pair_id,
        both_projects.project_id,
        both_projects.project_name,
        indicator_rows.*,
        row_number() over (
            partition by both_projects.pair_id, both_projects.project_id,
            both_projects.old_source_row, indicator_rows.category_code,
            indicator_rows.indicator_key
            order by indicator_rows.indicator_seq
        ) as occurrence
    from both_projects
    inner join indicator_rows
        on indicator_rows.source_file_id = both_projects.old_id
        and indicator_rows.project_id = both_projects.project_id
        and indicator_rows.source_row = both_projects.old_source_row
),

new_indicators as (
    select
        both_projects.pair_id,
        both_projects.project_id,
        both_projects.project_name,
        both_projects.old_source_row,
        indicator_rows.*,
        row_number() over (
            partition by both_projects.pair_id, both_projects.project_id,
            both_projects.old_source_row, indicator_rows.category_code,
            indicator_rows.indicator_key
            order by indicator_rows.indicator_seq
        ) as occurrence
    from both_projects
    inner join indicator_rows
        on indicator_rows.source_file_id = both_projects.new_id
        and indicator_rows.project_id = both_projects.project_id
        and indicator_rows.source_row = both_projects.new_source_row
),

matched_indicators as (
    select
        coalesce(new.pair_id, old.pair_id) as pair_id,
        coalesce(new.project_name, old.project_name) as project_name,
        coalesce(new.indicator_name, old.indicator_name) as indicator_name,
        old.indicator_key is not null as in_old,
        new.indicator_key is not null as in_new,
        old.annual_target_text as old_annual,
        new.annual_target_text as new_annual,
        old.period_target_text as old_period,
        new.period_target_text as new_period
    from old_indicators as old
    full outer join new_indicators as new
        on new.pair_id = old.pair_id
        and new.project_id = old.project_id
        and new.old_source_row = old.source_row
        and new.category_code = old.category_code
        and new.indicator_key = old.indicator_key
        and new.occurrence = old.occurrence
),

amount_fields as (
    select * from (
        values ('total_amount'), ('fiscal_amount'), ('special_account_amount'), ('other_amount')
    ) as fields (field)
),

target_fields as (
    select * from (values ('annual_target_text'), ('period_target_text')) as fields (field)
),

amount_values as (
    select
        matched_projects.pair_id,
        matched_projects.project_name,
        amount_fields.field,
        case amount_fields.field
            when 'total_amount' then old_total_amount
            when 'fiscal_amount' then old_fiscal_amount
            when 'special_account_amount' then old_special_account_amount
            else old_other_amount
        end as old_amount,
        case amount_fields.field
            when 'total_amount' then new_total_amount
            when 'fiscal_amount' then new_fiscal_amount
            when 'special_account_amount' then new_special_account_amount
            else new_other_amount
        end as new_amount
    from matched_projects
    cross join amount_fields
    where matched_projects.in_old and matched_projects.in_new
),

target_values as (
    select
        matched_indicators.pair_id,
        matched_indicators.project_name,
        matched_indicators.indicator_name,
        target_fields.field,
        case target_fields.field when 'annual_target_text' then old_annual else old_period end
            as old_target,
        case target_fields.field when 'annual_target_text' then new_annual else new_period end
            as new_target
    from matched_indicators
    cross join target_fields
    where matched_indicators.in_old and matched_indicators.in_new
),

changes as (
    select
        new_id as pair_id,
        'declared_total_changed' as change_kind,
        null as project_name,
        null as indicator_name,
        'declared_total_amount' as field,
        old_declared_total as old_amount,
        new_declared_total as new_amount,
        null as old_text,
        null as new_text
    from kept_pairs
    where old_declared_total is distinct from new_declared_total
    union all
    select
        pair_id,
        'project_added',
        project_name,
        null,
        'total_amount',
        null,
        new_total_amount,
        null,
        null
    from matched_projects
    where in_new and not in_old
    union all
    select
        pair_id,
        'project_removed',
        project_name,
        null,
        'total_amount',
        old_total_amount,
        null,
        null,
        null
    from matched_projects
    where in_old and not in_new
    union all
    select pair_id, 'amount_changed', project_name, null, field, old_amount, new_amount, null, null
    from amount_values
    where old_amount is distinct from new_amount
    union all
    select
        pair_id,
        'goal_changed',
        project_name,
        null,
        'performance_goal',
        null,
        null,
        old_goal,
        new_goal
    from matched_projects
    where in_old and in_new and old_goal is distinct from new_goal
    union all
    select
        pair_id,
        'indicator_added',
        project_name,
        indicator_name,
        'annual_target_text',
        null,
        null,
        null,
        new_annual
    from matched_indicators
    where in_new and not in_old
    union all
    select
        pair_id,
        'indicator_removed',
        project_name,
        indicator_name,
        'annual_target_text',
        null,
        null,
        old_annual,
        null
    from matched_indicators
    where in_old and not in_new
    union all
    select
        pair_id,
        'target_changed',
        project_name,
        indicator_name,
        field,
        null,
        null,
        old_target,
        new_target
    from target_values
    where old_target is distinct from new_target
),

-- amounts as text without zeros beyond two places (5373.550000 → 5373.55; exact)
final as (
    select
        cast(kept_pairs.year as integer) as year,
        cast(coalesce(departments.department_name, kept_pairs.department_name) as varchar)
            as department_name,
        cast(changes.change_kind as varchar) as change_kind,
        cast(changes.project_name as varchar) as project_name,
        cast(changes.indicator_name as varchar) as indicator_name,
        cast(changes.field as varchar) as field,
        cast(
            coalesce(
                changes.old_text,
                regexp_replace(
                    cast(cast(changes.old_amount as decimal(18, 6)) as varchar),
                    '(\.\d\d\d*?)0+$', '\1'
                )
            ) as varchar
        ) as old_value,
        cast(
            coalesce(
                changes.new_text,
                regexp_replace(
                    cast(cast(changes.new_amount as decimal(18, 6)) as varchar),
                    '(\.\d\d\d*?)0+$', '\1'
                )
            ) as varchar
        ) as new_value,
        cast(kept_pairs.old_id as bigint) as old_source_file_id,
        cast(kept_pairs.new_id as bigint) as new_source_file_id,
        cast(kept_pairs.changed_at as timestamp) as changed_at
    from changes
    inner join kept_pairs on kept_pairs.new_id = changes.pair_id
    left join departments on departments.department_id = kept_pairs.department_id
)

select * from final;

comment on view v_revision_change is '版本修订 — what changed between consecutive versions of a department''s table for one year (a resubmitted, corrected file replacing the older one): one row per difference. Projects are matched by their normalized name, indicators by category and normalized name within their project, never by row position; a new project''s own indicators belong to its project_added row. Versions whose rows the retention policy dropped are not compared';
comment on column v_revision_change.year is '预算年度 — budget year of the batch (INTEGER)';
comment on column v_revision_change.department_name is '部门名称 — department (latest name, or canonical from aliases.csv)';
comment on column v_revision_change.change_kind is '变化类型 — project_added, project_removed, amount_changed (one row per fund column), goal_changed (绩效目标), indicator_added, indicator_removed, target_changed (年度 or 实施周期 指标值), declared_total_changed (合计)';
comment on column v_revision_change.project_name is '项目名称 — the project changed, as printed in the newer version (the older one for a removed project); NULL for declared_total_changed';
comment on column v_revision_change.indicator_name is '三级指标 — the indicator changed (indicator_added, indicator_removed, target_changed); NULL otherwise';
comment on column v_revision_change.field is '字段 — what changed: total_amount, fiscal_amount, special_account_amount, other_amount (万元), performance_goal, annual_target_text or period_target_text (raw target text), declared_total_amount (合计, 万元); for project_added / project_removed total_amount, for indicator_added / indicator_removed annual_target_text';
comment on column v_revision_change.old_value is '原值 — the value in the older version, as text (amounts in 万元, exact, zeros beyond two places dropped); NULL when added';
comment on column v_revision_change.new_value is '新值 — the value in the newer version, as text (amounts in 万元, exact, zeros beyond two places dropped); NULL when removed';
comment on column v_revision_change.old_source_file_id is '原版本文件ID — the older file version (→ dim_source_file)';
comment on column v_revision_change.new_source_file_id is '新版本文件ID — the newer file version that replaced it (→ dim_source_file)';
comment on column v_revision_change.changed_at is '修订时间 — when the newer version was published (local time, TIMESTAMP)';
