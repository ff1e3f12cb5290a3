"""The benchmark's results as the README's tables, with each goal checked.

`render` takes results.json's dictionary (see benchmarks/run.py); a partial run
(BENCH_SIZES, BENCH_RUNNERS) renders what it measured and says what it did not.
"""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.timing import Run

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
GIB = 1 << 30
# issue 15's goals
STARTUP_GOAL = 3.0  # s: `bpw ingest` of an empty folder
YARDSTICK_GOAL = 3.0  # × DuckDB's raw read, cold ingest net of start-up
PEER_GOAL = 1.0  # × the bare script: faster than it
RSS_GOAL = 1.25  # × peak RSS at twice the files
STATUS_GOAL = 0.5  # s
VIEW_TARGET = {"M": 0.1, "L": 1.0}
GOAL_VIEWS = ("v_indicator_target_yoy", "v_project_family_yoy", "v_project_yoy")
QUICK_TARGET = {"bpw status": STATUS_GOAL}  # the other quick commands: QUICK_DEFAULT
QUICK_DEFAULT = 1.0
RUNNER_NAMES = {"threads": "threads", "dask": "Dask, 2 workers"}
NOT_MEASURED = "not measured in this run"


def run_figures(done: Run) -> dict:
    """What the README needs from one `bpw` run."""
    summary = next((line for line in done.stdout.splitlines() if line.startswith("run ")), "")
    return {"wall": done.wall, "max_rss": done.max_rss, "tree_rss": done.tree_rss,
            "stages": done.stages, "returncode": done.returncode,
            "summary": summary}  # fmt: skip


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else _s(seconds)


def _gib(size: int | None) -> str:
    return "—" if size is None else f"{size / GIB:.2f} GiB"


def verdict(value: float, limit: float, unit: str = "s", strict: bool = False) -> str:
    """'met' or '**missed** by X (+Y%)': met when value ≤ limit (< limit when strict)."""
    if value < limit or (value == limit and not strict):
        return "met"
    over = value - limit
    amounts = {"B": f"{over / GIB:.2f} GiB", "ms": _ms(over), "x": f"{over:.2f}×"}
    amount = amounts.get(unit, _s(over))
    return f"**missed** by {amount} (+{over / limit:.0%})"


def _stages(figures: dict) -> str:
    return ", ".join(f"{name} {sec:.1f}" for name, sec in figures["stages"].items())


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _plus(net: float) -> str:
    return f"start-up + {_s(net)}" if net >= 0 else f"start-up − {_s(-net)}"


def _over_startup(runs: list[dict]) -> tuple[float, float, float]:
    """(median wall, median paired start-up, median of wall − its own start-up)."""
    return (
        _median([r["wall"] for r in runs]),
        _median([r["startup"] for r in runs]),
        _median([r["wall"] - r["startup"] for r in runs]),
    )


def net(figures: dict) -> float:
    """A run's wall time less the start-up measured just before it."""
    return figures["wall"] - figures["startup"]


def _cold(r: dict, size: str, runner: str = "threads") -> dict | None:
    """A cold run's figures (None when it was not run or failed)."""
    figures = r.get("scaling", {}).get(size, {}).get("runs", {}).get(runner)
    return None if figures is None or "error" in figures else figures


def _scan(r: dict, corpus: str, view: str) -> dict | None:
    timings = r.get(f"queries_{corpus}") or []
    return next((t for t in timings if t["name"] == f"{view} scan"), None)


def _row(measure: str, figure: str | None, goal: str, judged: str) -> str:
    if figure is None:
        return f"| {measure} | {NOT_MEASURED} | {goal} | — |"
    return f"| {measure} | {figure} | {goal} | {judged} |"


