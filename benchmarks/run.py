"""`make bench`: bpw at province scale, measured end to end in one run (≈ 20 minutes).

    S  = 100 departments × 8 years (800 files)       `bpw synth`, txt/csv, packed/long
    M  = 800 departments × 8 years (6,400 files)     the same recipe, other seeds
    2M = 1,600 departments (12,800 files), 4M = 3,200 departments (25,600 files)
    L  = ≥ 50 million indicators, query-only         M's lake copied into the lake layout

It measures, each as a fresh process (wall seconds; peak RSS from `wait4`, and for the
scaling runs the sampled sum over the process tree, Dask's workers included): a run's
fixed start-up (`bpw ingest` of an empty folder into a fresh home) beside Prefect's own
(an empty flow); for every corpus, DuckDB reading its raw files as lines (the
yardstick), the bare pandas + regex peer (`peer_script.py`), and a cold `bpw nightly`
with threads and with a 2-worker Dask cluster; at M a nightly run with nothing new and
one with one changed file, the quick commands, and p50/p95 of every `v_*` view and three
ad-hoc queries, again at L with `bpw status`. It prints the results with each goal's
verdict, rewrites the README's block between `<!-- bench:start -->` and
`<!-- bench:end -->`, and keeps every figure in benchmarks/out/results.json. Corpora
and homes live in benchmarks/out/ (git-ignored); corpora are reused while their recipe
is unchanged.

Knobs (environment): BENCH_SIZES=S,M (a subset of S,M,2M,4M,L; L needs M's lake, so it
brings M), BENCH_RUNNERS=threads (or dask), BENCH_README=0 (never touch the README). The
README is rewritten only by a complete run (every size, both runners).
"""

from __future__ import annotations

import json
import os
import shutil
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
SIZES = ("S", "M", "2M", "4M", "L")
RUNNERS = ("threads", "dask")


def chosen(name: str, allowed: tuple[str, ...]) -> list[str]:
    """The comma list in environment variable `name` (all of `allowed` when unset), in
    `allowed`'s order; an unknown entry is an error."""
    raw = os.environ.get(name, "").strip()
    wanted = [part.strip() for part in raw.split(",") if part.strip()] if raw else allowed
    unknown = sorted(set(wanted) - set(allowed))
    if unknown:
        raise SystemExit(f"{name}: unknown {', '.join(unknown)} (known: {', '.join(allowed)})")
    return [a for a in allowed if a in wanted]


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


def peer(corpus: Path, env: dict[str, str]) -> dict:
    """The bare pandas + regex script over the corpus, in a fresh process."""
    out = OUT / "peer"
    shutil.rmtree(out, ignore_errors=True)
    done = run([PYTHON, str(ROOT / "benchmarks" / "peer_script.py"), str(corpus), str(out)],
               env=env).check()  # fmt: skip
    shutil.rmtree(out, ignore_errors=True)
    return {"wall": done.wall, "max_rss": done.max_rss, "summary": done.stdout.strip()}


def nightly(home: Path, env: dict[str, str], runner: str = "threads", tree: bool = False) -> Run:
    options = ["--task-runner", "dask"] if runner == "dask" else []
    command = corpora.bpw("--home", str(home), "nightly", *options)
    return run(command, env=env, tree=tree).check((0, 1))


def noop(env: dict[str, str]) -> float:
    return run([PYTHON, str(ROOT / "benchmarks" / "noop_flow.py")], env=env).check().wall


def startup(env: dict[str, str]) -> float:
    """A run's fixed start-up: `bpw ingest` of an empty folder into a fresh home."""
    home = corpora.fresh_home(OUT, "startup")
    empty = home / "empty"
    empty.mkdir()
    wall = run(corpora.bpw("--home", str(home), "ingest", str(empty)), env=env).check().wall
    shutil.rmtree(home, ignore_errors=True)
    return wall


def paired_nightly(home: Path, env: dict[str, str]) -> dict:
    """A nightly run, with the fixed start-up measured right before it: on a shared
    machine the load drifts, and a run is judged against its own start-up."""
    fixed = startup(env)
    return {**report.run_figures(nightly(home, env)), "startup": fixed}


def quick_commands(home: Path, env: dict[str, str], department: str) -> dict[str, float]:
    commands = {
        "bpw --help": ["--help"],
        "bpw sql": ["--home", str(home), "sql", "select count(*) from fact_project_budget"],
        "bpw yoy --department": ["--home", str(home), "yoy", "--department", department],
        "bpw status": ["--home", str(home), "status"],
    }
    return {name: timed_command(args, env) for name, args in commands.items()}


def timed_command(args: list[str], env: dict[str, str], reps: int = 3) -> float:
    return median([run(corpora.bpw(*args), env=env).check().wall for _ in range(reps)])


