-- 版本修订: one row per difference between consecutive versions of a department-year's
-- table of one kind: a 目标表 (projects, amounts, goals, targets) or a 自评表 (budget
-- execution, indicator results).
create view v_revision_change as
with source_files as (
    select * from stg_source_files
),

projects as (
    select * from stg_project_versions
),

indicators as (
    select * from stg_indicator_versions
),

executions as (
    select * from stg_execution_versions
),

results as (
    select * from stg_result_versions
),

departments as (
    select * from dim_department
),

-- the versions of a batch that were current at some time, oldest first (a same-run
-- loser, superseded the moment it was recorded, never was and has no rows)
versions as (
    select
        source_file_id, year, department_id, department_name, batch_kind, loaded_at,
        declared_total_amount
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
    window batch as (
        partition by year, department_id, batch_kind order by loaded_at, source_file_id
    )
),

-- the versions whose rows the lake still holds: a 目标表's projects, a 自评表's executions
kept_files as (
    select source_file_id from projects
    union
    select source_file_id from executions
),

-- both versions' rows must still be in the lake (the retention policy may have dropped
-- the older one's: then there is nothing to compare it with)
kept_pairs as (
    select *
    from pairs
    where old_id is not null
        and old_id in (select source_file_id from kept_files)
        and new_id in (select source_file_id from kept_files)
),

-- each pair's two versions, one row per side
pair_sides as (
    select new_id as pair_id, old_id as source_file_id, true as is_old from kept_pairs
    union all
    select new_id as pair_id, new_id as source_file_id, false as is_old from kept_pairs
),

-- a project is matched by its id (the normalized name within the department); the same
-- name twice in one table is told apart by its order
project_rows as (
    select
        pair_sides.pair_id,
        pair_sides.is_old,
        projects.*,
        row_number() over (
            partition by pair_sides.pair_id, pair_sides.is_old, projects.project_id
            order by projects.source_row
        ) as occurrence
    from pair_sides
    inner join projects on projects.source_file_id = pair_sides.source_file_id
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
    from (select * from project_rows where is_old) as old
    full outer join (select * from project_rows where not is_old) as new
        on new.pair_id = old.pair_id
        and new.project_id = old.project_id
        and new.occurrence = old.occurrence
),

-- an indicator is matched within its matched project by its category and its name key
-- (indicator_key), then by order among equal names
indicator_rows as (
    select
        matched_projects.pair_id,
        matched_projects.project_id,
        matched_projects.old_source_row,
        matched_projects.project_name,
        pair_sides.is_old,
        indicators.category_code,
        indicators.indicator_key,
        indicators.indicator_name,
        indicators.annual_target_text,
        indicators.period_target_text,
        row_number() over (
            partition by
                matched_projects.pair_id, matched_projects.project_id,
                matched_projects.old_source_row, pair_sides.is_old,
                indicators.category_code, indicators.indicator_key
            order by indicators.indicator_seq
        ) as occurrence
    from pair_sides
    inner join indicators on indicators.source_file_id = pair_sides.source_file_id
    inner join matched_projects
        on matched_projects.pair_id = pair_sides.pair_id
        and matched_projects.project_id = indicators.project_id
        and indicators.source_row = case
            when pair_sides.is_old then matched_projects.old_source_row
            else matched_projects.new_source_row
        end
    where matched_projects.in_old and matched_projects.in_new
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
    from (select * from indicator_rows where is_old) as old
    full outer join (select * from indicator_rows where not is_old) as new
        on new.pair_id = old.pair_id
        and new.project_id = old.project_id
        and new.old_source_row = old.old_source_row
        and new.category_code = old.category_code
        and new.indicator_key = old.indicator_key
        and new.occurrence = old.occurrence
),

-- a 自评表's projects (its budget-execution rows) and their indicator results, matched
-- as a 目标表's are: projects by id and order, results by category and name key
execution_rows as (
    select
        pair_sides.pair_id,
        pair_sides.is_old,
        executions.*,
        row_number() over (
            partition by pair_sides.pair_id, pair_sides.is_old, executions.project_id
            order by executions.source_row
        ) as occurrence
    from pair_sides
    inner join executions on executions.source_file_id = pair_sides.source_file_id
),

