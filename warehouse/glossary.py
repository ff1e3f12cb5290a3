"""Comments for the internal `lake_*` views, whose columns follow the lake files.

Public views carry their comments in their .sql files; the lake views' columns can grow
as transforms do, so they are commented here, with a fallback for new columns.
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
    "source_files": "内部: 来源文件 — internal: every file version recorded, all statuses",
}

_WAN = "万元 (DECIMAL(18,6), exact)"
COLUMNS: dict[str, str] = {
    "source_file_id": "来源文件ID — file version id (first 60 bits of its SHA-256)",
    "source_row": "来源行号 — 1-based row number in the source table",
    "year": "预算年度 — budget year (INTEGER)",
    "department_id": "部门ID — stable hash of the normalized department name",
    "department_name": "部门名称 — department name as printed",
    "department_key": "部门规范名 — normalized department name (NFKC, no spaces)",
    "unit_id": "单位ID — stable hash of normalized department and unit names",
    "unit_name": "资金使用单位名称 — fund-using unit name as printed",
    "project_id": "项目ID — stable hash of normalized department and project names",
    "project_name": "项目名称 — project name as printed",
    "project_family": "项目系列 — normalized project name without year spans",
    "total_amount": f"总计 — total funding, {_WAN}",
    "fiscal_amount": f"财政拨款 — general budget appropriation, {_WAN}",
    "special_account_amount": f"财政专户拨款 — fiscal special-account appropriation, {_WAN}",
    "other_amount": f"其他资金 — other funding, {_WAN}",
    "total_text": "总计原文 — the 总计 cell as printed (raw text)",
    "fiscal_text": "财政拨款原文 — the 财政拨款 cell as printed (raw text)",
    "special_text": "财政专户拨款原文 — the 财政专户拨款 cell as printed (raw text)",
    "other_text": "其他资金原文 — the 其他资金 cell as printed (raw text)",
    "performance_goal": "绩效目标 — performance goal text",
    "indicator_text": "绩效指标原文 — the packed 绩效指标 cell as printed (raw text)",
    "n_indicators": "绩效指标数 — number of indicators parsed from the cell",
    "record": "指标原文 — one indicator record as printed (raw text)",
    "indicator_pos": "指标位置 — 1-based position of the record in its cell",
    "indicator_seq": "指标序号 — the indicator's sequence number",
    "indicator_name": "三级指标 — indicator name (level 3)",
    "category_code": "二级指标代码 — canonical level-2 category code, 11…31",
    "level1_code": "一级指标代码 — canonical level-1 code, 1…3",
    "period_target_text": "实施周期指标值 — period target, raw text",
    "annual_target_text": "年度指标值 — annual target, raw text",
    "file_name": "文件名 — input file name",
    "file_path": "文件路径 — where the file was found",
    "sha256": "文件哈希 — SHA-256 of the file's bytes (hex)",
    "status": "状态 — current / superseded / rejected",
    "loaded_at": "登记时间 — when the recording run published (local time)",
    "superseded_at": "被替换时间 — when a newer file replaced this one",
    "superseded_by": "替换文件ID — source_file_id of the replacing file",
    "declared_total_amount": f"合计 — the table's declared grand total, {_WAN}",
    "amount_unit": "金额单位 — the table's printed amount unit (元 / 万元)",
    "encoding": "编码 — text encoding the file was decoded with",
    "sheet": "工作表 — spreadsheet sheet name (null for text files)",
    "file_size": "文件大小 — bytes",
    "file_mtime": "修改时间 — file modification time (Unix seconds)",
    "run_id": "运行ID — the run that wrote the row",
    "archive_path": "归档路径 — where the file's bytes are archived",
    "is_synthetic": "虚构数据 — the file declares its figures invented (bpw synth); null in "
    "lake files written before the column existed (read as false)",
    "rows_dropped_at": "行删除时间 — when the retention policy dropped this superseded "
    "version's rows from the lake (null while they are kept)",
    "rule": "规则 — the gate rule",
    "severity": "严重程度 — error (rejects the file) or warning",
    "column": "列 — the column the finding is about",
    "value": "值 — the offending value, as text",
    "message": "说明 — what is wrong",
}


def column_comment(column: str) -> str:
    """The comment for a lake column; unknown columns get a generic but honest one."""
    if column in COLUMNS:
        return COLUMNS[column]
    for when, chinese in (("period", "实施周期"), ("annual", "年度")):
        for part in ("op", "value", "unit", "kind"):
            if column == f"{when}_target_{part}":
                return f"{chinese}指标值 {part} — parsed {part} of the {when} target"
    return f"{column} — lake column carried from transforms (see transforms/normalize.py)"
