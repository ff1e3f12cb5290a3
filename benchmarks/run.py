"""`make bench`: bpw at province scale, measured end to end in one run (≈ 10 minutes).

    S  = 100 departments × 8 years (800 files)      `bpw synth`, txt/csv, packed/long
    M  = 800 departments × 8 years (6,400 files)    `bpw synth`, txt/csv, packed/long
    L  = ≥ 50 million indicators, query-only        M's lake copied into the lake layout

It measures, each as a fresh `bpw` process (wall seconds; peak RSS from `wait4`):
Prefect's fixed start-up (an empty flow), the raw-read yardstick (DuckDB reading every
M file as plain lines), cold ingest of S and M, a nightly run with nothing new and one
with one changed file, the quick commands, and p50/p95 of every `v_*` view and three
ad-hoc queries at M and L. It prints the results, checks them against the targets,
rewrites the README's block between `<!-- bench:start -->` and `<!-- bench:end -->`, and
keeps every figure in benchmarks/out/results.json. Corpora and homes live in
benchmarks/out/ (git-ignored); corpora are reused while their recipe is unchanged.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import corpora, queries, report  # noqa: E402
from benchmarks.lake_l import build_lake_l  # noqa: E402
from benchmarks.timing import Run, load_average, machine, median, run  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
PYTHON = sys.executable
REPS_M, REPS_L = 7, 5
LIMIT = 20.0  # seconds: a query run is interrupted past this (and its repetitions fit in it)


def bench_env() -> dict[str, str]:
    """The user's environment with a PREFECT_HOME of the benchmark's own (migrated once,
    before anything is timed) and no BPW_HOME (every command names its --home)."""
    env = dict(os.environ)
    env.pop("BPW_HOME", None)
    env.pop("PREFECT_API_URL", None)  # the temporary server: what a plain `bpw` run gets
    env["PREFECT_HOME"] = str(OUT / "prefect")
    return env


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def note(results: dict, key: str, value: object) -> object:
    """Record a figure, print it, and keep results.json current (a stopped run keeps what
    it measured)."""
    results[key] = value
    shown = json.dumps(value, ensure_ascii=False, default=str)
    print(f"    {key}: {shown if len(shown) < 300 else shown[:300] + ' …'}", flush=True)
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return value


def yardstick(files: list[Path], reps: int = 3) -> float:
    """DuckDB reading every raw file into one table as plain lines (no parsing at all)."""
    import duckdb

    times = []
    for _ in range(reps):
        con = duckdb.connect()
        started = time.perf_counter()
        con.execute(
            "create table raw as select * from read_csv(?, delim = '\x01', header = false, "
            "columns = {'line': 'VARCHAR'}, quote = '', escape = '', auto_detect = false, "
            "strict_mode = false)",
            [[str(f) for f in files]],
        )
        times.append(time.perf_counter() - started)
        con.close()
    return median(times)


def nightly(home: Path, env: dict[str, str]) -> Run:
    return run(corpora.bpw("--home", str(home), "nightly"), env=env).check((0, 1))


def noop(env: dict[str, str]) -> float:
    return run([PYTHON, str(ROOT / "benchmarks" / "noop_flow.py")], env=env).check().wall


def paired_nightly(home: Path, env: dict[str, str]) -> dict:
    """A nightly run, with Prefect's start-up measured right before it (an empty flow):
    on a shared machine the load drifts, and a run is judged against its own start-up."""
    startup = noop(env)
    return {**report.run_figures(nightly(home, env)), "startup": startup}


def quick_commands(home: Path, env: dict[str, str], department: str) -> dict[str, float]:
    commands = {
        "bpw --help": ["--help"],
        "bpw sql": ["--home", str(home), "sql", "select count(*) from fact_project_budget"],
        "bpw yoy --department": ["--home", str(home), "yoy", "--department", department],
        "bpw status": ["--home", str(home), "status"],
    }
    return {
        name: median([run(corpora.bpw(*args), env=env).check().wall for _ in range(3)])
        for name, args in commands.items()
    }


def main() -> int:
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    results: dict = {"machine": machine(), "load_before": load_average(),
                     "started_at": datetime.now().isoformat(timespec="seconds")}  # fmt: skip

    step("corpora S and M (bpw synth; reused when unchanged)")
    corpus_s, _ = corpora.ensure_corpus(OUT, corpora.S, env)
    corpus_m, made = corpora.ensure_corpus(OUT, corpora.M, env)
    files_m = corpora.table_files(corpus_m)
    note(results, "corpus", {
        "S_files": len(corpora.table_files(corpus_s)),
        "M_files": len(files_m),
        "M_bytes": sum(f.stat().st_size for f in files_m),
        "M_synth_seconds": made.wall if made else None,
    })  # fmt: skip

    step("Prefect's fixed start-up (an empty flow in a fresh process, ×3 after a warm-up)")
    noop(env)  # creates / migrates the benchmark's PREFECT_HOME
    note(results, "startup", median([noop(env) for _ in range(3)]))

    step("yardstick: DuckDB read_csv of every raw M file as lines (median of 3)")
    note(results, "yardstick", yardstick(files_m))

    step("cold ingest of S (bpw nightly)")
    home_s = corpora.fresh_home(OUT, "S", corpus_s)
    note(results, "cold_S", report.run_figures(nightly(home_s, env)))

    step("cold ingest of M (bpw nightly)")
    home_m = corpora.fresh_home(OUT, "M", corpus_m)
    note(results, "cold_M", paired_nightly(home_m, env))

    step("nightly with nothing new (×2, each after its own start-up measurement)")
    note(results, "nothing_new", [paired_nightly(home_m, env) for _ in range(2)])

    step("nightly with one changed file (×2, a different file each time; paired start-up)")
    changed = []
    for index in range(2):
        corpora.touch_one(home_m, index)
        changed.append(paired_nightly(home_m, env))
    note(results, "one_changed", changed)

    catalog_m = home_m / "warehouse.duckdb"
    department = note(results, "department", queries.a_department(catalog_m))
    step("quick commands on M (median of 3 each)")
    note(results, "quick", quick_commands(home_m, env, str(department)))

    step(f"queries at M (p50/p95 of {REPS_M} runs after a warm-up; {LIMIT:.0f} s limit)")
    timed = queries.time_all(catalog_m, REPS_M, LIMIT, str(department))
    note(results, "queries_M", [vars(t) for t in timed])

    step("corpus L: M's lake copied to ≥ 50 million indicators, then its catalog")
    built = time.perf_counter()
    lake_l = build_lake_l(home_m / "lake", OUT / "homes" / "L")
    note(results, "L", {**lake_l, "build_seconds": time.perf_counter() - built})

    step(f"queries at L (p50/p95 of up to {REPS_L} runs after a warm-up; {LIMIT:.0f} s limit)")
    catalog_l = OUT / "homes" / "L" / "warehouse.duckdb"
    timed = queries.time_all(catalog_l, REPS_L, LIMIT, str(department))
    note(results, "queries_L", [vars(t) for t in timed])

    results["load_after"] = load_average()
    results["bench_seconds"] = time.perf_counter() - started
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    block = report.render(results)
    print("\n" + block)
    report.update_readme(ROOT / "README.md", block)
    step(f"done in {results['bench_seconds'] / 60:.1f} min; README and {OUT}/results.json updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
