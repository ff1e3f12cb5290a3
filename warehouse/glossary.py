"""The glossary: one description per column name, the source of every column comment.

`catalog.py` comments every column of every view and table it builds from here (the
.sql files hold only their view's own comment), so a column means the same thing, in
the same words, wherever it is shown: `fiscal_amount` is described once. Where a view
shows a column at another grain (a department's sum rather than a project row's
amount), a short note in `NOTES` follows the shared entry; it narrows the scope, it
never redefines the column. The internal `lake_*` views follow the lake files, whose
columns grow with the transforms: an unknown lake column gets an honest fallback.
"""

from __future__ import annotations

LAKE_VIEWS: dict[str, str] = {
    "units": "内部: 单位小计行 — internal: unit subtotal rows of current and retained "
    "superseded files, raw lake rows",
    "projects": "内部: 项目行 — internal: project rows of current and retained superseded "
    "files, raw lake rows",
    "indicators": "内部: 绩效指标 — internal: indicator rows of current and retained "
    "superseded files, raw lake rows",
    "findings": "内部: 质量检查结果 — internal: gate findings of loaded (current or retained "
    "superseded) and rejected files",
    "executions": "内部: 预算执行 — internal: 自评表 budget-execution rows of current and "
    "retained superseded files, raw lake rows",
    "results": "内部: 指标完成情况 — internal: 自评表 indicator results of current and retained "
    "superseded files, raw lake rows",
    "source_files": "内部: 来源文件 — internal: every file version recorded, all statuses",
}

_WAN = "万元 (DECIMAL(18,6), exact)"
_BLANK = "; a blank cell is 0"
_PREV = "NULL without year−1 data"
_UTC = "TIMESTAMPTZ, stored in UTC, shown in the session's time zone"

