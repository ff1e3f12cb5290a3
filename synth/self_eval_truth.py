"""Ground truth of the generated 自评表, and the attainment views it implies.

On disk beside truth.json (only when 自评表 were written):

- `truth_executions.parquet`: one row per project card — path, year, department_name,
  unit_name, project_name, initial / adjusted / executed amounts (DECIMAL(18,6), 万元),
  rate_text (执行率 as printed), execution_score, n_indicators;
- `truth_results.parquet`: one row per indicator — target_text (the 目标表's 年度指标值),
  reported_target_text (the 自评表's), target_restated, actual_text (null: not
  reported), attainment, weight, score, deviation_reason.

`expected_target_attainment` and `expected_department_attainment_yoy` compute, from the
truth alone, the rows `v_target_attainment` and `v_department_attainment_yoy` must hold
(same definitions as warehouse/sql: met share of the indicators judged met or missed,
execution rate = Σ执行数 / Σ全年预算数, both percent, unrounded doubles).

`target_text` is the 目标表's 年度指标值 as the logical table holds it: the view's
target_text equals it when the 目标表 is printed in a summary layout (packed, long), as
the bundled corpus is. A national card with split target columns prints a bare `12个` as
指标性质 `=` | `12` | `个`, which the warehouse reads, faithfully, as `=12个`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from synth.self_eval import SelfEvaluation
from synth.truth import AMOUNT_DTYPE

TRUTH_EXECUTIONS = "truth_executions.parquet"
TRUTH_RESULTS = "truth_results.parquet"
EXECUTION_AMOUNTS = ("initial_budget_amount", "adjusted_budget_amount", "executed_amount")
ATTAINMENT_COLUMNS = (
    "year", "department_name", "project_name", "indicator_seq", "category_code",
    "indicator_name", "target_text", "reported_target_text", "target_restated", "actual_text",
    "attainment", "weight", "score", "deviation_reason",
)  # fmt: skip
YOY_COLUMNS = (
    "department_name", "year", "n_indicators", "n_met", "n_missed", "met_pct", "prev_met_pct",
    "execution_rate", "prev_execution_rate",
)  # fmt: skip


def self_eval_frames(
    items: Iterable[tuple[SelfEvaluation, str | None]],
) -> dict[str, pl.DataFrame]:
    """`executions` and `results` frames of some 自评表 (each with its file's path)."""
    e: dict[str, list[Any]] = defaultdict(list)
    r: dict[str, list[Any]] = defaultdict(list)
    for evaluation, path in items:
        for project in evaluation.projects:
            key = {"path": path, "year": evaluation.year, "project_name": project.name,
                   "department_name": evaluation.department}  # fmt: skip
            for column, value in {**key, "unit_name": project.unit}.items():
                e[column].append(value)
            for column, value in zip(
                EXECUTION_AMOUNTS,
                (project.initial, project.adjusted, project.executed),
                strict=True,
            ):
                e[column].append(str(value))
            e["rate_text"].append(project.rate_text)
            e["execution_score"].append(str(project.execution_score))
            e["n_indicators"].append(len(project.indicators))
            for ind in project.indicators:
                for column, value in key.items():
                    r[column].append(value)
                r["indicator_seq"].append(ind.seq)
                r["level1_code"].append(ind.level1_code)
                r["category_code"].append(ind.level2_code)
                r["indicator_name"].append(ind.name)
                r["target_text"].append(ind.target)
                r["reported_target_text"].append(ind.reported_target)
                r["target_restated"].append(ind.restated)
                r["actual_text"].append(ind.actual or None)
                r["attainment"].append(ind.attainment)
                r["weight"].append(ind.weight)
                r["score"].append(None if ind.score is None else str(ind.score))
                r["deviation_reason"].append(ind.reason or None)
    return {"executions": _executions_frame(e), "results": _results_frame(r)}


def _strings(columns: dict[str, list[Any]], names: Iterable[str]) -> dict[str, pl.Series]:
    return {c: pl.Series(c, columns.get(c, []), dtype=pl.String) for c in names}


def _executions_frame(e: dict[str, list[Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            **_strings(e, ("path", "department_name", "unit_name", "project_name")),
            "year": pl.Series(e.get("year", []), dtype=pl.Int32),
            **{c: pl.Series(e.get(c, []), dtype=pl.String).cast(AMOUNT_DTYPE)
               for c in EXECUTION_AMOUNTS},  # fmt: skip
            "rate_text": pl.Series(e.get("rate_text", []), dtype=pl.String),
            "execution_score": pl.Series(e.get("execution_score", []), dtype=pl.String).cast(
                AMOUNT_DTYPE
            ),
            "n_indicators": pl.Series(e.get("n_indicators", []), dtype=pl.Int32),
        }
    ).select("path", "year", "department_name", "unit_name", "project_name", *EXECUTION_AMOUNTS,
             "rate_text", "execution_score", "n_indicators")  # fmt: skip


def _results_frame(r: dict[str, list[Any]]) -> pl.DataFrame:
    texts = ("path", "department_name", "project_name", "level1_code", "category_code",
             "indicator_name", "target_text", "reported_target_text", "actual_text",
             "attainment", "deviation_reason")  # fmt: skip
    return pl.DataFrame(
        {
            **_strings(r, texts),
            "year": pl.Series(r.get("year", []), dtype=pl.Int32),
            "indicator_seq": pl.Series(r.get("indicator_seq", []), dtype=pl.Int32),
            "target_restated": pl.Series(r.get("target_restated", []), dtype=pl.Boolean),
            "weight": pl.Series(r.get("weight", []), dtype=pl.Int32),
            "score": pl.Series(r.get("score", []), dtype=pl.String).cast(AMOUNT_DTYPE),
        }
    ).select("path", "year", "department_name", "project_name", "indicator_seq", "level1_code",
             "category_code", "indicator_name", "target_text", "reported_target_text",
             "target_restated", "actual_text", "attainment", "weight", "score",
             "deviation_reason")  # fmt: skip


def write_self_eval_truth(out: Path, items: list[tuple[SelfEvaluation, str]]) -> None:
    frames = self_eval_frames(items)
    frames["executions"].write_parquet(Path(out) / TRUTH_EXECUTIONS)
    frames["results"].write_parquet(Path(out) / TRUTH_RESULTS)


def load_self_eval_truth(out: Path) -> dict[str, pl.DataFrame]:
    """The stored 自评表 truth: `executions` and `results` frames."""
    out = Path(out)
    return {
        "executions": pl.read_parquet(out / TRUTH_EXECUTIONS),
        "results": pl.read_parquet(out / TRUTH_RESULTS),
    }


def expected_target_attainment(results: pl.DataFrame) -> pl.DataFrame:
    """The rows `v_target_attainment` holds for these 自评表 (their 目标表 loaded too):
    weight and score as doubles, as the view types them."""
    return results.select(
        *ATTAINMENT_COLUMNS[:-3],
        pl.col("weight").cast(pl.Float64),
        pl.col("score").cast(pl.Float64),
        "deviation_reason",
    ).sort("year", "department_name", "project_name", "indicator_seq")


def _share(part: Decimal | int, whole: Decimal | int) -> float | None:
    """share_pct: part / whole × 100 in doubles, NULL when whole is 0."""
    return float(part) / float(whole) * 100 if whole else None


def expected_department_attainment_yoy(
    executions: pl.DataFrame, results: pl.DataFrame
) -> pl.DataFrame:
    """The rows `v_department_attainment_yoy` holds: per department and year with a 自评表,
    indicators counted (all), met, missed; met_pct = met / (met + missed); execution_rate
    = Σ executed / Σ adjusted; prev_* the same department's year − 1 (null without one)."""
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in results.select("department_name", "year", "attainment").iter_rows():
        tally = counts[(row[0], row[1])]
        tally[0] += 1
        tally[1] += row[2] == "met"
        tally[2] += row[2] == "missed"
    money: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for department, year, executed, adjusted in executions.select(
        "department_name", "year", "executed_amount", "adjusted_budget_amount"
    ).iter_rows():
        money[(department, year)][0] += executed
        money[(department, year)][1] += adjusted
    yearly: dict[tuple[str, int], tuple[int, int, int, float | None, float | None]] = {}
    for key in counts.keys() | money.keys():
        n, met, missed = counts.get(key, [0, 0, 0])
        executed, adjusted = money.get(key, [Decimal(0), Decimal(0)])
        met_pct = _share(met, met + missed) if key in counts else None
        rate = _share(executed, adjusted) if key in money else None
        yearly[key] = (n, met, missed, met_pct, rate)
    rows = []
    for (department, year), (n, met, missed, met_pct, rate) in sorted(yearly.items()):
        prev = yearly.get((department, year - 1))
        rows.append((department, year, n, met, missed, met_pct, prev[3] if prev else None,
                     rate, prev[4] if prev else None))  # fmt: skip
    schema = {"department_name": pl.String, "year": pl.Int32, "n_indicators": pl.Int64,
              "n_met": pl.Int64, "n_missed": pl.Int64, "met_pct": pl.Float64,
              "prev_met_pct": pl.Float64, "execution_rate": pl.Float64,
              "prev_execution_rate": pl.Float64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")
