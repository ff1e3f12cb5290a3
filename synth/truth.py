"""Ground truth: what every generated file says, in 万元, exactly.

On disk (beside the tables):

- `truth.json`: `meta` (seed, years, options) and `files`, one record per table file:
  path (relative to the corpus folder), year, department, amount_unit (as printed),
  format, layout, encoding, style, declared (合计 row) and units (subtotal rows), all
  amounts as exact decimal strings in 万元;
- `truth_projects.parquet`, `truth_indicators.parquet`: the projects and indicators of
  every file (amounts DECIMAL(18,6) in 万元), keyed by `path`;
- with 自评表 (`bpw synth --self-eval`): truth.json's `self_evaluations` (one record per
  自评表 file: path, year, department, counts, Σ全年预算数 and Σ全年执行数), and
  `truth_executions.parquet` / `truth_results.parquet` (see `synth.self_eval_truth`:
  each indicator's attainment and restated flag, each project's execution figures).

`load_truth` nests them back into one dict per file; `load_truth_frames` gives the
frames as stored; `truth_frames` builds the same frames straight from a `Corpus`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from synth.model import Corpus, Funds, LogicalTable

TRUTH_JSON = "truth.json"
TRUTH_PROJECTS = "truth_projects.parquet"
TRUTH_INDICATORS = "truth_indicators.parquet"
AMOUNT_DTYPE = pl.Decimal(18, 6)
FUND_COLUMNS = ("total_amount", "fiscal_amount", "special_account_amount", "other_amount")
_FUND_KEYS = ("total", "fiscal", "special", "other")


def funds_dict(funds: Funds) -> dict[str, str]:
    return {key: str(value) for key, value in zip(_FUND_KEYS, funds, strict=True)}


def file_record(table: LogicalTable, **rendering: Any) -> dict[str, Any]:
    """A file's metadata record (no projects): what truth.json lists per file."""
    record: dict[str, Any] = {
        "path": None,
        "year": table.year,
        "department": table.department,
        "amount_unit": table.amount_unit,
        "format": None,
        "layout": None,
        "encoding": None,
        "style": None,
    }
    record.update(rendering)
    record["declared"] = funds_dict(table.declared)
    record["declared_total"] = str(table.declared_total)
    record["units"] = [{"name": u.name, "subtotal": funds_dict(u.subtotal)} for u in table.units]
    record["n_projects"] = sum(len(u.projects) for u in table.units)
    return record


def _decimals(values: list[str]) -> pl.Series:
    return pl.Series(values, dtype=pl.String).cast(AMOUNT_DTYPE)


def _frames(items: Iterable[tuple[LogicalTable, dict[str, Any]]]) -> dict[str, pl.DataFrame]:
    """files / projects / indicators frames, columnar (fast for millions of indicators)."""
    files: list[dict[str, Any]] = []
    p: dict[str, list[Any]] = defaultdict(list)
    i: dict[str, list[Any]] = defaultdict(list)
    for table, record in items:
        files.append(record)
        path, year, department = record["path"], table.year, table.department
        for unit in table.units:
            for project in unit.projects:
                p["path"].append(path)
                p["year"].append(year)
                p["department_name"].append(department)
                p["unit_name"].append(unit.name)
                p["project_name"].append(project.name)
                for column, value in zip(FUND_COLUMNS, project.funds, strict=True):
                    p[column].append(str(value))
                p["performance_goal"].append(project.goal)
                p["n_indicators"].append(len(project.indicators))
                for ind in project.indicators:
                    i["path"].append(path)
                    i["year"].append(year)
                    i["department_name"].append(department)
                    i["project_name"].append(project.name)
                    i["indicator_seq"].append(ind.seq)
                    i["level1_code"].append(ind.level1_code)
                    i["category_code"].append(ind.level2_code)
                    i["indicator_name"].append(ind.name)
                    i["period_target_text"].append(ind.period_target)
                    i["annual_target_text"].append(ind.annual_target)
    return {
        "files": files_frame(files),
        "projects": projects_frame(p),
        "indicators": indicators_frame(i),
    }


def files_frame(records: Sequence[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "path": [r["path"] for r in records],
            "year": [r["year"] for r in records],
            "department_name": [r["department"] for r in records],
            "amount_unit": [r["amount_unit"] for r in records],
            "format": [r["format"] for r in records],
            "layout": [r["layout"] for r in records],
            "encoding": [r["encoding"] for r in records],
            "declared_total_amount": _decimals([r["declared"]["total"] for r in records]),
            "n_projects": [r["n_projects"] for r in records],
        },
        schema_overrides={
            "path": pl.String, "year": pl.Int32, "format": pl.String, "layout": pl.String,
            "encoding": pl.String, "n_projects": pl.Int32,
        },
    )  # fmt: skip