COLUMNS: dict[str, str] = {
    # keys
    "source_file_id": "来源文件ID — file version id: the first 60 bits of the file's SHA-256 "
    "(BIGINT, → dim_source_file)",
    "source_row": "来源行号 — 1-based row number in the source table (INTEGER)",
    "year": "预算年度 — budget year (INTEGER)",
    "department_id": "部门ID — department id: a stable hash of the normalized department name "
    "(of its canonical name for an aliased department), the same in every year "
    "(BIGINT, → dim_department)",
    "unit_id": "资金使用单位ID — fund-using unit id: a stable hash of the normalized department "
    "and unit names (BIGINT, → dim_unit)",
    "project_id": "项目ID — project id: a stable hash of the normalized department and project "
    "names, the same in every year (BIGINT, → dim_project)",
    # names
    "department_name": "部门名称 — department name: as printed in its latest loaded table, or "
    "its canonical name from aliases.csv",
    "department_key": "部门规范名 — normalized department name (NFKC, no spaces)",
    "unit_name": "资金使用单位名称 — fund-using unit name as printed in its latest loaded table",
    "project_name": "项目名称 — project name as printed in its latest loaded table",
    "project_family": "项目系列 — normalized project name with year spans (e.g. 2023-2024年) "
    "removed, so a recurring series groups together",
    # funds
    "total_amount": f"总计 — total funding, {_WAN}{_BLANK}",
    "fiscal_amount": f"财政拨款 — general budget appropriation, {_WAN}{_BLANK}",
    "special_account_amount": f"财政专户拨款 — appropriation from fiscal special accounts, "
    f"{_WAN}{_BLANK}",
    "other_amount": f"其他资金 — other funding sources, {_WAN}{_BLANK}",
    "total_text": "总计原文 — the 总计 cell as printed (raw text)",
    "fiscal_text": "财政拨款原文 — the 财政拨款 cell as printed (raw text)",
    "special_text": "财政专户拨款原文 — the 财政专户拨款 cell as printed (raw text)",
    "other_text": "其他资金原文 — the 其他资金 cell as printed (raw text)",
    "declared_total_amount": f"合计 — the table's declared grand total, {_WAN}",
    "performance_goal": "绩效目标 — the project's performance goal text",
    # indicators
    "indicator_text": "绩效指标原文 — the packed 绩效指标 cell as printed (raw text)",
    "n_indicators": "绩效指标数 — number of performance indicators (BIGINT)",
    "record": "指标原文 — one indicator record as printed (raw text)",
    "indicator_pos": "指标位置 — 1-based position of the record in its cell",
    "indicator_seq": "指标序号 — the indicator's sequence number within its project (INTEGER)",
    "indicator_name": "三级指标 — indicator name (level 3)",
    "indicator_key": "指标匹配名 — indicator name with full-width characters folded and "
    "whitespace removed: what matches an indicator across years and versions",
    "category_code": "二级指标代码 — canonical level-2 category code, 11…31 (VARCHAR, → "
    "dim_indicator_category)",
    "level1_code": "一级指标代码 — level-1 code: 1 产出, 2 效益, 3 满意度 (VARCHAR)",
    "level1_name": "一级指标 — level-1 indicator name (产出指标 / 效益指标 / 满意度指标)",
    "level2_name": "二级指标 — level-2 indicator name (e.g. 数量指标, 社会效益指标)",
    "period_target_text": "实施周期指标值 — target over the implementation period, raw text as "
    "printed",
    "period_target_op": "实施周期指标值比较符 — comparator of the period target: >=, <=, >, <, = "
    "(NULL if none)",
    "period_target_value": "实施周期指标值数值 — number of the period target (DOUBLE; NULL for "
    "qualitative targets)",
    "period_target_unit": "实施周期指标值单位 — unit of the period target (e.g. %, 个, 平方米)",
    "annual_target_text": "年度指标值 — target for the budget year, raw text as printed",
    "annual_target_op": "年度指标值比较符 — comparator of the annual target: >=, <=, >, <, = "
    "(NULL if none)",
    "annual_target_value": "年度指标值数值 — number of the annual target (DOUBLE; NULL for "
    "qualitative targets)",
    "annual_target_unit": "年度指标值单位 — unit of the annual target (e.g. %, 个, 秒)",
    # year-end results (自评表)
    "initial_budget_amount": f"年初预算数 — the project's budget at the start of the year, as the "
    f"自评表 states it, {_WAN}",
    "adjusted_budget_amount": "全年预算数（调整后预算数） — the year's budget after in-year "
    f"adjustments, {_WAN}",
    "executed_amount": f"全年执行数（预算执行数） — the amount actually spent in the year, {_WAN}",
    "execution_rate": "执行率 — budget execution rate as printed, in percent (DOUBLE; 100 = all "
    "spent; a fraction from a percent-formatted cell is scaled to percent)",
    "execution_score": "预算执行得分 — the score the 自评表 gives budget execution (DOUBLE; NULL "
    "when blank)",
    "total_score": "自评总分 — the 自评表's total score (DOUBLE; NULL when not stated)",
    "actual_text": "实际完成值 — the actual result for the year, raw text as printed (NULL when "
    "blank)",
    "actual_value": "实际完成值 value — parsed number of the actual (DOUBLE; NULL when not a "
    "number)",
    "actual_unit": "实际完成值 unit — parsed unit of the actual (NULL when none)",
    "weight": "分值（权重） — the indicator's weight in the self-evaluation (DOUBLE)",
    "score": "得分 — the score the department gave the indicator (DOUBLE; NULL when blank)",
    "deviation_reason": "偏差原因分析 — why the result deviates from the target, as written "
    "(NULL when blank)",
    "attainment": "完成情况 — met / missed (the actual against the target's comparator, units "
    "converted), qualitative (a target or actual that is not a number), not_reported (no "
    "actual), unit_mismatch (units that cannot be compared)",
    "target_text": "目标表指标值 — the annual target the 目标表 set for the same project, year and "
    "indicator, raw text (NULL when no 目标表 is loaded for it)",
    "reported_target_text": "自评表指标值 — the annual target as the 自评表 restates it, raw text",
    "target_restated": "目标变更 — true when the 自评表's target differs from the 目标表's (width "
    "and spaces folded); NULL when no 目标表 is loaded (BOOLEAN)",
    "n_met": "达成指标数 — indicators whose attainment is met (BIGINT)",
    "n_missed": "未达成指标数 — indicators whose attainment is missed (BIGINT)",
    "met_pct": "达成率 — n_met / (n_met + n_missed) × 100, percent (DOUBLE); qualitative and "
    "unreported indicators are not counted; NULL when none was judged",
    "prev_met_pct": "上年达成率 — met_pct of year−1, percent (DOUBLE); NULL without year−1 data",
    "prev_execution_rate": "上年执行率 — the execution rate of year−1, percent (DOUBLE); NULL "
    "without year−1 data",
    "batch_kind": "批次类型 — targets (目标表) or self_evaluation (自评表): a department-year has "
    "one current file of each kind",
    # file versions
    "file_name": "文件名 — the input file's name",
    "file_path": "文件路径 — where the file was found",
    "sha256": "文件哈希 — SHA-256 of the file's bytes (hex); the archive keeps the bytes under it",
    "status": "状态 — current (loaded, in the facts), superseded (replaced by a newer file for the "
    "same year and department) or rejected (failed the gate, never loaded)",
    "loaded_at": f"登记时间 — when the run that recorded this file published ({_UTC})",
    "superseded_at": f"被替换时间 — when a newer file replaced this one (NULL unless "
    f"superseded; {_UTC})",
    "superseded_by": "替换文件ID — source_file_id of the file that replaced this one (NULL "
    "unless superseded)",
    "rows_dropped_at": "行删除时间 — when the retention policy dropped this superseded "
    f"version's rows from the lake (NULL while they are kept; {_UTC})",
    "amount_unit": "金额单位 — the table's printed amount unit (元 / 万元)",
    "encoding": "编码 — text encoding the file was decoded with",
    "sheet": "工作表 — spreadsheet sheet name (NULL for text files)",
    "file_size": "文件大小 — bytes",
    "file_mtime": "修改时间 — file modification time (Unix seconds)",
    "run_id": "运行ID — a bpw run's id (runs/<run_id>.json): the run that recorded the row",
    "archive_path": "归档路径 — where the file's bytes are archived (NULL if not archived)",
    "is_synthetic": "虚构数据 — true when the file declares its figures invented (the "
    "数据性质：虚构示例数据 line bpw synth writes above every table): never quote them as a "
    "department's budget; false for every other file (BOOLEAN)",
    # gate findings
    "rule": "规则 — the gate rule that raised the finding (e.g. declared_total_rounding)",
    "severity": "严重程度 — error (rejects the file) or warning (loads, and is recorded)",
    "column": "列 — the column (role) the finding is about",
    "value": "值 — the offending value, as text",
    "message": "说明 — what is wrong, in one line",
    # year over year
    "prev_total_amount": f"上年总计 — total_amount of the same row in year−1, {_WAN}; {_PREV}",
    "yoy_change": f"同比增减额 — total_amount − prev_total_amount, {_WAN}; {_PREV}",
    "yoy_pct": "同比增减率 — yoy_change / prev_total_amount × 100, percent (DOUBLE, unrounded); "
    "NULL when the previous total is NULL or 0",
    "n_projects": "项目数 — number of project rows (BIGINT)",
    "first_year": "首个年度 — the first budget year in which the warehouse holds it (INTEGER)",
    "n_members": "在编项目数 — number of the family's projects funded this year (BIGINT)",
    "n_new_members": "新增项目数 — members funded for the first time this year (their first year "
    "in the warehouse) (BIGINT)",
    "member_names": "成员项目 — names of the members funded this year (latest printed names, "
    "sorted, separated by ；)",
    "prev_annual_target_text": "上年年度指标值 — the same indicator's annual target in year−1, "
    "raw text; NULL if it had none in year−1",
    "prev_annual_target_op": "上年比较符 — comparator of the year−1 target: >=, <=, >, <, = "
    "(NULL if none)",
    "prev_annual_target_value": "上年指标数值 — number of the year−1 target (DOUBLE; NULL for "
    "qualitative targets)",
    "prev_annual_target_unit": "上年计量单位 — unit of the year−1 target (e.g. %, 个, 秒)",
    "target_change": "目标变化 — raised (more demanding: a higher value for ≥ / > or a bare "
    "number, a lower one for ≤ / < or a bare duration such as 2小时), lowered (less "
    "demanding), reworded (text changed, value not comparable or the same: 达标 → 达到标准, "
    "≥95% → 不低于95%), unchanged (same text); NULL when the indicator has no year−1 target",
    "value_change": "指标数值变化 — annual_target_value − prev_annual_target_value in the "
    "target's unit (DOUBLE; positive = a larger number, whatever the direction); NULL unless "
    "both are numbers of the same unit and direction",
    # mixes
    "n_quantitative": "定量指标数 — of those, indicators whose annual target (年度指标值) is a "
    "number, e.g. ≥95%, 12个, ≤3秒 (BIGINT)",
    "quantitative_pct": "定量指标占比 — n_quantitative / n_indicators × 100, percent (DOUBLE, "
    "unrounded)",
    "category_pct": "类别占比 — n_indicators / all the department's indicators this year × 100, "
    "percent (DOUBLE, unrounded)",
    "fiscal_pct": "财政拨款占比 — fiscal_amount / total_amount × 100, percent (DOUBLE, "
    "unrounded); NULL when the total is 0",
    "special_account_pct": "财政专户拨款占比 — special_account_amount / total_amount × 100, "
    "percent (DOUBLE, unrounded); NULL when the total is 0",
    "other_pct": "其他资金占比 — other_amount / total_amount × 100, percent (DOUBLE, unrounded); "
    "NULL when the total is 0",
    "prev_fiscal_pct": f"上年财政拨款占比 — fiscal_pct of year−1, percent (DOUBLE); {_PREV}",
    "prev_special_account_pct": "上年财政专户拨款占比 — special_account_pct of year−1, percent "
    f"(DOUBLE); {_PREV}",
    "prev_other_pct": f"上年其他资金占比 — other_pct of year−1, percent (DOUBLE); {_PREV}",
    # revisions
    "change_kind": "变化类型 — project_added, project_removed, amount_changed (one row per fund "
    "column), goal_changed (绩效目标), indicator_added, indicator_removed, target_changed (年度 "
    "or 实施周期 指标值), declared_total_changed (合计); for a 自评表 also execution_changed "
    "(年初预算数, 全年预算数 or 全年执行数) and result_changed (its 指标值, 实际完成值, 得分 or "
    "偏差原因)",
    "field": "字段 — what changed: total_amount, fiscal_amount, special_account_amount, "
    "other_amount (万元), performance_goal, annual_target_text or period_target_text (raw "
    "target text), declared_total_amount (合计, 万元); for project_added / project_removed "
    "total_amount, for indicator_added / indicator_removed annual_target_text. In a 自评表: "
    "initial_budget_amount, adjusted_budget_amount, executed_amount (万元), annual_target_text, "
    "actual_text, score, deviation_reason; adjusted_budget_amount for a project added or "
    "removed, actual_text for an indicator",
    "old_value": "原值 — the value in the older version, as text (amounts in 万元, exact, zeros "
    "beyond two places dropped); NULL when added",
    "new_value": "新值 — the value in the newer version, as text (amounts in 万元, exact, zeros "
    "beyond two places dropped); NULL when removed",
    "old_source_file_id": "原版本文件ID — the older file version (→ dim_source_file)",
    "new_source_file_id": "新版本文件ID — the newer file version that replaced it (→ "
    "dim_source_file)",
    "changed_at": f"修订时间 — when the newer version was published ({_UTC})",
    # the catalog's own tables
    "manifest_version": "清单版本 — a version of lake/manifest.json",
    "built_at": f"构建时间 — when the catalog was built ({_UTC})",
    "lake_path": "数据湖路径 — absolute path of the lake when the catalog was built (the views "
    "find the lake beside the database file, so a moved data home still answers)",
    "as_of": "时点 — when that manifest was published: every file version recorded later is "
    f"left out, and one superseded later reads current ({_UTC})",
    "alias_name": "别名 — a name the department was published under (as written in aliases.csv)",
    "canonical_name": "规范名称 — the name every year of the department is reported under "
    "(chains resolved)",
    "alias_department_id": "别名部门ID — the id the alias name hashes to in the lake (BIGINT)",
    "kind": "类别 — department / unit / project",
    "from_id": "原ID — the id stored in the lake (hash of the alias name) (BIGINT)",
    "to_id": "规范ID — the id under the canonical department name (BIGINT)",
}

