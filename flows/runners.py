"""Where the flow's tasks run: threads in the flow's process (default) or Dask (prefect-dask).

`--task-runner dask` without an address starts a local `dask.distributed` cluster of
worker processes for the run; with `--dask-address tcp://host:8786` the run uses an
existing cluster. Either way only the per-chunk tasks (read, normalize, build the check
frames) leave the flow's process (they are the CPU work); the GX validations (per batch
of chunks), archive, publish and the reports stay with the flow, which owns the data home.

Task runs report to the Prefect API. A local cluster's workers are told the API URL
of the run's server (the temporary one included), so they never start temporary
servers of their own; workers of an existing cluster need `PREFECT_API_URL` in their
own environment (see README, "Operating bpw").

Note: workers open inbox files by path and write each chunk's rows into the run's
scratch folder in the lake (`warehouse.scratch`), so a remote cluster needs the inbox
and the lake mounted at the same paths. The lake root must be a local or mounted POSIX
directory, not an fsspec URL: `warehouse` publishes with fsync and an atomic
`os.replace` of manifest and catalog, which object stores do not offer. Supporting
`s3://…` lakes would need a different commit protocol in `warehouse/`, not a change here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

LOCAL_WORKERS = 2
# Files per chunk task on Dask: small enough to spread an inbox over the workers, large
# enough that each chunk's fixed cost (≈100 ms of scheduling) stays noise. The GX
# validations run in the flow, per batch of chunks, not per chunk.
DASK_CHUNK_SIZE = 500
# Chunk tasks in flight per Dask worker thread: one running, one queued behind it.
IN_FLIGHT_PER_THREAD = 2


class TaskRunnerKind(StrEnum):
    default = "default"
    dask = "dask"


class TaskRunnerChoiceError(ValueError):
    """An impossible combination of runner options."""


def worker_environment() -> dict[str, str]:
    """Environment for local workers: the API URL of the flow run's Prefect server."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.client is None:
        return {}
    return {"PREFECT_API_URL": str(context.client.api_url).rstrip("/")}


def local_cluster(**cluster_kwargs: Any) -> Any:
    """A `distributed.LocalCluster` whose worker processes report to this run's API.

    prefect-dask calls this (as `cluster_class`) on the run's first submitted task,
    when the flow run, and so its server, exist.
    """
    from distributed import LocalCluster

    env = {**worker_environment(), **cluster_kwargs.pop("env", {})}
    return LocalCluster(**cluster_kwargs, env=env)


def build_task_runner(
    kind: str = TaskRunnerKind.default,
    dask_address: str | None = None,
    n_workers: int = LOCAL_WORKERS,
    **cluster_kwargs: Any,
) -> Any | None:
    """The task runner for `kind`, or None for the flow's own default (threads)."""
    kind = TaskRunnerKind(kind)
    if kind is TaskRunnerKind.default:
        if dask_address:
            raise TaskRunnerChoiceError("--dask-address needs --task-runner dask")
        return None
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(
        cluster_class=local_cluster,
        cluster_kwargs={
            "n_workers": n_workers, "threads_per_worker": 1, "processes": True,
            **cluster_kwargs,
        },
    )  # fmt: skip


def in_flight() -> int:
    """How many chunk tasks the flow keeps submitted at once: enough to keep every
    worker busy, few enough that only that many chunks' raw tables are held at a time.
    On Dask: 2 per worker thread of the cluster (one running, one queued); in threads
    (each submitted task starts a thread at once): one per core."""
    import os

    from prefect.context import FlowRunContext

    cores = os.cpu_count() or 1
    runner = getattr(FlowRunContext.get(), "task_runner", None)
    if not type(runner).__module__.startswith("prefect_dask"):
        return cores
    try:  # the cluster starts here if no task was submitted yet (as on the first submit)
        threads = sum(runner.client.nthreads().values())
    except Exception:  # a cluster that cannot tell: as if it had this machine's cores
        threads = cores
    return IN_FLIGHT_PER_THREAD * max(threads, 1)


def with_task_runner(flow: Any, kind: str = "default", dask_address: str | None = None) -> Any:
    """`flow` as it should run: unchanged for the default runner, else with the Dask runner."""
    runner = build_task_runner(kind, dask_address)
    return flow if runner is None else flow.with_options(task_runner=runner)


def flow_parameters(kind: str = "default", dask_address: str | None = None) -> dict[str, Any]:
    """Flow parameters that go with the runner (smaller read chunks on Dask)."""
    return {"chunk_size": DASK_CHUNK_SIZE} if TaskRunnerKind(kind) is TaskRunnerKind.dask else {}