matched_executions as (
    select
        coalesce(new.pair_id, old.pair_id) as pair_id,
        coalesce(new.project_id, old.project_id) as project_id,
        coalesce(new.project_name, old.project_name) as project_name,
        old.project_id is not null as in_old,
        new.project_id is not null as in_new,
        old.source_row as old_source_row,
        new.source_row as new_source_row,
        old.initial_budget_amount as old_initial_budget_amount,
        new.initial_budget_amount as new_initial_budget_amount,
        old.adjusted_budget_amount as old_adjusted_budget_amount,
        new.adjusted_budget_amount as new_adjusted_budget_amount,
        old.executed_amount as old_executed_amount,
        new.executed_amount as new_executed_amount
    from (select * from execution_rows where is_old) as old
    full outer join (select * from execution_rows where not is_old) as new
        on new.pair_id = old.pair_id
        and new.project_id = old.project_id
        and new.occurrence = old.occurrence
),

result_rows as (
    select
        matched_executions.pair_id,
        matched_executions.project_id,
        matched_executions.old_source_row,
        matched_executions.project_name,
        pair_sides.is_old,
        results.category_code,
        results.indicator_key,
        results.indicator_name,
        results.annual_target_text,
        results.actual_text,
        results.deviation_reason,
        cast(results.score as varchar) as score,
        row_number() over (
            partition by
                matched_executions.pair_id, matched_executions.project_id,
                matched_executions.old_source_row, pair_sides.is_old,
                results.category_code, results.indicator_key
            order by results.indicator_seq
        ) as occurrence
    from pair_sides
    inner join results on results.source_file_id = pair_sides.source_file_id
    inner join matched_executions
        on matched_executions.pair_id = pair_sides.pair_id
        and matched_executions.project_id = results.project_id
        and results.source_row = case
            when pair_sides.is_old then matched_executions.old_source_row
            else matched_executions.new_source_row
        end
    where matched_executions.in_old and matched_executions.in_new
),

matched_results as (
    select
        coalesce(new.pair_id, old.pair_id) as pair_id,
        coalesce(new.project_name, old.project_name) as project_name,
        coalesce(new.indicator_name, old.indicator_name) as indicator_name,
        old.indicator_key is not null as in_old,
        new.indicator_key is not null as in_new,
        old.annual_target_text as old_target,
        new.annual_target_text as new_target,
        old.actual_text as old_actual,
        new.actual_text as new_actual,
        old.deviation_reason as old_reason,
        new.deviation_reason as new_reason,
        old.score as old_score,
        new.score as new_score
    from (select * from result_rows where is_old) as old
    full outer join (select * from result_rows where not is_old) as new
        on new.pair_id = old.pair_id
        and new.project_id = old.project_id
        and new.old_source_row = old.old_source_row
        and new.category_code = old.category_code
        and new.indicator_key = old.indicator_key
        and new.occurrence = old.occurrence
),

