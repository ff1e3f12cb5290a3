"""Table bodies → classified rows, vectorized over every file of a chunk at once.

`transforms.table` reads each file and locates its header (per file, a few rows);
this module walks all the bodies together in polars: it skips blank, column-number
and note rows, classifies rows (total / unit / project), carries the unit down and,
for long tables, hangs the indicator rows under their project. The rules are those of
the per-row reference walkers (`table.classify_rows`, `long_layout.walk_long`):

- Where a rule needs Python's own string semantics (column-number rows, note rows,
  合计 labels), polars flags the few candidate rows and Python decides those.
- A long table's continuation rows depend on the row that opened the project. The
  walk guesses the project-opening rows, then proves the guess (every continuation
  row fits its project; every opening row does not fit the one before). A table
  whose guess cannot be proved is walked by the reference walker instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from transforms.grid import Grid
from transforms.list_layout import walk_list
from transforms.locate import Layout, header_key
from transforms.long_layout import LISTED_COLUMNS, walk_long
from transforms.rows import (
    NOTE_PREFIX,
    ROW_COLUMNS,
    TOTAL_LABELS,
    cell,
    classify_rows,
    is_column_number_row,
)
from transforms.units import resolve_units

# every character Python's str.strip() removes (polars' own set lacks \x1c-\x1f); written
# out, since computing it scans every code point (0.12 s per process); tests check the set
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
ROLES = (
    "name", "total", "fiscal", "special", "other", "goal", "indicators",
    "level1", "level2", "level3", "value", "period", "annual",
)  # fmt: skip
HEAD = ("name", "total_text", "fiscal_text", "special_text", "other_text", "performance_goal")
_HEAD_ROLES = dict(zip(HEAD, ("name", "total", "fiscal", "special", "other", "goal"), strict=True))
_AMOUNTS = ("total_text", "fiscal_text", "special_text", "other_text")
_NOTE_START = NOTE_PREFIX.pattern.split(r")\s*", 1)[0] + ")"  # `^(注|说明|…)`: the labels
_NUMBER_CELL = r"^\p{N}+$"


@dataclass(frozen=True)
class Body:
    """One located table: its grid, where things are, and the department it falls back to."""

    grid: Grid
    layout: Layout
    department: str


@dataclass(frozen=True)
class Walked:
    """One table's classified rows (ROW_COLUMNS) and, for a long table, its indicator
    records (LISTED_COLUMNS); None for a packed table."""

    rows: pl.DataFrame
    indicators: pl.DataFrame | None


def walk_one(body: Body) -> Walked:
    """The per-row reference walk of one table (the fallback, and the specification;
    the only walk of the list form)."""
    if body.layout.kind == "list":
        return Walked(*walk_list(body.grid, body.layout, body.department))
    if body.layout.kind == "long":
        return Walked(*walk_long(body.grid, body.layout, body.department))
    return Walked(classify_rows(body.grid, body.layout, body.department), None)


def walk_bodies(bodies: list[Body]) -> list[Walked]:
    """Every table's rows (and long tables' indicators), in the order given."""
    if not bodies:
        return []
    lists = {i for i, body in enumerate(bodies) if body.layout.kind == "list"}
    if lists:  # the list form is walked row by row (`transforms.list_layout`)
        rest = iter(walk_bodies([b for i, b in enumerate(bodies) if i not in lists]))
        return [walk_one(b) if i in lists else next(rest) for i, b in enumerate(bodies)]
    cells = _cells_frame(bodies)
    rows = _classify(_drop_skipped(cells, bodies))
    packed, long = rows.filter(~pl.col("long")), rows.filter(pl.col("long"))
    long, unproved = _prove_starts(long)
    starters = pl.concat(
        [packed, long.filter(pl.col("starter")).select(packed.columns)]
    ).sort("fid", "row")
    table_rows = _promote_lone_units(_carry_units(resolve_units(starters)))
    listed = _listed(long)
    by_file_rows = _split(table_rows, len(bodies))
    by_file_listed = _split(listed, len(bodies))
    walked = []
    for fid, body in enumerate(bodies):
        if fid in unproved:
            walked.append(walk_one(body))
            continue
        indicators = by_file_listed[fid] if body.layout.kind == "long" else None
        walked.append(Walked(by_file_rows[fid], indicators))
    return walked


def _cells_frame(bodies: list[Body]) -> pl.DataFrame:
    """One row per body row of every table: fid, row (0-based grid index), cells,
    and each role's column index (null where the table has no such column)."""
    lengths: list[int] = []
    flat: list[str] = []
    n_rows: list[int] = []
    starts: list[int] = []
    for body in bodies:
        rows = body.grid.rows[body.layout.body_row :]
        n_rows.append(len(rows))
        starts.append(body.layout.body_row)
        lengths.extend(map(len, rows))
        flat.extend(itertools.chain.from_iterable(rows))
    fid = np.repeat(np.arange(len(bodies), dtype=np.int32), n_rows)
    first_of_file = np.repeat(np.cumsum([0, *n_rows[:-1]]), n_rows)
    row = np.arange(len(fid), dtype=np.int64) - first_of_file + np.repeat(starts, n_rows)
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    values = pl.Series("cells", flat, dtype=pl.String)
    cells = _list_series(offsets, values)
    files = pl.DataFrame(
        {
            "fid": np.arange(len(bodies), dtype=np.int32),
            "long": [b.layout.kind == "long" for b in bodies],
            "department": pl.Series([b.department for b in bodies], dtype=pl.String),
            "amount_unit": pl.Series([b.layout.amount_unit for b in bodies], dtype=pl.String),
            **{
                f"i_{role}": pl.Series([b.layout.columns.get(role) for b in bodies],
                                       dtype=pl.Int32)
                for role in ROLES
            },
        }
    )
    frame = pl.DataFrame({"fid": fid, "row": row.astype(np.int32)}).with_columns(cells)
    return frame.join(files, on="fid", how="left", maintain_order="left")


