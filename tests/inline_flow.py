"""Run the real nightly flow body (`nightly.fn`) with no Prefect server: the crash,
lock, idempotency and hostile-input tests start dozens of runs, and a temporary Prefect
server costs 8–20 s each.

`nightly.fn(...)` runs the flow's own code, but its tasks would still report to an
API (and `.submit` needs a flow run). Here every task runs as its plain function, in
order, and artifacts and run loggers are local: the same steps, the same writes, the
same summary — only the orchestration is left out.

As a script (`python tests/inline_flow.py HOME [PATH…]`) it runs one ingest in a fresh
process and prints the summary as JSON on stdout. `ForkServer` runs many ingests, each in
a process of its own (the crash tests kill them with BPW_FAULT_AFTER_WRITES, armed by the
test-only switch BPW_FAULTS_I_AM_A_TEST=1), without paying Prefect's and Great
Expectations' imports each time. `warehouse_state` reads what a run left as a reader
sees it: every public view, in full, ordered.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_DROPPED = ("return_state", "wait_for")


class InlineFuture:
    """A task already run: what `.submit()` hands back, in the shape Prefect's helpers read."""

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self._value, self._error = value, error
        self._final_state = True  # `prefect.futures.as_completed` yields it at once

    def result(self, *args: Any, **kwargs: Any) -> Any:
        if self._error is not None:
            raise self._error
        return self._value

    def wait(self, *args: Any, **kwargs: Any) -> None:
        return None


def _resolve(value: Any) -> Any:
    """Futures passed as arguments become their results (as Prefect does)."""
    if isinstance(value, InlineFuture):
        return value.result()
    if isinstance(value, list | tuple):
        return type(value)(_resolve(v) for v in value)
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    return value


def _call(task: Any, *args: Any, **kwargs: Any) -> Any:
    for key in _DROPPED:
        kwargs.pop(key, None)
    return task.fn(*_resolve(args), **_resolve(kwargs))


def _submit(task: Any, *args: Any, **kwargs: Any) -> InlineFuture:
    try:
        return InlineFuture(_call(task, *args, **kwargs))
    except Exception as exc:
        return InlineFuture(error=exc)


def _map(task: Any, *iterables: Any, **kwargs: Any) -> list[InlineFuture]:
    return [_submit(task, *args, **kwargs) for args in zip(*iterables, strict=True)]


@contextmanager
def inline_tasks() -> Iterator[None]:
    """Within: Prefect tasks run as plain calls, artifacts and run loggers are local."""
    import prefect.artifacts
    import prefect.logging
    from prefect.tasks import Task

    import flows.nightly

    logger = logging.getLogger("bpw.inline")
    patches = [
        (Task, "__call__", _call),
        (Task, "submit", _submit),
        (Task, "map", _map),
        (prefect.artifacts, "create_markdown_artifact", lambda *a, **k: None),
        (prefect.logging, "get_run_logger", lambda *a, **k: logger),
    ]
    patches += [
        (flows.nightly, name, replacement)
        for module, name, replacement in patches[3:]
        if hasattr(flows.nightly, name)
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def run_nightly(**parameters: Any) -> dict[str, Any]:
    """`nightly.fn(**parameters)` with inline tasks; returns the run summary."""
    from flows.nightly import nightly

    with inline_tasks():
        result = nightly.fn(**parameters)
    return getattr(result, "data", result)  # a returned State carries the summary


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
    """`inline_flow.py --forks`: import Prefect and Great Expectations once (seconds),
    then for each stdin line `<N or -> <home>` run one ingest of `home` in a forked child
    — killed by `faults` at its N-th write when N is given — and answer its exit code.

    Only libraries that start no threads of their own are imported before forking (not
    polars: its thread pool must be born in the child). A child writes its summary to
    `<home>.summary.json`.
    """
    from flows.settings import configure_prefect

    configure_prefect()  # before Prefect is imported, as flows.nightly does
    import great_expectations  # noqa: F401
    import prefect  # noqa: F401

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