# (view or table, column) → what the shared entry means there: a grain, never a new meaning
NOTES: dict[tuple[str, str], str] = {
    ("dim_source_file", "department_id"): "of the batch; NULL if it could not be resolved",
    ("lake_indicators", "indicator_key"): "stored when the rows were written; NULL in a file "
    "written before it was stored (staging computes it for those rows)",
    ("lake_results", "indicator_key"): "stored when the rows were written; NULL in a file "
    "written before it was stored (staging computes it for those rows)",
    ("dim_source_file", "year"): "of the batch",
    ("dim_source_file", "declared_total_amount"): "as printed in the file",
    ("fact_indicator_target", "source_row"): "the row of the indicator's project",
    ("fact_indicator_target", "unit_id"): "the unit of the indicator's project",
    ("v_department_yoy", "total_amount"): "the department's project totals this year, added up",
    ("v_department_yoy", "prev_total_amount"): "the department's, year−1",
    ("v_department_yoy", "n_projects"): "the department's project rows this year",
    ("v_department_yoy", "n_indicators"): "the department's, this year",
    ("v_fund_source_mix", "total_amount"): "the department's, this year",
    ("v_indicator_mix", "n_indicators"): "of this category, in the department's projects this year",
    ("v_project_family_yoy", "total_amount"): "the family's members funded this year, added up",
    ("v_project_family_yoy", "prev_total_amount"): "the family's, year−1; NULL if no member was "
    "funded in year−1",
    ("v_project_family_yoy", "first_year"): "of a member of the family",
    ("v_project_yoy", "total_amount"): "the project's rows this year, added up",
    ("v_project_yoy", "prev_total_amount"): "the project's, year−1; NULL if it was not funded "
    "in year−1",
    ("v_project_yoy", "first_year"): "of the project",
    ("v_project_yoy", "n_indicators"): "the project's, this year",
    ("v_indicator_target_yoy", "indicator_name"): "with the project, what identifies the "
    "indicator across years",
    ("v_indicator_target_yoy", "annual_target_text"): "this year's",
    ("v_department_attainment_yoy", "execution_rate"): "the department's 全年执行数 over its "
    "全年预算数 this year, added up over its 自评表 projects",
    ("v_department_attainment_yoy", "n_indicators"): "in the department's 自评表, this year",
    ("v_quality_finding", "department_name"): "as printed in the file",
    ("v_quality_finding", "severity"): "always warning here: errors reject a file (see "
    "quarantine/)",
    ("v_quality_finding", "source_row"): "NULL for a finding about the whole file",
    ("v_revision_change", "year"): "of the batch",
    ("v_revision_change", "project_name"): "the project changed, as printed in the newer "
    "version (the older one for a removed project); NULL for declared_total_changed",
    ("v_revision_change", "indicator_name"): "the indicator changed (indicator_added, "
    "indicator_removed, target_changed, result_changed); NULL otherwise",
    **{
        (view, column): "as printed in the row's own file"
        for view, columns in {
            "stg_source_files": ("department_name",),
            "stg_current_files": ("department_name",),
            "stg_project_versions": ("unit_name", "project_name"),
            "stg_projects": ("unit_name", "project_name"),
            "stg_units": ("unit_name",),
        }.items()
        for column in columns
    },
    ("bpw_catalog", "manifest_version"): "the one this catalog was built from",
    ("bpw_as_of", "manifest_version"): "the one current at that moment",
    ("bpw_as_of", "run_id"): "the run that published that manifest",
    ("bpw_department_alias", "department_id"): "the canonical id the views use instead",
    ("bpw_id_alias", "project_family"): "under the canonical name (projects only, else NULL)",
}