def _list_series(offsets: np.ndarray, values: pl.Series) -> pl.Series:
    """A List(String) column from flat cells and row offsets, without copying the cells
    (polars' own string-view layout, handed through Arrow)."""
    import pyarrow as pa

    cells = values.to_arrow(compat_level=pl.CompatLevel.newest())
    if offsets[-1] < 2**31:
        array = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), cells)
    else:
        array = pa.LargeListArray.from_arrays(pa.array(offsets), cells)
    return pl.Series("cells", pl.from_arrow(array), dtype=pl.List(pl.String))


def _python_check(frame: pl.DataFrame, flag: str, bodies: list[Body], check) -> set[tuple]:
    """(fid, row) of the flagged candidate rows for which `check(cells, body)` holds."""
    hits = set()
    for fid, row in frame.filter(pl.col(flag)).select("fid", "row").iter_rows():
        body = bodies[fid]
        if check(body.grid.rows[row], body):
            hits.add((fid, row))
    return hits


def _is_note(cells: list[str], body: Body) -> bool:
    first = next((c.strip() for c in cells if c.strip()), "")
    return bool(NOTE_PREFIX.match(first)) and not cell(cells, body.layout.columns.get("total"))


def _flagged(hits: set[tuple]) -> pl.Expr:
    """True on the rows (fid, row) listed in `hits`."""
    key = pl.col("fid").cast(pl.Int64) * (1 << 32) + pl.col("row")
    keys = pl.Series([fid * (1 << 32) + row for fid, row in hits], dtype=pl.Int64)
    return key.is_in(keys.implode())


def _drop_skipped(frame: pl.DataFrame, bodies: list[Body]) -> pl.DataFrame:
    """Without blank rows, column-number rows (`栏次 | 1 | 2 …`) and notes (`注：…`)."""
    stripped = pl.col("cells").list.eval(pl.element().str.strip_chars(PY_WHITESPACE))
    frame = frame.with_columns(stripped.alias("cells")).with_columns(
        pl.col("cells").list.eval(pl.element().filter(pl.element() != "")).list.first()
        .alias("first")
    )
    frame = frame.filter(pl.col("first").is_not_null()).with_columns(
        (
            pl.col("cells").list.eval(pl.element().str.contains(_NUMBER_CELL)).list.sum() >= 3
        ).alias("maybe_numbers"),
        pl.col("first").str.contains(_NOTE_START).alias("maybe_note"),
    )
    skipped = _python_check(frame, "maybe_numbers", bodies, lambda c, _: is_column_number_row(c))
    skipped |= _python_check(frame, "maybe_note", bodies, _is_note)
    return frame.filter(~_flagged(skipped)).drop("first", "maybe_numbers", "maybe_note")