-- every comparison as (pair, kind, project, indicator, field, old, new): one row per
-- field of a project or indicator in both versions, one per project or indicator in one
compared as (
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
    union all
    select
        pair_id,
        case when in_new then 'project_added' else 'project_removed' end,
        project_name,
        null,
        'total_amount',
        old_total_amount,
        new_total_amount,
        null,
        null
    from matched_projects
    where in_old <> in_new
    union all
    select
        pair_id,
        case when fields.field = 'performance_goal' then 'goal_changed' else 'amount_changed' end,
        project_name,
        null,
        fields.field,
        fields.old_amount,
        fields.new_amount,
        fields.old_text,
        fields.new_text
    from matched_projects
    cross join lateral (
        values
            ('total_amount', old_total_amount, new_total_amount, null, null),
            ('fiscal_amount', old_fiscal_amount, new_fiscal_amount, null, null),
            (
                'special_account_amount',
                old_special_account_amount,
                new_special_account_amount,
                null,
                null
            ),
            ('other_amount', old_other_amount, new_other_amount, null, null),
            ('performance_goal', null, null, old_goal, new_goal)
    ) as fields (field, old_amount, new_amount, old_text, new_text)
    where in_old and in_new
    union all
    select
        pair_id,
        case when in_new then 'indicator_added' else 'indicator_removed' end,
        project_name,
        indicator_name,
        'annual_target_text',
        null,
        null,
        old_annual,
        new_annual
    from matched_indicators
    where in_old <> in_new
    union all
    select
        pair_id,
        'target_changed',
        project_name,
        indicator_name,
        fields.field,
        null,
        null,
        fields.old_text,
        fields.new_text
    from matched_indicators
    cross join lateral (
        values
            ('annual_target_text', old_annual, new_annual),
            ('period_target_text', old_period, new_period)
    ) as fields (field, old_text, new_text)
    where in_old and in_new
    union all
    select
        pair_id,
        case when in_new then 'project_added' else 'project_removed' end,
        project_name,
        null,
        'adjusted_budget_amount',
        old_adjusted_budget_amount,
        new_adjusted_budget_amount,
        null,
        null
    from matched_executions
    where in_old <> in_new
    union all
    select
        pair_id,
        'execution_changed',
        project_name,
        null,
        fields.field,
        fields.old_amount,
        fields.new_amount,
        null,
        null
    from matched_executions
    cross join lateral (
        values
            ('initial_budget_amount', old_initial_budget_amount, new_initial_budget_amount),
            ('adjusted_budget_amount', old_adjusted_budget_amount, new_adjusted_budget_amount),
            ('executed_amount', old_executed_amount, new_executed_amount)
    ) as fields (field, old_amount, new_amount)
    where in_old and in_new
    union all
    select
        pair_id,
        case when in_new then 'indicator_added' else 'indicator_removed' end,
        project_name,
        indicator_name,
        'actual_text',
        null,
        null,
        old_actual,
        new_actual
    from matched_results
    where in_old <> in_new
    union all
    select
        pair_id,
        'result_changed',
        project_name,
        indicator_name,
        fields.field,
        null,
        null,
        fields.old_text,
        fields.new_text
    from matched_results
    cross join lateral (
        values
            ('annual_target_text', old_target, new_target),
            ('actual_text', old_actual, new_actual),
            ('score', old_score, new_score),
            ('deviation_reason', old_reason, new_reason)
    ) as fields (field, old_text, new_text)
    where in_old and in_new
),

-- a comparison is a change when a side is missing or the values differ
changes as (
    select *
    from compared
    where change_kind not in ('declared_total_changed', 'amount_changed', 'goal_changed',
        'target_changed', 'execution_changed', 'result_changed')
        or old_amount is distinct from new_amount
        or old_text is distinct from new_text
),

final as (
    select
        kept_pairs.year,
        cast(coalesce(departments.department_name, kept_pairs.department_name) as varchar)
            as department_name,
        cast(changes.change_kind as varchar) as change_kind,
        cast(changes.project_name as varchar) as project_name,
        cast(changes.indicator_name as varchar) as indicator_name,
        cast(changes.field as varchar) as field,
        cast(coalesce(changes.old_text, amount_text(changes.old_amount)) as varchar)
            as old_value,
        cast(coalesce(changes.new_text, amount_text(changes.new_amount)) as varchar)
            as new_value,
        kept_pairs.old_id as old_source_file_id,
        kept_pairs.new_id as new_source_file_id,
        kept_pairs.changed_at
    from changes
    inner join kept_pairs on kept_pairs.new_id = changes.pair_id
    left join departments on departments.department_id = kept_pairs.department_id
)

select * from final;

comment on view v_revision_change is '版本修订 — what changed between consecutive versions of a department''s table of one kind (目标表 or 自评表) for one year (a resubmitted, corrected file replacing the older one): one row per difference. Projects are matched by their normalized name, indicators by category and normalized name within their project, never by row position; a new project''s own indicators belong to its project_added row. Versions whose rows the retention policy dropped are not compared';
