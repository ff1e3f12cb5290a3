"""The bare-script peer: what a competent analyst writes in an afternoon for the same inbox.

A yardstick only, never part of bpw: pandas reads every txt/csv table of a corpus,
the header row is found by its 项目名称 cell (two-row headers folded), columns are
mapped by name (the synonyms the tables use), amounts are made numbers in 万元 (floats,
as such a script does), packed indicator cells are split with one regular expression,
long tables' indicator rows are hung under the project above them, and two Parquet
files are written: projects and indicators. No gate, no archive, no catalog, no
history — nothing bpw adds beyond reading.

    python benchmarks/peer_script.py <corpus folder> <out folder>

prints `peer: <files> files, <projects> projects, <indicators> indicators` and exits.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

# header text → role; the first match (in this order) wins for a cell
ROLES: list[tuple[str, tuple[str, ...]]] = [
    ("name", ("项目名称",)),
    ("total", ("总计", "金额合计", "合计")),
    ("fiscal", ("财政拨款", "一般公共预算")),
    ("special", ("财政专户",)),
    ("other", ("其他资金",)),
    ("goal", ("绩效目标",)),
    ("indicators", ("绩效指标",)),
    ("level1", ("一级指标",)),
    ("level2", ("二级指标",)),
    ("level3", ("三级指标",)),
    ("period", ("实施周期指标值",)),
    ("annual", ("年度指标值",)),
]
AMOUNTS = ("total", "fiscal", "special", "other")
# `[seq-]L1-一级：L2-二级[：；]名称；实施周期指标值：V；年度指标值：V。`
PACKED = re.compile(
    r"(?:(\d+)-)?(\d)-([^：；]+)：(\d\.?\d)-([^：；]+)[：；](.+?)"
    r"；实施周期指标值：(.*?)；年度指标值：(.*?)。(?=(?:\d+-)?\d-|$)"
)
UNIT = re.compile(r"单位[：:]\s*(万元|元)")


def role_of(header: str) -> str | None:
    for role, names in ROLES:
        if any(name in header for name in names):
            return role
    return None


COLUMNS = [role for role, _ in ROLES]


def read_table(path: Path) -> np.ndarray:
    """One file's rows under its header as a grid of COLUMNS (a role the file lacks is
    blank), then path, year, department and the amount divisor (元 → 万元)."""
    text = path.read_text(encoding="utf-8-sig")
    sep = "," if path.suffix == ".csv" else "\t"
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if "项目名称" in line)
    unit = next((m.group(1) for line in lines[:head] if (m := UNIT.search(line))), "万元")
    grid = pd.read_csv(io.StringIO(text), sep=sep, header=None, skiprows=head, dtype=object,
                       keep_default_na=False, skip_blank_lines=False).to_numpy()  # fmt: skip
    top = list(grid[0])
    body_start = 1
    if "资金来源" in top:  # two-row header: the amount names sit in the second row
        top = [low or high for high, low in zip(top, grid[1], strict=True)]
        body_start = 2
    where = {role_of(h): i for i, h in reversed(list(enumerate(top)))}
    body = grid[body_start:]
    out = np.full((len(body), len(COLUMNS) + 4), "", dtype=object)
    for j, role in enumerate(COLUMNS):
        if role in where:
            out[:, j] = body[:, where[role]]
    out[:, -4:] = (str(path), int(path.parent.name), path.stem, 10_000.0 if unit == "元" else 1.0)
    return out


def amounts(column: pd.Series, scale: pd.Series) -> pd.Series:
    text = column.fillna("").str.normalize("NFKC").str.replace(",", "").str.strip()
    return pd.to_numeric(text.replace({"": "0", "-": "0"})) / scale


def frames(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(projects, indicators) from every file's rows, stacked in file order."""
    rows = rows.fillna("").reset_index(drop=True)
    name = rows["name"].str.strip()
    goal = rows["goal"].str.strip()
    is_project = (name != "") & (goal != "") & (name != "合计") & ~name.str.startswith("注")
    # a long table's indicator rows belong to the project above; a total, a unit's
    # subtotal or a note (a named row that is not a project) ends that project
    owner = name.where(is_project, "").where(name != "", pd.NA).ffill()
    projects = rows.loc[is_project, ["path", "year", "department"]].assign(
        project=name[is_project], goal=goal[is_project],
        **{f"{a}_wan": amounts(rows.loc[is_project, a], rows.loc[is_project, "scale"])
           for a in AMOUNTS},
    )  # fmt: skip
    key = ["year", "department"]
    parts = []
    packed = rows.loc[is_project & (rows["indicators"] != ""), "indicators"].str.strip()
    if len(packed):
        found = packed.str.extractall(PACKED).reset_index(level=1, drop=True)
        found.columns = ["seq", "level1_code", "level1", "level2_code", "level2", "name",
                         "period", "annual"]  # fmt: skip
        parts.append(rows.loc[found.index, key].assign(
            project=name[found.index], **{c: found[c] for c in ("level1", "level2", "name",
                                                                 "period", "annual")},
        ))  # fmt: skip
    long = (rows["level3"].str.strip() != "") & owner.notna() & (owner != "")
    if long.any():
        parts.append(rows.loc[long, key].assign(
            project=owner[long], level1=rows.loc[long, "level1"].str.strip(),
            level2=rows.loc[long, "level2"].str.strip(),
            name=rows.loc[long, "level3"].str.strip(),
            period=rows.loc[long, "period"].str.strip(),
            annual=rows.loc[long, "annual"].str.strip(),
        ))  # fmt: skip
    indicators = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return projects.reset_index(drop=True), indicators


def files_of(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("[0-9]*/*") if p.suffix in (".txt", ".csv"))


def main(corpus: Path, out: Path) -> tuple[int, int, int]:
    files = files_of(corpus)
    grid = np.concatenate([read_table(p) for p in files])
    rows = pd.DataFrame(grid, columns=[*COLUMNS, "path", "year", "department", "scale"])
    projects, indicators = frames(rows.astype({"year": int, "scale": float}))
    out.mkdir(parents=True, exist_ok=True)
    projects.to_parquet(out / "projects.parquet", index=False)
    indicators.to_parquet(out / "indicators.parquet", index=False)
    return len(files), len(projects), len(indicators)


if __name__ == "__main__":
    n_files, n_projects, n_indicators = main(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"peer: {n_files} files, {n_projects} projects, {n_indicators} indicators")
