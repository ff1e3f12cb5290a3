"""Which rows are 资金使用单位 (fund-using units): decided by evidence, not by blanks.

A row with a name and amounts but neither goal nor indicators *looks* like a unit's
subtotal row, and so does a project whose goal and indicators were left blank. Taking
the second for a unit would reassign every project below it and hide the real fault.
So a candidate is a unit only by evidence: when the table's candidates together add up
to its 合计, or else when the projects under it (up to the next unit, 合计 or the end
of the table) add up to its amount, within the rounding the gate tolerates
(`expectations.checks`); otherwise it stays a project, and the gate's
`project_has_indicators` names it. Candidates inside an accepted unit's run are its
projects.

Vectorized where it matters: amounts are parsed and summed in polars; Python walks
only the candidate rows (a few per table).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl

from transforms.amounts import AMOUNT_DTYPE, parse_amount

# the gate's tolerance for a declared total (expectations.checks): rounding per part
ROUNDING_PER_PART = Decimal("0.005")
MIN_ROUNDING = Decimal("0.01")


def _tolerance(n_parts: int) -> Decimal:
    return max(MIN_ROUNDING, ROUNDING_PER_PART * n_parts)


def resolve_units(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` (fid, row_kind, total_text, amount_unit; in table order) with each 'unit'
    row whose projects do not add up to its amount turned into a 'project'."""
    candidates = np.flatnonzero((rows["row_kind"] == "unit").to_numpy())
    if candidates.size == 0:
        return rows
    kinds = rows["row_kind"].to_list()
    fids = rows["fid"].to_numpy()
    amounts = rows.select(
        parse_amount(pl.col("total_text"), pl.col("amount_unit")).fill_null(
            pl.lit(0).cast(AMOUNT_DTYPE)
        )
    ).to_series().to_list()
    candidates = _unconfirmed(candidates, kinds, fids, amounts)
    demoted: set[int] = set()
    position = 0
    while position < candidates.size:
        unit = int(candidates[position])
        accepted_end = None
        for end_position, end in _run_ends(position, candidates, kinds, fids):
            parts = range(unit + 1, end)
            if parts and abs(sum((amounts[i] for i in parts), Decimal(0)) - amounts[unit]) <= (
                _tolerance(len(parts))
            ):
                accepted_end = end_position
                break
        if accepted_end is None:
            demoted.add(unit)
            position += 1
            continue
        demoted.update(int(c) for c in candidates[position + 1 : accepted_end])
        position = accepted_end
    if not demoted:
        return rows
    flags = np.zeros(rows.height, dtype=bool)
    flags[list(demoted)] = True
    return rows.with_columns(
        pl.when(pl.Series(flags)).then(pl.lit("project")).otherwise(pl.col("row_kind"))
        .alias("row_kind")
    )


def _unconfirmed(
    candidates: np.ndarray, kinds: list[str], fids: np.ndarray, amounts: list[Decimal]
) -> np.ndarray:
    """The candidates left to prove by their projects: a table whose candidates together
    add up to its 合计 has them confirmed by that (they are its units, and a project
    amount that misses its unit's subtotal is the fault the gate then names)."""
    totals: dict[int, Decimal] = {}
    for row, kind in enumerate(kinds):
        if kind == "total":
            totals.setdefault(int(fids[row]), amounts[row])
    by_file: dict[int, list[int]] = {}
    for row in candidates.tolist():
        by_file.setdefault(int(fids[row]), []).append(row)
    confirmed = {
        fid
        for fid, rows in by_file.items()
        if fid in totals
        and abs(sum((amounts[r] for r in rows), Decimal(0)) - totals[fid])
        <= _tolerance(len(rows))
    }
    return np.asarray([r for r in candidates.tolist() if int(fids[r]) not in confirmed],
                      dtype=np.int64)


def _run_ends(
    position: int, candidates: np.ndarray, kinds: list[str], fids: np.ndarray
) -> list[tuple[int, int]]:
    """Where the run of candidate `position` may end, nearest first: (index of the first
    candidate not in the run, row the run stops before): at each later candidate of the
    same table, then at the table's next 合计 or its end."""
    unit = int(candidates[position])
    fid, n = fids[unit], len(kinds)
    stop = unit + 1
    while stop < n and fids[stop] == fid and kinds[stop] != "total":
        stop += 1
    ends = []
    k = position + 1
    while k < candidates.size and candidates[k] < stop:
        ends.append((k, int(candidates[k])))
        k += 1
    ends.append((k, stop))
    return ends