def _role(role: str) -> pl.Expr:
    return pl.col("cells").list.get(pl.col(f"i_{role}"), null_on_oob=True).fill_null("")


def _value_cells() -> list[pl.Expr]:
    """(period, annual) as `long_layout.value_cells`: a lone value column serves as both."""
    value = _role("value")
    has_period, has_annual = pl.col("i_period").is_not_null(), pl.col("i_annual").is_not_null()
    period_own = pl.when(has_period).then(_role("period")).otherwise(pl.lit(""))
    annual_own = pl.when(has_annual).then(_role("annual")).otherwise(pl.lit(""))
    period = pl.when(has_period).then(period_own).otherwise(
        pl.when(value != "").then(value).otherwise(annual_own)
    )
    annual = pl.when(has_annual).then(annual_own).otherwise(
        pl.when(value != "").then(value).otherwise(period)
    )
    return [period.alias("period"), annual.alias("annual")]


def _total_names(frame: pl.DataFrame) -> list[str]:
    """Names that are a 合计 label under `header_key` (decided in Python, per distinct name)."""
    candidates = frame.filter(pl.col("name").str.normalize("NFKC").str.contains("计"))["name"]
    return [name for name in candidates.unique().to_list() if header_key(name) in TOTAL_LABELS]


def _classify(frame: pl.DataFrame) -> pl.DataFrame:
    """Head cells, indicator cells and the row kind (`rows.row_kind`) of every row."""
    frame = frame.with_columns(
        *(_role(role).alias(column) for column, role in _HEAD_ROLES.items()),
        _role("indicators").alias("indicator_cell"),
        _role("level1").alias("level1"),
        _role("level2").alias("level2"),
        _role("level3").alias("level3"),
        *_value_cells(),
    ).drop("cells", *(f"i_{role}" for role in ROLES))
    has_indicators = (
        pl.when(pl.col("long"))
        .then((pl.col("level3") != "") | (pl.col("period") != "") | (pl.col("annual") != ""))
        .otherwise(pl.col("indicator_cell") != "")
    )
    amounts = pl.any_horizontal(*(pl.col(c) != "" for c in _AMOUNTS))
    kind = (
        pl.when(pl.col("name").is_in(_total_names(frame)))
        .then(pl.lit("total"))
        .when((pl.col("performance_goal") == "") & ~has_indicators & amounts)
        .then(pl.lit("unit"))
        .otherwise(pl.lit("project"))
    )
    return frame.with_columns(kind.alias("row_kind"))


def _fits(other: str) -> pl.Expr:
    """Row's head cells each blank or equal to those of row `other` (`long_layout.continues`)."""
    return pl.all_horizontal(
        *((pl.col(c) == "") | (pl.col(c) == pl.col(c).gather(pl.col(other))) for c in HEAD)
    )


def _opens_no_project(other: str) -> pl.Expr:
    """True unless row `other` exists, is a project and this row fits it."""
    is_project = pl.col("row_kind").gather(pl.col(other)) == "project"
    return ~(pl.col(other).is_not_null() & is_project & _fits(other)).fill_null(False)


def _prove_starts(long: pl.DataFrame) -> tuple[pl.DataFrame, set[int]]:
    """Mark the rows that open a project (or are units / totals) in long tables; the fids
    whose guess cannot be proved are returned for the reference walker."""
    if long.is_empty():
        return long.with_columns(pl.lit(True).alias("starter")), set()
    long = long.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))
    first = pl.col("fid") != pl.col("fid").shift(1).fill_null(-1)
    named = pl.col("name") != ""
    long = long.with_columns(
        first.alias("first"),
        pl.when(named).then(pl.col("pos")).shift(1).forward_fill().over("fid").alias("a1"),
    )
    guess1 = pl.when(pl.col("first")).then(True).when(named).then(_opens_no_project("a1"))
    long = long.with_columns(guess1.alias("guess1"))
    long = long.with_columns(
        pl.when(pl.col("guess1")).then(pl.col("pos")).forward_fill().over("fid").alias("s0")
    )
    long = long.with_columns(
        pl.coalesce(pl.col("guess1"), _opens_no_project("s0")).alias("starter")
    )
    long = long.with_columns(
        pl.when(pl.col("starter")).then(pl.col("pos")).forward_fill().over("fid").alias("s"),
        pl.when(pl.col("starter")).then(pl.col("pos")).shift(1).forward_fill().over("fid")
        .alias("prev_s"),
    )
    continues = (pl.col("row_kind").gather(pl.col("s")) == "project") & _fits("s")
    proved = pl.when(pl.col("first")).then(True).when(pl.col("starter")).then(
        _opens_no_project("prev_s")
    ).otherwise(continues)
    long = long.with_columns(proved.alias("proved"))
    unproved = set(long.filter(~pl.col("proved"))["fid"].unique().to_list())
    return long.drop("a1", "guess1", "s0", "prev_s", "proved"), unproved