def projects_frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    strings = ("path", "department_name", "unit_name", "project_name", "performance_goal")
    return pl.DataFrame(
        {
            **{c: pl.Series(c, columns.get(c, []), dtype=pl.String) for c in strings[:4]},
            "year": pl.Series("year", columns.get("year", []), dtype=pl.Int32),
            **{c: _decimals(columns.get(c, [])) for c in FUND_COLUMNS},
            "performance_goal": pl.Series(columns.get("performance_goal", []), dtype=pl.String),
            "n_indicators": pl.Series(columns.get("n_indicators", []), dtype=pl.Int32),
        }
    ).select("path", "year", "department_name", "unit_name", "project_name", *FUND_COLUMNS,
             "performance_goal", "n_indicators")  # fmt: skip


def indicators_frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    ints = ("year", "indicator_seq")
    names = (
        "path", "year", "department_name", "project_name", "indicator_seq", "level1_code",
        "category_code", "indicator_name", "period_target_text", "annual_target_text",
    )  # fmt: skip
    return pl.DataFrame(
        {c: pl.Series(c, columns.get(c, []), dtype=pl.Int32 if c in ints else pl.String)
         for c in names}  # fmt: skip
    )


def truth_frames(source: Corpus | Iterable[LogicalTable]) -> dict[str, pl.DataFrame]:
    """`files`, `projects` and `indicators` frames of a corpus (or some of its tables).

    projects: year, department_name, unit_name, project_name, total_amount, fiscal_amount,
    special_account_amount, other_amount (DECIMAL(18,6), 万元), performance_goal …
    indicators: year, department_name, project_name, indicator_seq, category_code,
    indicator_name, period_target_text, annual_target_text (+ level1_code, path).
    `path` is null here (no files were written); `load_truth_frames` has it.
    """
    tables = source.tables if isinstance(source, Corpus) else tuple(source)
    return _frames((table, file_record(table)) for table in tables)


def write_truth(
    out: Path,
    items: Sequence[tuple[LogicalTable, dict[str, Any]]],
    meta: dict[str, Any],
    extra: dict[str, list[dict[str, Any]]] | None = None,
) -> Path:
    """truth.json + the two parquet files; returns the json's path. `extra`: more lists of
    records for truth.json (the 自评表's `self_evaluations`), one record per line too."""
    frames = _frames(items)
    frames["projects"].write_parquet(out / TRUTH_PROJECTS)
    frames["indicators"].write_parquet(out / TRUTH_INDICATORS)
    path = out / TRUTH_JSON
    records = ",\n".join(json.dumps(r, ensure_ascii=False) for _, r in items)  # one per line
    head = json.dumps(meta, ensure_ascii=False)
    lists = "".join(
        f',\n"{key}": [\n' + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]"
        for key, rows in (extra or {}).items()
    )
    path.write_text(f'{{"meta": {head},\n"files": [\n{records}\n]{lists}}}\n', encoding="utf-8")
    return path


def load_truth_meta(out: Path) -> dict[str, Any]:
    return json.loads((Path(out) / TRUTH_JSON).read_text(encoding="utf-8"))


def load_truth_frames(out: Path) -> dict[str, pl.DataFrame]:
    """The stored truth as frames: files (from json), projects, indicators (parquet)."""
    out = Path(out)
    document = load_truth_meta(out)
    return {
        "files": files_frame(document["files"]),
        "projects": pl.read_parquet(out / TRUTH_PROJECTS),
        "indicators": pl.read_parquet(out / TRUTH_INDICATORS),
    }


def _two_places(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def load_truth(out: Path) -> list[dict[str, Any]]:
    """One dict per generated file, with its projects and their indicators nested:

    {path, year, department, amount_unit, format, layout, encoding, style, declared,
     declared_total, units, n_projects,
     projects: [{unit, name, total, fiscal, special, other, goal,
                 indicators: [{seq, level1_code, category_code, name,
                               period_target, annual_target}]}]}
    Amounts are exact decimal strings in 万元.
    """
    out = Path(out)
    files = load_truth_meta(out)["files"]
    indicators: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in pl.read_parquet(out / TRUTH_INDICATORS).iter_rows(named=True):
        indicators[(row["path"], row["project_name"])].append(
            {
                "seq": row["indicator_seq"],
                "level1_code": row["level1_code"],
                "category_code": row["category_code"],
                "name": row["indicator_name"],
                "period_target": row["period_target_text"],
                "annual_target": row["annual_target_text"],
            }
        )
    projects: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in pl.read_parquet(out / TRUTH_PROJECTS).iter_rows(named=True):
        projects[row["path"]].append(
            {
                "unit": row["unit_name"],
                "name": row["project_name"],
                **{k: _two_places(row[c]) for k, c in zip(_FUND_KEYS, FUND_COLUMNS, strict=True)},
                "goal": row["performance_goal"],
                "indicators": indicators.get((row["path"], row["project_name"]), []),
            }
        )
    return [{**record, "projects": projects.get(record["path"], [])} for record in files]
