"""Where a run's fixed start-up goes: `python benchmarks/startup.py [REPS]`.

Each figure is a fresh process (wall seconds, and CPU seconds of it and its children —
on a shared machine CPU is the steadier of the two):

- imports: the command line; Prefect; the flow module (bpw's pipeline, polars, DuckDB);
  Great Expectations;
- Prefect's temporary server, from spawn to its health check answering (the server
  process's own CPU: importing Prefect and its server, building the app, migrations
  check, services);
- `bpw ingest` of an empty folder: with the temporary server, and with a server already
  answering (recorded as `bpw serve` records it);
- Prefect's own empty flow on its temporary server (`benchmarks/noop_flow.py`);
- phase by phase (CPU seconds of one process, the steadier figure): the temporary
  server's start (import prefect, its server package, the app, the database check, the
  app's lifespan), and `bpw ingest` of an empty folder with a server answering (the
  command line, typer, bpw's pipeline modules, prefect, the flow module, Prefect's
  parameter encoder, then the run itself).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
BPW = str(Path(PYTHON).with_name("bpw"))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU of the child and everything it waited for) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_of(reps: int, command: list[str], env: dict[str, str]) -> dict[str, float]:
    runs = [timed(command, env) for _ in range(reps)]
    return {
        "wall": round(statistics.median(w for w, _ in runs), 2),
        "cpu": round(statistics.median(c for _, c in runs), 2),
    }


def server_start(env: dict[str, str]) -> dict[str, float]:
    """The temporary server bpw starts, from spawn until it answers."""
    code = (
        "import time, resource\n"
        "from flows.api import TemporaryServer\n"
        "t = time.perf_counter(); s = TemporaryServer().start(); s.wait()\n"
        "wall = time.perf_counter() - t; s.stop()\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, r.ru_utime + r.ru_stime)\n"
    )
    done = subprocess.run([PYTHON, "-c", code], env=env, check=True, capture_output=True,
                          text=True)  # fmt: skip
    wall, cpu = map(float, done.stdout.split())
    return {"wall": round(wall, 2), "server_cpu": round(cpu, 2)}


# one phase after another in one process: {"phase": [wall, cpu], ...} on the last line
PHASES = """
import json, sys, time
marks = []
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
mark("start")
"""
PHASES_END = """
phases = {n: [round(w - marks[i][1], 3), round(c - marks[i][2], 3)]
          for i, (n, w, c) in enumerate(marks[1:])}
print(json.dumps(phases))
"""
SERVER_PHASES = """
import asyncio, contextlib, os
os.environ.update({"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                   "PREFECT__SERVER_FINAL": "1"})
os.environ.pop("PREFECT_API_URL", None)
from flows.settings import configure_prefect
configure_prefect()
mark("bpw settings")
import prefect
mark("import prefect")
import prefect.server.api.server as server
mark("import prefect.server.api.server")
app = server.create_app(final=True)
mark("create_app")
async def lifespan():
    from prefect.server.database import provide_database_interface
    await provide_database_interface().create_db()
    mark("database check (migrations)")
    with contextlib.suppress(Exception):  # a stop before every service started
        async with app.router.lifespan_context(app):
            mark("lifespan (database check again, blocks, docket, services)")
asyncio.run(lifespan())
"""
CLIENT_PHASES = """
import interface.cli
mark("interface.cli (entry point, rich, settings)")
import interface.commands
mark("interface.commands (typer)")
import typer._adapters
mark("typer._adapters (pydantic)")
import pipeline.datahome
mark("pipeline.datahome (polars, transforms, report templates)")
from flows.api import choose_api
from flows.settings import configure_prefect
api = choose_api(configure_prefect())
mark("choose_api")
import prefect
mark("import prefect")
import flows.nightly
mark("rest of flows.nightly (pipeline, gate modules, duckdb)")
import fastapi.encoders
mark("fastapi.encoders (Prefect's parameter encoder, at the flow call)")
sys.argv = ["bpw", "--home", sys.argv[1], "ingest", sys.argv[2]]
with contextlib.suppress(SystemExit):
    interface.cli.main()
mark("the run (flow run, task runner, data docs, status summary)")
"""


def phases(code: str, env: dict[str, str], *args: str) -> dict[str, list[float]]:
    """[wall, CPU] of each phase of `code` (SERVER_PHASES, CLIENT_PHASES) in one process."""
    script = "import contextlib\n" + PHASES + code + PHASES_END
    done = subprocess.run([PYTHON, "-c", script, *args], env=env, check=True,
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(reps: int = 3) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bpw-startup-"))
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect")}
    env.pop("PREFECT_API_URL", None)
    env.pop("BPW_HOME", None)
    empty = work / "empty"
    empty.mkdir()
    imports = {
        "interface.cli": "import interface.cli",
        "prefect": "from flows.settings import configure_prefect; configure_prefect(); "
        "import prefect",
        "flows.nightly (with prefect)": "import flows.nightly",
        "great_expectations": "import great_expectations",
    }
    results: dict = {"load_before": os.getloadavg()}
    results["imports"] = {
        name: median_of(reps, [PYTHON, "-c", code], env) for name, code in imports.items()
    }
    subprocess.run(
        [PYTHON, str(ROOT / "benchmarks" / "noop_flow.py")],
        env=env,
        check=True,
        capture_output=True,
    )  # fmt: skip  (migrates the PREFECT_HOME first)
    results["temporary_server_start"] = server_start(env)
    results["temporary_server_phases"] = phases(SERVER_PHASES, env)
    ingest = [BPW, "--home", str(work / "home"), "ingest", str(empty)]
    results["ingest_empty_temporary_server"] = median_of(reps, ingest, env)
    results["noop_flow_prefect_temporary_server"] = median_of(
        reps, [PYTHON, str(ROOT / "benchmarks" / "noop_flow.py")], env
    )
    from flows.serve import LocalServer, free_port, record_server

    with LocalServer(work / "prefect-served", free_port()) as server:
        assert server.process is not None
        record_server(work / "prefect", server.api_url, server.process.pid)
        results["ingest_empty_running_server"] = median_of(reps, ingest, env)
        results["ingest_empty_running_server_phases"] = phases(
            CLIENT_PHASES, env, str(work / "home"), str(empty)
        )
    results["load_after"] = os.getloadavg()
    return results


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=2))