def _carry_units(rows: pl.DataFrame) -> pl.DataFrame:
    """unit_name: the last unit row's name above (the department before any); null on totals."""
    carried = (
        pl.when(pl.col("row_kind") == "unit").then(pl.col("name")).forward_fill().over("fid")
    )
    return rows.with_columns(
        pl.when(pl.col("row_kind") == "total")
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(carried.fill_null(pl.col("department")))
        .alias("unit_name")
    )


def _promote_lone_units(rows: pl.DataFrame) -> pl.DataFrame:
    """As `rows.rows_frame`: a unit row with no project under it becomes a project."""
    parents = (
        rows.filter(pl.col("row_kind") == "project")
        .select("fid", pl.col("unit_name").alias("name"), pl.lit(True).alias("_parent"))
        .unique()
    )
    rows = rows.join(parents, on=["fid", "name"], how="left", maintain_order="left")
    lone = (pl.col("row_kind") == "unit") & pl.col("_parent").is_null()
    indicator_text = pl.when(pl.col("long")).then(pl.lit("")).otherwise(pl.col("indicator_cell"))
    return rows.select(
        "fid",
        (pl.col("row") + 1).cast(pl.Int32).alias("source_row"),
        pl.when(lone).then(pl.lit("project")).otherwise(pl.col("row_kind")).alias("row_kind"),
        "unit_name",
        *HEAD,
        indicator_text.alias("indicator_text"),
    )


def _listed(long: pl.DataFrame) -> pl.DataFrame:
    """Long tables' indicator records (`long_layout.add_indicator`), one per indicator row."""
    if long.is_empty():
        return pl.DataFrame(schema={"fid": pl.Int32, **LISTED_COLUMNS})
    in_project = long.filter(pl.col("row_kind").gather(pl.col("s")) == "project")

    def carried(column: str) -> pl.Expr:
        own = pl.when(pl.col(column) != "").then(pl.col(column))
        return own.forward_fill().over("s").fill_null("")

    in_project = in_project.with_columns(
        carried("level1").alias("l1"), carried("level2").alias("l2")
    )
    starts = long.select(pl.col("pos").alias("s"), (pl.col("row") + 1).alias("source_row"))
    records = in_project.filter(
        (pl.col("level3") != "") | (pl.col("period") != "") | (pl.col("annual") != "")
    ).join(starts, on="s", how="left", maintain_order="left")
    return records.select(
        "fid",
        pl.col("source_row").cast(pl.Int32),
        (pl.col("row") + 1).cast(pl.Int32).alias("indicator_row"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("fid", "s").alias("indicator_pos"),
        pl.concat_str("l1", "l2", "level3", "period", "annual", separator=" | ").alias("record"),
        pl.when(pl.col("l1") != "").then(pl.col("l1")).alias("level1_text"),
        pl.when(pl.col("l2") != "").then(pl.col("l2")).alias("level2_text"),
        pl.when(pl.col("level3") != "").then(pl.col("level3")).alias("name"),
        "period",
        "annual",
    ).cast(LISTED_COLUMNS)


def _split(frame: pl.DataFrame, n_files: int) -> list[pl.DataFrame]:
    """Per-file slices of a frame sorted by fid (zero-copy), without the fid column."""
    counts = np.bincount(frame["fid"].to_numpy(), minlength=n_files)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    body = frame.drop("fid")
    columns = ROW_COLUMNS if "row_kind" in body.columns else LISTED_COLUMNS
    body = body.select(list(columns)).cast(columns)
    return [body.slice(int(offsets[i]), int(counts[i])) for i in range(n_files)]
