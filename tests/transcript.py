"""Compare a document's grid with the hand transcript of the real tables
(tests/fixtures/realworld/*.transcript.txt), by the rules their README states.

The transcript is tab-separated text. Its README says two things changed on the way:
full-width `：（），；` became ASCII `:(),;`, and line breaks inside some cells became
spaces. So both sides are compared after `fold`: those five characters made ASCII,
and a line break inside a cell read as a space. Nothing else is forgiven.

Layout of the transcript, as hand-checked against the documents: the lines before the
table are the paragraphs above it, one line each; the line(s) after it the paragraphs
below; in between, one line per table row, one cell per *drawn* cell (a vertically
merged cell is blank on its continuation rows, a horizontally merged cell is written
once), trailing blank cells sometimes left off. A grid has one cell per grid column
(a span's value in its first column, "" after it). So:

- a transcript row with exactly as many cells as the grid has columns (no spans) must
  equal the grid row cell for cell;
- any other row must have the same non-blank cells, in the same order, each at a grid
  column no left of its transcript position (a span only pushes cells right);
- around the table, a run of tabs or spaces equals any other run (the transcript puts
  a tab where the document's paragraph has spaces: `项目负责人:          财务负责人:`).
"""

from __future__ import annotations

import re
from pathlib import Path

from transforms.grid import Grid

_FULL_WIDTH = str.maketrans("：（），；", ":(),;")


def fold(text: str) -> str:
    return text.translate(_FULL_WIDTH).replace("\n", " ")


def _loose(text: str) -> str:
    return re.sub(r"[ \t]+", " ", fold(text)).strip()


def transcript(path: Path, table_rows: int) -> tuple[list[str], list[list[str]], list[str]]:
    """(lines above, rows, lines below) of a transcript whose table has `table_rows` rows
    and whose every line above the table has no tab (the title lines)."""
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    start = next(i for i, line in enumerate(lines) if "\t" in line)
    rows = [line.split("\t") for line in lines[start : start + table_rows]]
    return lines[:start], rows, lines[start + table_rows :]


def mismatches(grid: Grid, path: Path) -> list[str]:
    """Every way the grid differs from the transcript at `path` (empty: they agree)."""
    table = grid.rows[len(grid.preamble) : len(grid.rows) - len(grid.trailer)]
    above, rows, below = transcript(path, len(table))
    found: list[str] = []
    if [_loose(line) for line in grid.preamble] != [_loose(line) for line in above]:
        found.append(f"above the table: {grid.preamble} != {above}")
    if [_loose(line) for line in grid.trailer] != [_loose(line) for line in below]:
        found.append(f"below the table: {grid.trailer} != {below}")
    width = len(table[0]) if table else 0
    for number, (cells, written) in enumerate(zip(table, rows, strict=True), start=1):
        got = [fold(cell) for cell in cells]
        want = [fold(cell) for cell in written]
        if len(want) == width:
            if got != want:
                found.append(f"row {number}: {got} != {want}")
            continue
        placed = [(i, c) for i, c in enumerate(got) if c]
        expected = [(i, c) for i, c in enumerate(want) if c]
        if [c for _, c in placed] != [c for _, c in expected] or any(
            g < w for (g, _), (w, _) in zip(placed, expected, strict=True)
        ):
            found.append(f"row {number}: {got} against the spans of {want}")
    return found