# a column whose name means something else in one view (a public name, kept)
HOMONYMS: dict[tuple[str, str], str] = {
    ("v_project_yoy", "status"): "项目状态 — new (first year loaded), continuing (also funded "
    "in year−1) or resumed (funded before, but not in year−1)",
}


def column_comment(column: str, view: str | None = None) -> str:
    """The comment of `column` in `view`: its glossary entry, with the view's note if any.

    A column the glossary lacks still gets a comment saying so (a publish never fails
    for want of a description; tests/test_schema_comments.py fails instead); a lake
    column the transforms added gets a generic but honest one."""
    if view is not None and (view, column) in HOMONYMS:
        return HOMONYMS[(view, column)]
    if column in COLUMNS:
        note = NOTES.get((view, column)) if view is not None else None
        return f"{COLUMNS[column]} (here: {note})" if note else COLUMNS[column]
    if view is not None and not view.startswith("lake_"):
        return f"{column} — not in the glossary yet (warehouse/glossary.py)"
    for when, chinese in (("period", "实施周期"), ("annual", "年度")):
        for part in ("op", "value", "unit", "kind"):
            if column == f"{when}_target_{part}":
                return f"{chinese}指标值 {part} — parsed {part} of the {when} target"
    return f"{column} — lake column carried from transforms (see transforms/normalize.py)"
