"""A file of project cards → one batch's table rows (the same frames the other layouts
give): one project row per card, its indicators as listed records, its kept details.

A file is one batch: every card must name the same 主管部门 and budget year, and those
must agree with `--department` / `--year` or the year folder; otherwise the file is
rejected naming both values. Cards spread over several sheets, Word tables or PDF
pages are read as if stacked on one sheet (their rows numbered on), and each card
records where it was (`details["位置"]`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import polars as pl

from transforms.amounts import parse_amount, parse_typed_amount
from transforms.card_labels import without_code
from transforms.cards import Card, continues_card, is_card_grid, read_cards
from transforms.errors import TableError
from transforms.grid import Grid
from transforms.leftovers import NOTE_COLUMNS
from transforms.locate import header_key
from transforms.long_layout import INDICATOR_EXTRAS, LISTED_COLUMNS
from transforms.rows import ROW_COLUMNS

CARD_ROW_COLUMNS = {**ROW_COLUMNS, "details": pl.String}
CARD_LISTED_COLUMNS = {**LISTED_COLUMNS, **dict.fromkeys(INDICATOR_EXTRAS, pl.String)}


@dataclass(frozen=True)
class CardBatch:
    """What a file of cards holds, before it is tagged with its source file."""

    year: int | None
    year_text: str | None
    department: str | None
    amount_unit: str
    rows: pl.DataFrame
    indicators: pl.DataFrame
    unread: pl.DataFrame | None
    synthetic: bool
    where: str | None
    fund_sources: bool


def card_grids(grids: list[Grid]) -> tuple[list[Grid], set[int]]:
    """The grids that hold cards (a summary or long table's header is not a card), and
    the indexes of the file's grids they use: a grid that continues the card above it
    (`cards.continues_card`) is joined to it."""
    found: list[Grid] = []
    used: set[int] = set()
    for index, grid in enumerate(grids):
        if is_card_grid(grid):
            found.append(grid)
            used.add(index)
        elif index - 1 in used and continues_card(grid):
            found[-1] = replace(found[-1], rows=found[-1].rows + grid.rows, trailer=grid.trailer)
            used.add(index)
    return found, used


def _where(grid: Grid, index: int, total: int) -> str | None:
    if grid.sheet:
        return grid.sheet
    return f"表{index + 1}" if total > 1 else None


def _stacked(grids: list[Grid]) -> tuple[list[tuple[Card, int, str | None]], bool]:
    """Every card of every grid with its row offset and where it came from."""
    found: list[tuple[Card, int, str | None]] = []
    offset, synthetic = 0, False
    for index, grid in enumerate(grids):
        cards = read_cards(grid)
        synthetic = synthetic or cards.synthetic
        where = _where(grid, index, len(grids))
        found.extend((card, offset, where) for card in cards.cards)
        offset += len(grid.rows)
    return found, synthetic


def same_name(a: str, b: str) -> bool:
    """Two spellings of one body: equal once codes, spaces and widths go, or one the
    other's tail (`青山区教育局` in `武汉市青山区教育局`)."""
    ka, kb = header_key(without_code(a)), header_key(without_code(b))
    return ka.endswith(kb) or kb.endswith(ka)


def _agreed(values: list[tuple[str, int]], rule: str, what: str) -> str | None:
    """The one value every card gives (the longest spelling), or TableError naming two."""
    found = [(value, row) for value, row in values if value]
    for value, row in found[1:]:
        if not same_name(found[0][0], value):
            raise TableError(
                rule,
                f"the cards name two {what}s: '{found[0][0]}' (row {found[0][1]}) and "
                f"'{value}' (row {row})",
                row=row, value=value,
            )  # fmt: skip
    return max((v for v, _ in found), key=lambda v: len(without_code(v)), default=None)


def _sum_parts(parts: list[str], amount_unit: str) -> str:
    """The 财政拨款 written in parts (本级 + 上级) as one amount in the table's unit, or
    the parts' raw text when one is not an amount (the gate then names it)."""
    frame = pl.DataFrame({"text": parts}, schema={"text": pl.String}).select(
        pl.coalesce(
            parse_amount(pl.col("text"), amount_unit),
            parse_typed_amount(pl.col("text"), amount_unit),
        ).alias("wan"),
        pl.col("text").str.strip_chars().is_in(["", None]).alias("blank"),
    )
    if frame.filter(~pl.col("blank"))["wan"].null_count():
        return " + ".join(parts)
    total = sum((Decimal(str(v)) for v in frame["wan"].drop_nulls()), Decimal(0))
    scale = Decimal(10000) if amount_unit == "元" else Decimal(1)
    return format((total * scale).normalize(), "f")


def _funds(card: Card) -> dict[str, str]:
    """total / fiscal / special / other texts; 财政拨款 parts summed; a card that gives
    only its 财政拨款 has that as its total."""
    fields = dict(card.fields)
    if card.fiscal_parts and not fields.get("fiscal"):
        fields["fiscal"] = _sum_parts(card.fiscal_parts, card.amount_unit)
    sources = [fields.get(role, "") for role in ("special", "other")]
    if not fields.get("total") and fields.get("fiscal") and not any(sources):
        fields["total"] = fields["fiscal"]
    return fields


def _project_row(card: Card, offset: int, where: str | None, department: str) -> dict:
    details = dict(card.details)
    if where:
        details["位置"] = f"{where} 第{card.row}行"
    fields = _funds(card)
    for role, label in (("unit", "实施单位"), ("department", "主管部门")):
        if fields.get(role) and without_code(fields[role]) != fields[role]:
            details[label] = fields[role]  # the name as written, with its code
    return {
        "source_row": card.row + offset,
        "row_kind": "project",
        "unit_name": without_code(fields.get("unit", "")) or department,
        "name": fields.get("name", ""),
        "total_text": fields.get("total", ""),
        "fiscal_text": fields.get("fiscal", ""),
        "special_text": fields.get("special", ""),
        "other_text": fields.get("other", ""),
        "performance_goal": fields.get("goal", ""),
        "indicator_text": "",
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
    }


def read_card_batch(grids: list[Grid]) -> CardBatch:
    """All cards of the file's card grids as one batch (TableError if they disagree)."""
    found, synthetic = _stacked(grids)
    department = _agreed(
        [(c.fields.get("department") or c.fields.get("unit", ""), c.row + o) for c, o, _ in found],
        "department_mismatch", "主管部门",
    )  # fmt: skip
    department = without_code(department) if department else None
    years = [(str(c.year or ""), c.row + o) for c, o, _ in found]
    year = _agreed(years, "year_mismatch", "budget year")
    units = {c.amount_unit for c, _, _ in found}
    if len(units) > 1:
        raise TableError("amount_unit", "the cards state different amount units (万元 and 元)")
    dept = department or ""
    rows = [_project_row(card, offset, where, dept) for card, offset, where in found]
    records = [
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
    first = found[0][0]
    return CardBatch(
        year=int(year) if year else None,
        year_text=first.year_text,
        department=department,
        amount_unit=units.pop(),
        rows=pl.DataFrame(rows, schema=CARD_ROW_COLUMNS),
        indicators=pl.DataFrame(records, schema=CARD_LISTED_COLUMNS),
        unread=pl.DataFrame(notes, schema=NOTE_COLUMNS) if notes else None,
        synthetic=synthetic,
        where=found[0][2],
        fund_sources=any(
            card.fiscal_parts or {"fiscal", "special", "other"} & card.fields.keys()
            for card, _, _ in found
        ),
    )


def check_department(given: str | None, batch: CardBatch, path: Path) -> str:
    """The batch's department: --department when given (it must match the cards'
    主管部门), else the cards', else the file name."""
    if given and batch.department and not same_name(given, batch.department):
        raise TableError(
            "department_mismatch",
            f"--department says '{given}' but the cards' 主管部门 is '{batch.department}'",
            value=batch.department,
        )
    return given or batch.department or path.stem
