"""The benchmark's results as the README's table, with each target checked."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.timing import Run

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
GIB = 1 << 30
VIEW_TARGET = {"M": 0.1, "L": 1.0}
QUICK_TARGET = 1.0


def run_figures(done: Run) -> dict:
    """What the README needs from one `bpw` run."""
    summary = next((line for line in done.stdout.splitlines() if line.startswith("run ")), "")
    return {"wall": done.wall, "max_rss": done.max_rss, "stages": done.stages,
            "returncode": done.returncode, "summary": summary}  # fmt: skip


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else _s(seconds)


def verdict(value: float, limit: float, unit: str = "s") -> str:
    """'met' or 'missed by X (+Y%)'."""
    if value <= limit:
        return "met"
    over = value - limit
    amounts = {"B": f"{over / GIB:.2f} GiB", "ms": _ms(over), "x": f"{over:.1f}×"}
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


def pipeline_table(r: dict) -> list[str]:
    start, yard = r["startup"], r["yardstick"]
    cold = r["cold_M"]
    cold_net = cold["wall"] - cold["startup"]
    nothing, nothing_start, nothing_net = _over_startup(r["nothing_new"])
    changed, changed_start, changed_net = _over_startup(r["one_changed"])
    rows = [
        "| measure | corpus | figure | target | verdict |",
        "|---|---|---:|---|---|",
        f"| Prefect's fixed start-up (empty flow, fresh process; median of 3) | — | "
        f"{_s(start)} | — | — |",
        f"| yardstick: DuckDB `read_csv` of every raw file as lines | M | {_s(yard)} | — | — |",
        f"| cold ingest, `bpw nightly` | S | {_s(r['cold_S']['wall'])} | — | — |",
        f"| cold ingest, `bpw nightly` (start-up measured just before: "
        f"{_s(cold['startup'])}) | M | {_s(cold['wall'])} = {_plus(cold_net)} | "
        f"≤ start-up + 3 × yardstick = start-up + {_s(3 * yard)} | "
        f"{verdict(cold_net, 3 * yard)} |",
        f"| ratio cold ingest ÷ yardstick (without start-up) | M | "
        f"{cold['wall'] / yard:.1f}× ({cold_net / yard:.1f}×) | (≤ 3×) | "
        f"{verdict(cold_net / yard, 3.0, 'x')} |",
        f"| peak RSS, cold ingest | M | {cold['max_rss'] / GIB:.2f} GiB | ≤ 2 GiB | "
        f"{verdict(cold['max_rss'], 2 * GIB, 'B')} |",
        f"| nightly, nothing new (median of 2; start-up just before: {_s(nothing_start)}) | M | "
        f"{_s(nothing)} = {_plus(nothing_net)} | ≤ start-up + 2 s | "
        f"{verdict(nothing_net, 2.0)} |",
        f"| nightly, one changed file (median of 2; start-up just before: "
        f"{_s(changed_start)}) | M | {_s(changed)} = {_plus(changed_net)} | "
        f"≤ start-up + 3 s | {verdict(changed_net, 3.0)} |",
    ]
    for name, wall in r["quick"].items():
        rows.append(
            f"| `{name}` | M | {_s(wall)} | < {QUICK_TARGET:.0f} s | "
            f"{verdict(wall, QUICK_TARGET)} |"
        )
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
    at_l = {q["name"]: q for q in r["queries_L"]}
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


def render(r: dict) -> str:
    m, c = r["machine"], r["corpus"]
    lake = r["L"]
    lines = [
        f"Measured {r['started_at']} by `make bench` ({r['bench_seconds'] / 60:.1f} min) on "
        f"{m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}, Python {m['python']}; "
        f"load average {r['load_before']} before, {r['load_after']} after.",
        "",
        f"Corpora: S {c['S_files']:,} files; M {c['M_files']:,} files "
        f"({c['M_bytes'] / 1e6:.0f} MB), {r['cold_M']['summary'].split(': ', 1)[-1]}; "
        f"L {lake['indicators']:,} indicators, {lake['projects']:,} projects, "
        f"{lake['source_files']:,} files ({lake['copies']} copies of M, written in "
        f"{lake['build_seconds']:.0f} s).",
        "",
        *pipeline_table(r),
        "",
        f"Cold ingest of M by stage (s): {_stages(r['cold_M'])}. "
        f"One changed file: {_stages(r['one_changed'][-1])}.",
        "",
        *query_table(r),
    ]
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