def goals_table(r: dict) -> list[str]:
    """Issue 15's goals, each with its figure and verdict (or why it has none)."""
    rows = ["| goal | figure | target | verdict |", "|---|---:|---|---|"]
    start = r.get("startup")
    noop = r.get("startup_noop")
    rows.append(_row(
        "fixed start-up of a run: `bpw ingest` of an empty folder into a fresh home "
        "(fresh process, median of 3)" + (f"; Prefect's empty flow alone: {_s(noop)}"
                                          if noop is not None else ""),
        None if start is None else _s(start), f"≤ {_s(STARTUP_GOAL)}",
        "" if start is None else verdict(start, STARTUP_GOAL),
    ))  # fmt: skip
    cold, m = _cold(r, "M"), r.get("scaling", {}).get("M")
    if cold and m:
        cold_net, yard, peer = net(cold), m["yardstick"], m["peer"]["wall"]
        rows.append(_row(
            "cold ingest of M, net of the start-up measured just before it, ÷ DuckDB "
            "reading the same files as lines", f"{_s(cold_net)} ÷ {_s(yard)} = "
            f"{cold_net / yard:.1f}×", f"≤ {YARDSTICK_GOAL:.0f}×",
            verdict(cold_net / yard, YARDSTICK_GOAL, "x"),
        ))  # fmt: skip
        rows.append(_row(
            "cold ingest of M, net, ÷ the bare pandas + regex script with no gate "
            "(`benchmarks/peer_script.py`, its whole wall time)",
            f"{_s(cold_net)} ÷ {_s(peer)} = {cold_net / peer:.2f}×",
            "< 1× (faster than it)", verdict(cold_net / peer, PEER_GOAL, "x", strict=True),
        ))  # fmt: skip
    else:
        rows.append(_row("cold ingest of M, net, ÷ DuckDB reading the same files", None,
                         f"≤ {YARDSTICK_GOAL:.0f}×", ""))  # fmt: skip
        rows.append(_row("cold ingest of M, net, ÷ the bare pandas + regex script", None,
                         "< 1× (faster than it)", ""))  # fmt: skip
    cold2 = _cold(r, "2M")
    measure = "peak RSS of a cold ingest (threads), M (6,400 files) → 2M (12,800 files)"
    if cold and cold2:
        ratio = cold2["max_rss"] / cold["max_rss"]
        rows.append(_row(measure, f"{_gib(cold['max_rss'])} → {_gib(cold2['max_rss'])} = "
                         f"{ratio:.2f}×", f"≤ {RSS_GOAL}× (flat)",
                         verdict(ratio, RSS_GOAL, "x")))  # fmt: skip
    else:
        rows.append(_row(measure, None, f"≤ {RSS_GOAL}× (flat)", ""))
    for corpus in ("M", "L"):
        limit = VIEW_TARGET[corpus]
        for view in GOAL_VIEWS:
            measure = f"`select count(*) from {view}` p50 at {corpus}"
            if f"queries_{corpus}" not in r:
                rows.append(_row(measure, None, f"≤ {_ms(limit)}", ""))
                continue
            timing = _scan(r, corpus, view)
            if timing is None:
                rows.append(f"| {measure} | no such view | ≤ {_ms(limit)} | — |")
            elif timing["p50"] is None:
                rows.append(f"| {measure} | > {timing['limit']:.0f} s | ≤ {_ms(limit)} | "
                            f"**missed** (stopped at {timing['limit']:.0f} s) |")  # fmt: skip
            else:
                rows.append(f"| {measure} | {_ms(timing['p50'])} | ≤ {_ms(limit)} | "
                            f"{verdict(timing['p50'], limit, 'ms')} |")  # fmt: skip
    status_m = r.get("quick", {}).get("bpw status")
    for corpus, status in (("M", status_m), ("L", r.get("status_L"))):
        if status is None and corpus == "L" and "status_L_error" in r:
            rows.append(f"| `bpw status` at L | failed (see results.json) | "
                        f"≤ {_s(STATUS_GOAL)} | **missed** |")  # fmt: skip
            continue
        rows.append(_row(
            f"`bpw status` at {corpus} (median of 3)", None if status is None else _s(status),
            f"≤ {_s(STATUS_GOAL)}", "" if status is None else verdict(status, STATUS_GOAL),
        ))  # fmt: skip
    return rows


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}×" if base > 0 else "—"


