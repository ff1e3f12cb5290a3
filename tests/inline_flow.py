"""Run the nightly pipeline with no Prefect: the crash, lock, idempotency and
hostile-input tests start dozens of runs, and a temporary Prefect server costs 8–20 s
each.

`run_nightly` is what the `nightly` flow runs, called as the plain pipeline
(`pipeline.run.run`, its steps plain calls in this process): the same steps, the same
writes, the same records, the same summary — only Prefect (tasks, the artifact, the
final state) is left out. Nothing of Prefect is patched.

As a script (`python tests/inline_flow.py HOME [PATH…]`) it runs one ingest in a fresh
process and prints the summary as JSON on stdout. `ForkServer` runs many ingests, each in
a process of its own (the crash tests kill them with BPW_FAULT_AFTER_WRITES, armed by the
test-only switch BPW_FAULTS_I_AM_A_TEST=1), without paying Great Expectations' imports
each time. `warehouse_state` reads what a run left as a reader sees it: every public
view, in full, ordered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def run_nightly(
    home: str | None = None,
    paths: list[str] | None = None,
    year: int | None = None,
    department: str | None = None,
    wait_for_lock_seconds: float = 0.0,
    chunk_size: int | None = None,
) -> dict[str, Any]:
    """The `nightly` flow's run as the plain pipeline; returns the run summary."""
    from flows.progress import RunProgress
    from flows.settings import load_settings
    from pipeline import run

    settings = load_settings(home).ensure()
    now = datetime.now(UTC)
    run_id = run.new_run_id(now)
    targets = [Path(p) for p in paths] if paths else [settings.inbox]
    return run.run(
        settings, targets, year, department, chunk_size or run.CHUNK_SIZE, run_id, now,
        wait_for_lock_seconds=wait_for_lock_seconds, progress=RunProgress(run_id),
    ).to_dict()  # fmt: skip


# --- what a run left: the warehouse as a reader sees it -------------------------------

PUBLIC_PREFIXES = ("dim_", "fact_", "v_")
# columns that name the run which recorded a row (its id and clock), not the data
# (v_revision_change.changed_at is the replacing version's loaded_at)
RUN_COLUMNS = frozenset({"run_id", "loaded_at", "superseded_at", "changed_at"})
State = dict[str, tuple[list[str], list[tuple]]]


def public_views(con: Any) -> list[str]:
    """The catalog's public views (dim_*, fact_*, v_*), by name."""
    rows = con.execute(
        "select view_name from duckdb_views() where not internal order by view_name"
    ).fetchall()
    return [name for (name,) in rows if name.startswith(PUBLIC_PREFIXES)]


def state_of(con: Any, homes: Sequence[Path] = (), mask_runs: bool = False) -> State:
    """Every public view's full result, ordered by all its columns.

    Paths under any of `homes` read `$HOME/…` (each test home is a copy); with
    `mask_runs`, the columns that name the recording run are blanked (`masked`).
    """
    from warehouse.sqlfiles import quote_ident

    roots = sorted((str(Path(h)) for h in homes), key=len, reverse=True)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for root in roots:
                value = value.replace(root, "$HOME")
        return value

    state: State = {}
    for view in public_views(con):
        cursor = con.execute(f"select * from {quote_ident(view)} order by all")
        columns = [d[0] for d in cursor.description]
        state[view] = (columns, [tuple(map(clean, row)) for row in cursor.fetchall()])
    return masked(state) if mask_runs else state


def warehouse_state(home: Path, homes: Sequence[Path] = (), mask_runs: bool = False) -> State:
    """`state_of` the catalog in `home`, opened read-only and closed again."""
    import duckdb

    con = duckdb.connect(str(Path(home) / "warehouse.duckdb"), read_only=True)
    try:
        return state_of(con, [home, *homes], mask_runs)
    finally:
        con.close()


def masked(state: State) -> State:
    """The state with the RUN_COLUMNS blanked (as `state_of(..., mask_runs=True)`)."""
    out: State = {}
    for view, (columns, rows) in state.items():
        keep = [c not in RUN_COLUMNS for c in columns]
        out[view] = (
            columns,
            sorted(
                (tuple(v if k else None for v, k in zip(row, keep, strict=True)) for row in rows),
                key=repr,
            ),
        )
    return out


def diff(left: State, right: State) -> str:
    """Where two states differ, briefly (for assertion messages)."""
    lines = []
    for view in sorted(set(left) | set(right)):
        a, b = left.get(view), right.get(view)
        if a != b:
            a_rows, b_rows = set((a or ([], []))[1]), set((b or ([], []))[1])
            lines.append(
                f"{view}: {len(a_rows - b_rows)} row(s) only left, "
                f"{len(b_rows - a_rows)} only right; e.g. {sorted(a_rows ^ b_rows, key=repr)[:1]}"
            )
    return "; ".join(lines) or "no difference"


# --- many runs, each in its own process, without paying the imports each time ----------

FAULT_ENV = "BPW_FAULT_AFTER_WRITES"
FAULT_TEST_SWITCH = "BPW_FAULTS_I_AM_A_TEST"  # without it the fault variable is ignored


def serve_forks() -> None:
    """`inline_flow.py --forks`: import Great Expectations once (seconds),
    then for each stdin line `<N or -> <home>` run one ingest of `home` in a forked child
    — killed by `faults` at its N-th write when N is given — and answer its exit code.

    Only libraries that start no threads of their own are imported before forking (not
    polars: its thread pool must be born in the child). A child writes its summary to
    `<home>.summary.json`.
    """
    import great_expectations  # noqa: F401

    assert "polars" not in sys.modules
    for line in sys.stdin:
        fault, home = line.rstrip("\n").split(" ", 1)
        pid = os.fork()
        if pid == 0:  # the child: one run, then out without running the parent's atexit
            code = 1
            try:
                if fault != "-":
                    os.environ[FAULT_ENV] = fault
                    os.environ[FAULT_TEST_SWITCH] = "1"
                summary = run_nightly(home=home)
                Path(f"{home}.summary.json").write_text(json.dumps(summary, default=str))
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


class ForkServer:
    """A `serve_forks` process: `run(home, fault)` → the run's exit code (-9 if killed)."""

    def __init__(self, log: Path, env: dict[str, str]) -> None:
        self.log = log
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, __file__, "--forks"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env,
                text=True,
            )  # fmt: skip

    def run(self, home: Path, fault: int | None = None) -> int:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{fault or '-'} {home}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the fork server died (exit {self.process.poll()})")
        return int(answer)

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the children's stderr (for failure messages)."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def summary(self, home: Path) -> dict[str, Any]:
        return json.loads(Path(f"{home}.summary.json").read_text())

    def close(self) -> None:
        """End the server: every child of it has been waited for, and its own exit would
        only run its imports' atexit hooks (seconds)."""
        if self.process.stdin:
            self.process.stdin.close()
        self.process.kill()
        self.process.wait()


def main(argv: list[str]) -> int:
    if argv == ["--forks"]:
        serve_forks()
        return 0
    home, *paths = argv
    summary = run_nightly(home=home, paths=paths or None)
    json.dump(summary, sys.stdout, ensure_ascii=False, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
