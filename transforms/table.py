"""Files → their table rows, classified (total / unit / project), cells still as text.

Per file: decode, pick the sheet, find the header (a few rows). The bodies of all the
files of a chunk are then walked together, vectorized (`transforms.walk`); everything
after that is vectorized over many files at once in `transforms.normalize`.
A long-layout table (one row per indicator) also yields its indicator records here,
already split into cells (`TableRows.indicators`); a packed table leaves that None.
`classify_rows` (and `long_layout.walk_long`) are the per-row reference walkers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from transforms.card_table import card_grids, check_department, read_card_batch, same_name
from transforms.errors import TableError
from transforms.grid import Grid, ReadLimits
from transforms.leftovers import NOTE_COLUMNS, unread_cells
from transforms.list_layout import department_row
from transforms.locate import Layout, has_header, locate
from transforms.read import read_grids
from transforms.rows import ROW_COLUMNS, classify_rows
from transforms.self_eval import is_self_evaluation
from transforms.walk import Body, Walked, walk_bodies, walk_one

__all__ = [
    "ROW_COLUMNS", "SourceFile", "TableRows", "classify_rows", "read_table", "read_tables",
]

_YEAR_DIR = re.compile(r"^(19|20)\d{2}$")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class SourceFile:
    """A file as discovered: where it is, its bytes' hash, and any user overrides.

    `root` is where discovery started (the inbox, or a folder given to `bpw ingest`):
    only folders below it can name the year. None: every folder of `path` may.
    """

    path: Path
    sha256: str
    size: int
    mtime: float
    year: int | None = None
    department: str | None = None
    root: Path | None = None


@dataclass(frozen=True)
class TableRows:
    """One file's table: metadata plus a frame of classified rows (cells as text).

    `indicators` (long layout only) holds one record per indicator row, see
    `transforms.long_layout.LISTED_COLUMNS`; `layout` is 'packed' or 'long'.
    """

    source: SourceFile
    year: int
    department_name: str
    amount_unit: str
    encoding: str
    sheet: str | None
    rows: pl.DataFrame
    indicators: pl.DataFrame | None = None
    layout: str = "packed"
    # non-empty body cells no parsed field holds (`transforms.leftovers.NOTE_COLUMNS`)
    unread: pl.DataFrame | None = None
    synthetic: bool = False  # the file declares its figures invented (bpw synth's mark)
    # whether the table gives a fund-source split at all (财政拨款 / 专户 / 其他): without
    # one, those amounts are unknown (null), not zero
    fund_sources: bool = True
    kind: str = "targets"  # the batch kind: 'targets' or 'self_evaluation' (自评表)
    # a 自评表's projects and indicators (`transforms.self_eval_batch.EvalBatch`)
    evaluation: object | None = None


def year_of_path(
    path: Path, override: int | None, root: Path | None = None
) -> tuple[int, str] | None:
    """(year, what says so): --year, else a 4-digit folder in the path below `root`, else
    a year in the file name; None when nothing does.

    Folders above `root` never count: a data home under /srv/2024/ must not date every
    file 2024.
    """
    if override:
        return int(override), "--year"
    folders = path.parent.parts
    if root is not None and path.is_relative_to(root):
        folders = path.relative_to(root).parent.parts
    elif root is not None:
        folders = ()
    for part in reversed(folders):
        if _YEAR_DIR.match(part):
            return int(part), f"folder {part}"
    if match := _YEAR_IN_NAME.search(path.stem):
        return int(match.group(1)), "file name"
    return None


def resolve_year(
    path: Path, override: int | None, root: Path | None = None, stated: int | None = None
) -> int:
    """The batch's budget year (see `year_of_path`). `stated` is the year the table's own
    title gives: it must agree with --year or the folder, and it beats the file name."""
    found = year_of_path(path, override, root)
    if stated is not None:
        if found is not None and found[1] != "file name" and found[0] != stated:
            raise TableError(
                "year_mismatch",
                f"{found[1]} says {found[0]} but the table's title says {stated}",
                value=str(stated),
            )
        return stated
    if found is None:
        raise TableError(
            "year",
            "no budget year: give --year, or put the file in a folder named for the year",
            value=str(path.name),
        )
    return found[0]


def pick_grid(grids: list[Grid]) -> tuple[Grid, Layout]:
    """The first grid (sheet, Word table, PDF table) that is a target table: its header
    names every column the table needs. A 部门预算 document holds many tables (收支总表,
    三公经费 …); the others are skipped (`skipped_grids` notes them). TableError when
    none is a target table: the first grid with a header says what it lacks."""
    if len(grids) == 1:
        return grids[0], locate(grids[0])  # the only candidate: `locate` explains
    first_error: TableError | None = None
    for grid in grids:
        if not has_header(grid):
            continue
        try:
            return grid, locate(grid)
        except TableError as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    where = "in any sheet" if grids else "(the workbook has no sheets)"
    raise TableError(
        "header",
        f"no header row found {where} (need a 项目名称 column and a 总计/合计 column)",
    )


def _grid_name(grid: Grid, index: int) -> str:
    return grid.where or grid.sheet or f"table {index + 1}"


def _grid_title(grid: Grid) -> str:
    """What a skipped grid is: its title (a line naming a 表), else its first text."""
    texts = [c.strip() for row in grid.rows[:8] for c in row if c.strip()]
    return next((t for t in texts if "表" in t), texts[0] if texts else "(empty)")[:60]


def skipped_grids(grids: list[Grid], used: set[int]) -> pl.DataFrame | None:
    """One note per grid of the file that was not read (`leftovers.NOTE_COLUMNS`);
    `used` holds the indexes of the grids that were."""
    notes = [
        {"source_row": None, "column": _grid_name(grid, index),
         "text": f"skipped, not a target table: {_grid_title(grid)}"}
        for index, grid in enumerate(grids)
        if index not in used and any(c.strip() for row in grid.rows for c in row)
    ]  # fmt: skip
    return pl.DataFrame(notes, schema=NOTE_COLUMNS) if notes else None


def _with_notes(*frames: pl.DataFrame | None) -> pl.DataFrame | None:
    found = [frame for frame in frames if frame is not None and frame.height]
    return pl.concat(found) if found else None


@dataclass(frozen=True)
class _Located:
    source: SourceFile
    body: Body
    year: int
    skipped: pl.DataFrame | None = None  # the file's other grids, noted (`skipped_grids`)


def _locate_file(
    source: SourceFile, data: bytes | None, limits: ReadLimits | None
) -> _Located | TableRows:
    """Read one file and find its header (or its cards: then the table rows are ready);
    TableError says why it cannot be a batch."""
    grids = read_grids(source.path, data, limits)
    if is_self_evaluation(grids):
        return evaluation_rows(source, grids)
    if not any(has_header(grid) for grid in grids):
        cards, used = card_grids(grids)
        if cards:
            return _card_rows(source, cards, skipped_grids(grids, used))
    grid, layout = pick_grid(grids)
    year = resolve_year(source.path, source.year, source.root, stated=layout.year)
    listed = department_row(grid, layout) if layout.kind == "list" else None
    department = source.department or layout.department or listed or source.path.stem
    chosen = {next(i for i, g in enumerate(grids) if g is grid)}
    return _Located(source, Body(grid, layout, department), year, skipped_grids(grids, chosen))


def _card_rows(source: SourceFile, grids: list[Grid], skipped: pl.DataFrame | None) -> TableRows:
    """A file of project cards → its table rows (`transforms.card_table`)."""
    batch = read_card_batch(grids)
    return TableRows(
        source=source,
        year=resolve_year(source.path, source.year, source.root, stated=batch.year),
        department_name=check_department(source.department, batch, source.path),
        amount_unit=batch.amount_unit,
        encoding=grids[0].encoding,
        sheet=batch.where,
        rows=batch.rows,
        indicators=batch.indicators,
        layout="card",
        unread=_with_notes(batch.unread, skipped),
        synthetic=batch.synthetic,
        fund_sources=batch.fund_sources,
    )


def evaluation_rows(source: SourceFile, grids: list[Grid]) -> TableRows:
    """A file of 自评表 → a `self_evaluation` batch (`transforms.self_eval_batch`)."""
    from transforms.self_eval_batch import KIND, read_eval_batch

    batch = read_eval_batch(grids)
    given = source.department
    if given and batch.department and not same_name(given, batch.department):
        raise TableError(
            "department_mismatch",
            f"--department says '{given}' but the 自评表's 主管部门 is '{batch.department}'",
            value=batch.department,
        )
    return TableRows(
        source=source,
        year=resolve_year(source.path, source.year, source.root, stated=batch.year),
        department_name=given or batch.department or source.path.stem,
        amount_unit=batch.amount_unit,
        encoding=grids[0].encoding,
        sheet=batch.where,
        rows=pl.DataFrame(schema=ROW_COLUMNS),
        layout=KIND,
        unread=batch.unread,
        kind=KIND,
        evaluation=batch,
        synthetic=batch.synthetic,
    )


def _table_rows(located: _Located, walked: Walked) -> TableRows:
    if not (walked.rows["row_kind"] == "project").any():
        raise TableError("no_projects", "the table has a header but no project rows")
    grid, layout = located.body.grid, located.body.layout
    return TableRows(
        source=located.source,
        year=located.year,
        department_name=located.body.department,
        amount_unit=layout.amount_unit,
        encoding=grid.encoding,
        sheet=grid.where or grid.sheet,
        rows=walked.rows,
        indicators=walked.indicators,
        layout=layout.kind,
        unread=_with_notes(
            unread_cells(grid, layout, walked.rows, walked.indicators), located.skipped
        ),
        synthetic=layout.synthetic,
        fund_sources=any(role in layout.columns for role in ("fiscal", "special", "other")),
    )


def read_tables(
    sources: list[SourceFile],
    data: list[bytes | None] | None = None,
    limits: ReadLimits | None = None,
) -> list[TableRows | Exception]:
    """Each file's table, or the exception saying why it cannot be a batch (TableError,
    or whatever a reader library raised on hostile bytes), in the order given."""
    results: list[TableRows | Exception | None] = [None] * len(sources)
    located: list[tuple[int, _Located]] = []
    for i, source in enumerate(sources):
        try:
            found = _locate_file(source, data[i] if data else None, limits)
        except Exception as exc:
            results[i] = exc
            continue
        if isinstance(found, TableRows):
            results[i] = found
        else:
            located.append((i, found))
    try:
        walked = walk_bodies([loc.body for _, loc in located])
    except Exception:  # never lose a chunk to the vectorized walk: walk file by file
        walked = [None] * len(located)
    for (i, loc), walk in zip(located, walked, strict=True):
        try:
            results[i] = _table_rows(loc, walk or walk_one(loc.body))
        except Exception as exc:
            results[i] = exc
    return results  # type: ignore[return-value]


def read_table(
    source: SourceFile, data: bytes | None = None, limits: ReadLimits | None = None
) -> TableRows:
    """Read, locate and classify one file; TableError says why it cannot be a batch."""
    result = read_tables([source], [data], limits)[0]
    if isinstance(result, Exception):
        raise result
    return result