def scaling_table(r: dict) -> list[str]:
    """Per corpus: DuckDB's raw read, the peer script, and a cold `bpw nightly` per runner."""
    rows = [
        "| corpus | files | what | wall | net of start-up | files/s | peak RSS, largest "
        "process | peak RSS, all processes | ÷ DuckDB | ÷ peer |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, figures in r.get("scaling", {}).items():
        files, yard = figures["files"], figures["yardstick"]
        peer = figures["peer"]
        head = f"| {size} | {files:,}"
        rows.append(f"{head} | DuckDB `read_csv`, lines (in process) | {_s(yard)} | — | "
                    f"{files / yard:,.0f} | — | — | 1.0× | — |")  # fmt: skip
        rows.append(f"{head} | peer script (pandas + regex, no gate) | {_s(peer['wall'])} | "
                    f"— | {files / peer['wall']:,.0f} | {_gib(peer['max_rss'])} | — | "
                    f"{_ratio(peer['wall'], yard)} | 1.0× |")  # fmt: skip
        for runner, run in figures["runs"].items():
            if "error" in run:
                first = run["error"].strip().splitlines()[0][:120]
                rows.append(f"{head} | `bpw nightly`, {RUNNER_NAMES.get(runner, runner)} | "
                            f"failed: {first} | — | — | — | — | — | — |")  # fmt: skip
                continue
            run_net = net(run)
            rows.append(
                f"{head} | `bpw nightly`, {RUNNER_NAMES.get(runner, runner)} | "
                f"{_s(run['wall'])} | {_s(run_net)} | {files / run['wall']:,.0f} | "
                f"{_gib(run['max_rss'])} | {_gib(run.get('tree_rss'))} | "
                f"{_ratio(run_net, yard)} | {_ratio(run_net, peer['wall'])} |"
            )
    if "L" in r:
        lake = r["L"]
        rows.append(
            f"| L | {lake['source_files']:,} | query-only: M's lake copied {lake['copies']} "
            f"times into the lake layout (`benchmarks/lake_l.py`), never ingested | — | — | "
            f"— | — | — | — | — |"
        )
    return rows


def pipeline_table(r: dict) -> list[str]:
    nothing, nothing_start, nothing_net = _over_startup(r["nothing_new"])
    changed, changed_start, changed_net = _over_startup(r["one_changed"])
    rows = [
        "| measure | corpus | figure | target | verdict |",
        "|---|---|---:|---|---|",
        f"| nightly, nothing new (median of 2; start-up just before: {_s(nothing_start)}) | M | "
        f"{_s(nothing)} = {_plus(nothing_net)} | ≤ start-up + 2 s | "
        f"{verdict(nothing_net, 2.0)} |",
        f"| nightly, one changed file (median of 2; start-up just before: "
        f"{_s(changed_start)}) | M | {_s(changed)} = {_plus(changed_net)} | "
        f"≤ start-up + 3 s | {verdict(changed_net, 3.0)} |",
    ]
    for name, wall in r["quick"].items():
        limit = QUICK_TARGET.get(name, QUICK_DEFAULT)
        rows.append(f"| `{name}` (median of 3) | M | {_s(wall)} | ≤ {_s(limit)} | "
                    f"{verdict(wall, limit)} |")  # fmt: skip
    return rows


def _q(timing: dict, key: str) -> str:
    value = timing[key]
    return f"> {timing['limit']:.0f} s" if value is None else _ms(value)


def _rows(timing: dict | None) -> str:
    return "—" if timing is None or timing["rows"] is None else f"{timing['rows']:,}"


def _view_verdict(timing: dict, corpus: str) -> str:
    limit = VIEW_TARGET[corpus]
    if timing["p50"] is None:
        return f"{corpus} **missed** (> {timing['limit']:.0f} s, limit {_ms(limit)})"
    return f"{corpus} {verdict(timing['p50'], limit, 'ms')}"


def query_table(r: dict) -> list[str]:
    at_l = {q["name"]: q for q in r.get("queries_L") or []}
    rows = [
        "| query | M rows | M p50 | M p95 | L rows | L p50 | L p95 | target (p50) | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for q in r["queries_M"]:
        big = at_l.get(q["name"])
        is_view = q["name"].startswith("v_")
        target = "≤ 100 ms at M, ≤ 1 s at L" if is_view else "—"
        judged = "—"
        if is_view:
            judged = "; ".join([_view_verdict(q, "M")] + ([_view_verdict(big, "L")] if big else []))
        l_cells = f"{_rows(big)} | {_q(big, 'p50')} | {_q(big, 'p95')}" if big else "— | — | —"
        rows.append(
            f"| {q['name']} | {_rows(q)} | {_q(q, 'p50')} | {_q(q, 'p95')} | {l_cells} | "
            f"{target} | {judged} |"
        )
    return rows


def _corpora(r: dict) -> str:
    parts = []
    for size, figures in r.get("scaling", {}).items():
        text = f"{size} {figures['files']:,} files ({figures['bytes'] / 1e6:.0f} MB)"
        cold = figures["runs"].get("threads")
        if cold and cold.get("summary"):
            text += f": {cold['summary'].split(': ', 1)[-1]}"
        parts.append(text)
    if "L" in r:
        lake = r["L"]
        parts.append(
            f"L {lake['indicators']:,} indicators, {lake['projects']:,} projects, "
            f"{lake['source_files']:,} files ({lake['copies']} copies of M, written in "
            f"{lake['build_seconds']:.0f} s)"
        )
    return "Corpora: " + "; ".join(parts) + "." if parts else "Corpora: none in this run."


def render(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"Measured {r['started_at']} by `make bench` ({r['bench_seconds'] / 60:.1f} min) on "
        f"{m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}, Python {m['python']}; "
        f"load average {r['load_before']} before, {r['load_after']} after.",
        "",
        _corpora(r),
        "",
        "Goals (issue 15); net = a run's wall time less the start-up measured just before it:",
        "",
        *goals_table(r),
        "",
        "Scaling: each `bpw nightly` is a cold ingest into a fresh home, in a fresh process; "
        "files/s = files ÷ wall; the ratios are bpw's net time (the peer's whole wall time) "
        "over DuckDB's read and over the peer's wall time; the largest process's peak RSS "
        "is `wait4`'s, all processes' is their summed RSS sampled every 0.1 s (the temporary "
        "Prefect server and Dask's workers included):",
        "",
        *scaling_table(r),
    ]
    if "nothing_new" in r:
        lines += ["", *pipeline_table(r)]
    cold = _cold(r, "M")
    if cold and "one_changed" in r:
        lines += ["", f"Cold ingest of M by stage (s): {_stages(cold)}. "
                  f"One changed file: {_stages(r['one_changed'][-1])}."]  # fmt: skip
    if "queries_M" in r:
        lines += ["", *query_table(r)]
    return "\n".join(lines)


def update_readme(readme: Path, block: str) -> None:
    """Replace the text between the markers (appending a Performance section with them
    when the README has none)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    generated = f"{START}\n{block}\n{END}"
    if START in text and END in text:
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
        text = pattern.sub(lambda _: generated, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n## Performance\n\n" + generated + "\n"
    readme.write_text(text, encoding="utf-8")
