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

import numpy as np
import polars as pl

from transforms.amounts import parse_amount

MICRO = 1_000_000  # amounts compared as integers of 10⁻⁶ 万元 (DECIMAL(18,6): exact)
# the gate's tolerance for a declared total (expectations.checks): rounding per part
ROUNDING_PER_PART = 5_000  # 0.005 万元
MIN_ROUNDING = 10_000  # 0.01 万元


def _tolerance(n_parts: int) -> int:
    return max(MIN_ROUNDING, ROUNDING_PER_PART * n_parts)


def resolve_units(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` (fid, row_kind, total_text, amount_unit; in table order) with each 'unit'
    row whose projects do not add up to its amount turned into a 'project'."""
    kind = rows["row_kind"].to_numpy()
    candidates = np.flatnonzero(kind == "unit")
    if candidates.size == 0:
        return rows
    fids = rows["fid"].to_numpy()
    # exact amounts as integers of 10⁻⁶ 万元: sums are prefix-sum differences
    micro = rows.select(
        (parse_amount(pl.col("total_text"), pl.col("amount_unit")) * MICRO)
        .cast(pl.Int64).fill_null(0)
    ).to_series().to_numpy()
    sums = np.concatenate([[0], np.cumsum(micro)])
    stops = _stops(kind == "total", fids)
    totals = _first_totals(kind == "total", fids, micro)
    candidates = _unconfirmed(candidates, fids, micro, totals)
    demoted: set[int] = set()
    position = 0
    while position < candidates.size:
        unit = int(candidates[position])
        accepted_end = None
        for end_position, end in _run_ends(position, candidates, stops):
            n_parts = end - unit - 1
            gap = abs(int(sums[end] - sums[unit + 1]) - int(micro[unit]))
            if n_parts and gap <= _tolerance(n_parts):
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


def _stops(is_total: np.ndarray, fids: np.ndarray) -> np.ndarray:
    """For every row, the first row after it that is a 合计 or in another table (or n)."""
    n = is_total.size
    boundary = is_total.copy()
    boundary[1:] |= fids[1:] != fids[:-1]
    marks = np.flatnonzero(boundary)
    after = np.searchsorted(marks, np.arange(n), side="right")
    return np.append(marks, n)[after]


def _first_totals(is_total: np.ndarray, fids: np.ndarray, micro: np.ndarray) -> dict[int, int]:
    """Each table's first 合计 amount (10⁻⁶ 万元)."""
    found: dict[int, int] = {}
    for row in np.flatnonzero(is_total).tolist():
        found.setdefault(int(fids[row]), int(micro[row]))
    return found


def _unconfirmed(
    candidates: np.ndarray, fids: np.ndarray, micro: np.ndarray, totals: dict[int, int]
) -> np.ndarray:
    """The candidates left to prove by their projects: a table whose candidates together
    add up to its 合计 has them confirmed by that (they are its units, and a project
    amount that misses its unit's subtotal is the fault the gate then names)."""
    by_file: dict[int, list[int]] = {}
    for row in candidates.tolist():
        by_file.setdefault(int(fids[row]), []).append(row)
    confirmed = {
        fid
        for fid, rows in by_file.items()
        if fid in totals
        and abs(sum(int(micro[r]) for r in rows) - totals[fid]) <= _tolerance(len(rows))
    }
    return np.asarray([r for r in candidates.tolist() if int(fids[r]) not in confirmed],
                      dtype=np.int64)


def _run_ends(
    position: int, candidates: np.ndarray, stops: np.ndarray
) -> list[tuple[int, int]]:
    """Where the run of candidate `position` may end, nearest first: (index of the first
    candidate not in the run, row the run stops before): at each later candidate of the
    same table, then at the table's next 合计 or its end."""
    stop = int(stops[int(candidates[position])])
    ends = []
    k = position + 1
    while k < candidates.size and candidates[k] < stop:
        ends.append((k, int(candidates[k])))
        k += 1
    ends.append((k, stop))
    return ends
