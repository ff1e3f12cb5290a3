"""A file of 自评表 cards → one `self_evaluation` batch: a project frame (execution
cells as text) and an indicator frame (target beside actual), still unparsed.

As for target cards (`transforms.card_table`): every card must name the same 主管部门
and year, and those must agree with `--department` / `--year` or the year folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import polars as pl

from transforms.card_labels import without_code
from transforms.card_table import _agreed
from transforms.errors import TableError
from transforms.grid import Grid
from transforms.leftovers import NOTE_COLUMNS
from transforms.locate import is_synthetic
from transforms.self_eval import EvalCard, read_eval_cards, split_code

KIND = "self_evaluation"
EXECUTION_COLUMNS = {
    "source_row": pl.Int32,
    "unit_name": pl.String,
    "project_name": pl.String,
    "initial_text": pl.String,
    "adjusted_text": pl.String,
    "executed_text": pl.String,
    "rate_text": pl.String,
    "execution_weight_text": pl.String,
    "execution_score_text": pl.String,
    "execution_reason": pl.String,
    "budget_row": pl.Int32,
    "performance_goal": pl.String,
    "weight_total_text": pl.String,
    "total_score_text": pl.String,
    "template_prompts": pl.String,
    "details": pl.String,
}
RESULT_TEXT_COLUMNS = {
    "source_row": pl.Int32,
    "indicator_row": pl.Int32,
    "indicator_pos": pl.Int32,
    "record": pl.String,
    "level1_text": pl.String,
    "level2_text": pl.String,
    "name": pl.String,
    "annual": pl.String,
    "actual_text": pl.String,
    "weight_text": pl.String,
    "score_text": pl.String,
    "deviation_reason": pl.String,
    "direction_text": pl.String,
    "op_text": pl.String,
}
_BENJI = re.compile(r"\s*[(（]?本级[)）]?\s*$")


@dataclass(frozen=True)
class EvalBatch:
    """What a file of 自评表 holds, before it is tagged with its source file."""

    year: int | None
    department: str | None
    amount_unit: str
    executions: pl.DataFrame  # EXECUTION_COLUMNS
    results: pl.DataFrame  # RESULT_TEXT_COLUMNS
    unread: pl.DataFrame | None
    where: str | None
    synthetic: bool = False  # the rows above the first card say the figures are invented


def department_of(name: str) -> str:
    """`青神县发展和改革局本级` → `青神县发展和改革局`: the department, not its own level."""
    plain = without_code(name)
    return _BENJI.sub("", plain) or plain


def _execution_row(card: EvalCard, offset: int, where: str | None, department: str) -> dict:
    details = dict(card.details)
    name, code = split_code(card.fields.get("name", ""))
    if code:
        details["项目编码"] = code
    if where:
        details["位置"] = f"{where} 第{card.row}行"
    if card.title:
        details["标题"] = card.title
    budget = card.budget
    return {
        "source_row": card.row + offset,
        "unit_name": without_code(card.fields.get("unit", "")) or department,
        "project_name": name,
        "initial_text": budget.get("initial", ""),
        "adjusted_text": budget.get("adjusted", ""),
        "executed_text": budget.get("executed", ""),
        "rate_text": budget.get("rate", ""),
        "execution_weight_text": budget.get("weight") or None,
        "execution_score_text": budget.get("score") or None,
        "execution_reason": budget.get("reason") or None,
        "budget_row": card.budget_row + offset if card.budget_row else None,
        "performance_goal": card.fields.get("goal", ""),
        "weight_total_text": card.weight_total,
        "total_score_text": details.get("自评总分") or details.get("得分合计"),
        "template_prompts": "、".join(card.prompts) or None,
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
    }


def _marked_invented(grids: list[Grid], first_card_row: int) -> bool:
    """Whether the rows above the first card carry bpw synth's 数据性质：虚构… line."""
    rows = [cells for grid in grids for cells in grid.rows]
    return is_synthetic(rows[: first_card_row - 1])


def _stacked(grids: list[Grid]) -> list[tuple[EvalCard, int, str | None]]:
    """Every card of the file's grids read as one stacked sheet (a card cut by a page or
    table break reads on; another grid's title rows are the next card's), with the row
    offset 0 and where the card starts."""
    rows = [cells for grid in grids for cells in grid.rows]
    bounds: list[tuple[int, str | None]] = []
    offset = 0
    for index, grid in enumerate(grids):
        bounds.append((offset, grid.sheet or (f"表{index + 1}" if len(grids) > 1 else None)))
        offset += len(grid.rows)
    stacked = Grid(rows, grids[0].encoding) if grids else Grid([], "")
    found = []
    for card in read_eval_cards(stacked):
        where = next((w for start, w in reversed(bounds) if start < card.row), None)
        found.append((card, 0, where))
    return found


def read_eval_batch(grids: list[Grid]) -> EvalBatch:
    """All 自评表 cards of the file as one batch (TableError if they disagree or none)."""
    found = _stacked(grids)
    if not found:
        raise TableError("no_projects", "the 自评表 has no 项目名称 row")
    named = [
        (c.fields.get("department") or c.fields.get("unit", ""), c.row + o) for c, o, _ in found
    ]
    department = _agreed(named, "department_mismatch", "主管部门")
    department = department_of(department) if department else None
    year = _agreed([(str(c.year or ""), c.row + o) for c, o, _ in found], "year_mismatch", "year")
    units = {c.amount_unit for c, _, _ in found}
    if len(units) > 1:
        raise TableError("amount_unit", "the cards state different amount units (万元 and 元)")
    rows = [_execution_row(c, o, w, department or "") for c, o, w in found]
    results = [
        {**record, "source_row": card.row + offset,
         "indicator_row": int(record["indicator_row"]) + offset}  # type: ignore[call-overload]
        for card, offset, _ in found
        for record in card.indicators
    ]  # fmt: skip
    notes = [
        {**note, "source_row": int(note["source_row"]) + offset}  # type: ignore[call-overload]
        for card, offset, _ in found
        for note in card.unread
    ]
    return EvalBatch(
        year=int(year) if year else None,
        department=department,
        amount_unit=units.pop(),
        executions=pl.DataFrame(rows, schema=EXECUTION_COLUMNS),
        results=pl.DataFrame(results, schema=RESULT_TEXT_COLUMNS),
        unread=pl.DataFrame(notes, schema=NOTE_COLUMNS) if notes else None,
        where=found[0][2],
        synthetic=_marked_invented(grids, found[0][0].row),
    )