def scaling(name: str, corpus: Path, runners: list[str], env: dict[str, str]) -> dict:
    """One corpus: its yardstick and peer, then a cold nightly per runner (each after its
    own start-up measurement) on a fresh home. M's threads home is kept (the later
    measures use it); the others are removed."""
    files = corpora.table_files(corpus)
    figures: dict = {
        "files": len(files), "bytes": sum(f.stat().st_size for f in files),
        "yardstick": yardstick(files), "peer": peer(corpus, env), "runs": {},
    }  # fmt: skip
    for runner in runners:
        home = corpora.fresh_home(OUT, name if runner == "threads" else f"{name}-{runner}", corpus)
        fixed = startup(env)
        try:
            done = nightly(home, env, runner, tree=True)
        except RuntimeError as exc:  # the table says so; the other measures go on
            if name == "M" and runner == "threads":
                raise  # every later measure needs M's warehouse
            figures["runs"][runner] = {"error": str(exc)[-2000:], "startup": fixed}
            print(f"    {name} {runner} failed: {str(exc)[-500:]}", flush=True)
        else:
            figures["runs"][runner] = {**report.run_figures(done), "startup": fixed}
        if not (name == "M" and runner == "threads"):
            shutil.rmtree(home, ignore_errors=True)
    return figures


def main() -> int:
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    sizes = chosen("BENCH_SIZES", SIZES)
    if "L" in sizes and "M" not in sizes:
        sizes.insert(sizes.index("L"), "M")  # L is made from M's lake
    runners = chosen("BENCH_RUNNERS", RUNNERS)
    complete = sizes == list(SIZES) and runners == list(RUNNERS)
    results: dict = {"machine": machine(), "load_before": load_average(),
                     "started_at": datetime.now().isoformat(timespec="seconds"),
                     "sizes": sizes, "runners": runners}  # fmt: skip

    ingested = [s for s in sizes if s in corpora.INGESTED]
    step(f"corpora {', '.join(ingested)} (bpw synth; reused when unchanged)")
    folders: dict[str, Path] = {}
    made: dict[str, float | None] = {}
    for size in ingested:
        folders[size], synth = corpora.ensure_corpus(OUT, corpora.INGESTED[size], env)
        made[size] = synth.wall if synth else None
    note(results, "synth_seconds", made)

    step("fixed start-up: Prefect's empty flow and `bpw ingest` of an empty folder "
         "(fresh processes, ×3 each after a warm-up)")  # fmt: skip
    noop(env)  # creates / migrates the benchmark's PREFECT_HOME
    startup(env)
    note(results, "startup_noop", median([noop(env) for _ in range(3)]))
    note(results, "startup", median([startup(env) for _ in range(3)]))

    results["scaling"] = {}
    for size in ingested:
        step(f"{size}: DuckDB's raw read (median of 3), the peer script, and a cold nightly "
             f"with {' and '.join(runners)}")  # fmt: skip
        results["scaling"][size] = scaling(size, folders[size], runners, env)
        note(results, "scaling", results["scaling"])

    if "M" in sizes:
        measure_m(results, env, with_l="L" in sizes)

    results["load_after"] = load_average()
    results["bench_seconds"] = time.perf_counter() - started
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    block = report.render(results)
    print("\n" + block)
    if complete and os.environ.get("BENCH_README", "1") != "0":
        report.update_readme(ROOT / "README.md", block)
        where = "README and "
    else:
        where = ""
        print("(README left as it is: a partial run or BENCH_README=0)")
    step(f"done in {results['bench_seconds'] / 60:.1f} min; {where}{OUT}/results.json updated")
    return 0


def measure_m(results: dict, env: dict[str, str], with_l: bool) -> None:
    """The measures on M's threads home (left by its cold run), then L's."""
    home_m = OUT / "homes" / "M"
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
    if not with_l:
        return

    step("corpus L: M's lake copied to ≥ 50 million indicators, then its catalog")
    built = time.perf_counter()
    home_l = OUT / "homes" / "L"
    lake_l = build_lake_l(home_m / "lake", home_l)
    note(results, "L", {**lake_l, "build_seconds": time.perf_counter() - built})

    step(f"queries at L (p50/p95 of up to {REPS_L} runs after a warm-up; {LIMIT:.0f} s limit)")
    timed = queries.time_all(home_l / "warehouse.duckdb", REPS_L, LIMIT, str(department))
    note(results, "queries_L", [vars(t) for t in timed])

    step("bpw status at L (median of 3)")
    try:
        note(results, "status_L", timed_command(["--home", str(home_l), "status"], env))
    except RuntimeError as exc:  # L is a lake without runs: say so rather than stop here
        note(results, "status_L_error", str(exc)[-2000:])


if __name__ == "__main__":
    sys.exit(main())
