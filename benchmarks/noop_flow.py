"""Prefect's fixed start-up, the yardstick's other half: a fresh process that imports
Prefect, runs one empty flow on the temporary server, and exits — what any `bpw nightly`
pays before it reads a byte. Run by `benchmarks/run.py` with the same PREFECT_HOME, and
with bpw's own exit (no final garbage collection: `flows.warmup.freeze_at_exit`), so
the start-up counted here is Prefect's alone: Prefect's floor with its temporary server
(the server's own start — importing Prefect and its server package, the app, the
database check, the services — while the client waits). `bpw` starts that server itself,
before its imports (`flows.api`), or reuses the one `bpw serve` keeps; see
`benchmarks/startup.py` for the breakdown."""

from flows.settings import configure_prefect
from flows.warmup import freeze_at_exit

configure_prefect()
freeze_at_exit()

from prefect import flow  # noqa: E402


@flow(name="bench-noop")
def noop() -> int:
    return 0


if __name__ == "__main__":
    noop()
